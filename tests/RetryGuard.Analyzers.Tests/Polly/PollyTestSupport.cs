using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using RetryGuard.Analyzers.Model;
using RetryGuard.Analyzers.Model.Polly;
using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests.Polly;

/// <summary>Shared sources and helpers for the Polly / Microsoft.Extensions.Http.Resilience tests.</summary>
internal static class PollyTestSupport
{
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Net;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Configuration;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Http.Resilience;
        using Polly;
        using Polly.Contrib.WaitAndRetry;
        using Polly.Extensions.Http;
        using Polly.Retry;

        """;

    /// <summary>Runs the analyzer over <paramref name="code"/> (after the usings) with the Polly references.</summary>
    public static Task Verify(string code, string? only = null) =>
        Verify<RetryAnalyzer>.AnalyzerAsync(Usings + code, only: only, references: TestReferences.Polly);

    /// <summary>The same over code that does not compile: only the RG diagnostics in the markup are checked.</summary>
    public static Task VerifyBroken(string code, string? only = null) =>
        Verify<RetryAnalyzer>.AnalyzerIgnoringCompilerErrorsAsync(Usings + code, only: only, references: TestReferences.Polly);

    /// <summary>
    /// Every Polly construct the recognizer builds from <paramref name="code"/>, in source order: the model the rule
    /// checkers read, checked here directly.
    /// </summary>
    public static ImmutableArray<RetryConstruct> Constructs(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(Usings + code, new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create(
            "Model",
            new[] { tree },
            TestReferences.Net100.AddRange(TestReferences.Polly),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));

        var symbols = KnownSymbols.TryCreate(compilation)!;
        var polly = KnownPollySymbols.TryCreate(compilation)!;
        var model = compilation.GetSemanticModel(tree);
        var index = new Lazy<OptionsWriteIndex>(() => OptionsWriteIndex.Build(compilation, polly, CancellationToken.None));
        var recognizer = new PollyRecognizer(symbols, polly, t => compilation.GetSemanticModel(t), () => index.Value);
        var constructs = ImmutableArray.CreateBuilder<RetryConstruct>();
        foreach (var node in tree.GetRoot().DescendantNodes())
        {
            var construct = model.GetOperation(node) switch
            {
                IInvocationOperation invocation when PollyRecognizer.MayBeV7Retry(invocation) => recognizer.RecognizeV7(invocation),
                IInvocationOperation invocation => recognizer.RecognizeStandardHandler(invocation),
                IObjectCreationOperation creation => recognizer.RecognizeOptions(creation),
                _ => null,
            };
            if (construct is not null)
            {
                constructs.Add(construct);
            }
        }

        return constructs.ToImmutable();
    }

    public static RetryConstruct Single(string code)
    {
        var constructs = Constructs(code);
        Assert.Single(constructs);
        return constructs[0];
    }
}

/// <summary>
/// Code-fix verification for Polly constructs: the sources (after <see cref="PollyTestSupport.Usings"/>) compiled
/// with the Polly references and the real RetryGuard runtime, one rule enabled, the fixed state checked for compiler
/// errors and for the diagnostics its markup names (none, unless marked).
/// </summary>
internal static class PollyFixVerify
{
    /// <summary>Polly's usings without Polly.Contrib.WaitAndRetry: RetryGuard's <c>Backoff</c> may be imported.</summary>
    public static string UsingsWithoutContrib => PollyTestSupport.Usings.Replace("using Polly.Contrib.WaitAndRetry;\n", string.Empty);

    /// <param name="outsideTrigger">
    /// The diagnostic lies outside the syntax node whose analysis reports it (a property write in a later statement on
    /// the options local, a Contrib call in a local's initializer): the analyzer reports it from the creation or the
    /// retry call, so the IDE computes it for the whole document, not for the span alone; the testing library's
    /// local-diagnostic check is skipped for it.
    /// </param>
    public static Task Fix<TFix>(string code, string fixedCode, string only, string? equivalenceKey = null, int? iterations = null, string? usings = null, string? fixedUsings = null, bool outsideTrigger = false)
        where TFix : Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider, new()
    {
        var test = Create<TFix>(only);
        if (outsideTrigger)
        {
            test.CodeFixTestBehaviors |= Microsoft.CodeAnalysis.Testing.CodeFixTestBehaviors.SkipLocalDiagnosticCheck;
        }

        test.TestCode = (usings ?? PollyTestSupport.Usings) + code;
        test.FixedCode = (fixedUsings ?? usings ?? PollyTestSupport.Usings) + fixedCode;
        test.CodeActionEquivalenceKey = equivalenceKey;
        if (iterations is { } count)
        {
            test.NumberOfFixAllIterations = count;
            test.NumberOfFixAllInDocumentIterations = count;
            test.NumberOfFixAllInProjectIterations = count;
        }

        return FixChecker.Enabled ? ThenCheckFixes() : test.RunAsync();

        async Task ThenCheckFixes()
        {
            await test.RunAsync();
            await FixChecker.CheckAsync((usings ?? PollyTestSupport.Usings) + code, [.. TestReferences.Net100, TestReferences.Runtime, .. TestReferences.Polly]);
        }
    }

    /// <summary>A fix under <c>.editorconfig</c> settings (for example <c>retryguard.max_retry_after</c>).</summary>
    public static Task FixWithConfig<TFix>(string code, string fixedCode, string only, string editorConfig)
        where TFix : Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider, new()
    {
        var test = Create<TFix>(only);
        test.TestCode = PollyTestSupport.Usings + code;
        test.FixedCode = PollyTestSupport.Usings + fixedCode;
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\n" + editorConfig));
        return test.RunAsync();
    }

    /// <summary>The diagnostic is reported and no fix is offered: the fixed state is the source itself.</summary>
    public static Task NoFix<TFix>(string code, string only)
        where TFix : Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider, new() => Fix<TFix>(code, code, only);

    /// <summary>Several documents: Fix All in the project and the solution reaches every one of them.</summary>
    public static Task FixDocuments<TFix>((string Name, string Code)[] sources, (string Name, string Code)[] fixedSources, string only)
        where TFix : Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider, new()
    {
        var test = Create<TFix>(only);
        foreach (var (name, code) in sources)
        {
            test.TestState.Sources.Add((name, PollyTestSupport.Usings + code));
        }

        foreach (var (name, code) in fixedSources)
        {
            test.FixedState.Sources.Add((name, PollyTestSupport.Usings + code));
        }

        return test.RunAsync();
    }

    private static Microsoft.CodeAnalysis.CSharp.Testing.CSharpCodeFixTest<RetryAnalyzer, TFix, Microsoft.CodeAnalysis.Testing.DefaultVerifier> Create<TFix>(string only)
        where TFix : Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider, new()
    {
        var test = new Microsoft.CodeAnalysis.CSharp.Testing.CSharpCodeFixTest<RetryAnalyzer, TFix, Microsoft.CodeAnalysis.Testing.DefaultVerifier>
        {
            ReferenceAssemblies = TestReferences.None,
        };
        Verify<RetryAnalyzer>.Focus(test, only);
        test.TestState.AdditionalReferences.AddRange(TestReferences.Net100);
        test.TestState.AdditionalReferences.Add(TestReferences.Runtime);
        test.TestState.AdditionalReferences.AddRange(TestReferences.Polly);
        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var project = solution.GetProject(projectId)!;
            var parse = ((CSharpParseOptions)project.ParseOptions!).WithLanguageVersion(LanguageVersion.Latest);
            return solution.WithProjectParseOptions(projectId, parse);
        });
        return test;
    }
}
