using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace RetryGuard.Analyzers.Tests.Verifiers;

/// <summary>Analyzer and code-fix verification with markup (<c>{|RG0001:...|}</c>) and offline references.</summary>
internal static class Verify<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public static Task AnalyzerAsync(
        string source,
        bool withRuntime = true,
        OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary,
        string? only = null,
        string? editorConfig = null,
        IEnumerable<MetadataReference>? references = null)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = source };
        Configure(test, withRuntime, outputKind);
        Focus(test, only);
        AddReferences(test, references);
        if (editorConfig is not null)
        {
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\n" + editorConfig));
        }

        return FixChecker.Enabled ? ThenCheckFixes() : test.RunAsync();

        async Task ThenCheckFixes()
        {
            await test.RunAsync();
            var all = new List<MetadataReference>(TestReferences.Net100);
            if (withRuntime)
            {
                all.Add(TestReferences.Runtime);
                all.Add(TestReferences.RuntimeLogging);
            }

            all.AddRange(references ?? []);
            await FixChecker.CheckAsync(source, all, outputKind, editorConfig);
        }
    }

    /// <summary>Checks one rule only: the other RetryGuard rules are switched off for the test.</summary>
    public static void Focus<TVerifier>(AnalyzerTest<TVerifier> test, string? only)
        where TVerifier : IVerifier, new()
    {
        if (only is null)
        {
            return;
        }

        foreach (var id in new[] { "RG0001", "RG0002", "RG0003", "RG0004", "RG0005", "RG0006", "RG0007" })
        {
            if (id != only)
            {
                test.DisabledDiagnostics.Add(id);
            }
        }
    }

    /// <summary>An analyzer run over code that does not compile: only the RG diagnostics in the markup are checked.</summary>
    public static Task AnalyzerIgnoringCompilerErrorsAsync(string source, string? only = null, IEnumerable<MetadataReference>? references = null)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            CompilerDiagnostics = CompilerDiagnostics.None,
        };
        Configure(test, withRuntime: true, OutputKind.DynamicallyLinkedLibrary);
        Focus(test, only);
        AddReferences(test, references);
        return test.RunAsync();
    }

    /// <summary>Extra metadata references (for example <see cref="TestReferences.Polly"/>).</summary>
    private static void AddReferences<TVerifier>(AnalyzerTest<TVerifier> test, IEnumerable<MetadataReference>? references)
        where TVerifier : IVerifier, new()
    {
        if (references is not null)
        {
            test.TestState.AdditionalReferences.AddRange(references);
        }
    }

    public static Task CodeFixAsync<TCodeFix>(string source, string fixedSource, int? iterations = null, string? equivalenceKey = null, string? only = null,
        CodeFixTestBehaviors behaviors = CodeFixTestBehaviors.None, IEnumerable<MetadataReference>? references = null)
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            CodeActionEquivalenceKey = equivalenceKey,
            CodeFixTestBehaviors = behaviors,
        };
        Focus(test, only);
        if (iterations is { } count)
        {
            test.NumberOfFixAllIterations = count;
            test.NumberOfFixAllInDocumentIterations = count;
            test.NumberOfFixAllInProjectIterations = count;
        }

        Configure(test, withRuntime: true, OutputKind.DynamicallyLinkedLibrary);
        AddReferences(test, references);
        return FixChecker.Enabled ? ThenCheckFixes() : test.RunAsync();

        async Task ThenCheckFixes()
        {
            await test.RunAsync();
            await FixChecker.CheckAsync(source, [.. TestReferences.Net100, TestReferences.Runtime, TestReferences.RuntimeLogging, .. references ?? []]);
        }
    }

    /// <summary>A code-fix test over several documents: Fix All across documents and the project.</summary>
    public static Task CodeFixAsync<TCodeFix>((string Name, string Source)[] sources, (string Name, string Source)[] fixedSources, string? only = null,
        CodeFixTestBehaviors behaviors = CodeFixTestBehaviors.None)
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier> { CodeFixTestBehaviors = behaviors };
        Focus(test, only);
        foreach (var (name, source) in sources)
        {
            test.TestState.Sources.Add((name, source));
        }

        foreach (var (name, source) in fixedSources)
        {
            test.FixedState.Sources.Add((name, source));
        }

        Configure(test, withRuntime: true, OutputKind.DynamicallyLinkedLibrary);
        return test.RunAsync();
    }

    private static void Configure<TVerifier>(AnalyzerTest<TVerifier> test, bool withRuntime, OutputKind outputKind)
        where TVerifier : IVerifier, new()
    {
        test.ReferenceAssemblies = TestReferences.None;
        test.TestState.OutputKind = outputKind;
        test.TestState.AdditionalReferences.AddRange(TestReferences.Net100);
        if (withRuntime)
        {
            test.TestState.AdditionalReferences.Add(TestReferences.Runtime);
            test.TestState.AdditionalReferences.Add(TestReferences.RuntimeLogging);
        }

        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var project = solution.GetProject(projectId)!;
            var parse = ((CSharpParseOptions)project.ParseOptions!).WithLanguageVersion(LanguageVersion.Latest);
            return solution.WithProjectParseOptions(projectId, parse);
        });
    }

    /// <summary>
    /// An analyzer run with AdditionalFiles (markup allowed in them) and an optional raw .editorconfig text.
    /// Extra expected diagnostics cover locations markup cannot express.
    /// </summary>
    public static Task AnalyzerWithFilesAsync(
        string source,
        (string Path, string Text)[] additionalFiles,
        string? only = null,
        string? rawEditorConfig = null,
        params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = source };
        Configure(test, withRuntime: true, OutputKind.DynamicallyLinkedLibrary);
        Focus(test, only);
        foreach (var file in additionalFiles)
        {
            test.TestState.AdditionalFiles.Add((file.Path, file.Text));
        }

        if (rawEditorConfig is not null)
        {
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", rawEditorConfig));
        }

        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>An analyzer run with extra metadata references (SDK assemblies).</summary>
    public static Task AnalyzerWithReferencesAsync(string source, IEnumerable<MetadataReference> references, string? only = null, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = source };
        Configure(test, withRuntime: true, OutputKind.DynamicallyLinkedLibrary);
        Focus(test, only);
        test.TestState.AdditionalReferences.AddRange(references);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }
}
