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
    public static Task AnalyzerAsync(string source, bool withRuntime = true, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = source };
        Configure(test, withRuntime, outputKind);
        return test.RunAsync();
    }

    /// <summary>An analyzer run over code that does not compile: only the RG diagnostics in the markup are checked.</summary>
    public static Task AnalyzerIgnoringCompilerErrorsAsync(string source)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            CompilerDiagnostics = CompilerDiagnostics.None,
        };
        Configure(test, withRuntime: true, OutputKind.DynamicallyLinkedLibrary);
        return test.RunAsync();
    }

    public static Task CodeFixAsync<TCodeFix>(string source, string fixedSource, int? iterations = null, string? equivalenceKey = null)
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            CodeActionEquivalenceKey = equivalenceKey,
        };
        if (iterations is { } count)
        {
            test.NumberOfFixAllIterations = count;
            test.NumberOfFixAllInDocumentIterations = count;
            test.NumberOfFixAllInProjectIterations = count;
        }

        Configure(test, withRuntime: true, OutputKind.DynamicallyLinkedLibrary);
        return test.RunAsync();
    }

    /// <summary>A code-fix test over several documents: Fix All across documents and the project.</summary>
    public static Task CodeFixAsync<TCodeFix>((string Name, string Source)[] sources, (string Name, string Source)[] fixedSources)
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>();
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
        }

        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var project = solution.GetProject(projectId)!;
            var parse = ((CSharpParseOptions)project.ParseOptions!).WithLanguageVersion(LanguageVersion.Latest);
            return solution.WithProjectParseOptions(projectId, parse);
        });
    }
}
