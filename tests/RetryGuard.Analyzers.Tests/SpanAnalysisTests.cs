using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests;

/// <summary>
/// The IDE analyses the span being edited (the analyzer driver keeps the diagnostics inside it): a diagnostic in
/// the span whose construct starts before the span (the loop around the delay) must still be found, and the members
/// the span does not touch are left alone.
/// </summary>
public class SpanAnalysisTests
{
    private const string Source = """
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task First(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException) { await Task.Delay(1000); }
                }
            }

            async Task Second(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException) { await Task.Delay(2000); }
                }
            }
        }
        """;

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(TextSpan? span)
    {
        var tree = CSharpSyntaxTree.ParseText(Source, new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create("Probe", new[] { tree }, TestReferences.Net100, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var analyzer = new RetryAnalyzer();
        var withAnalyzers = compilation.WithAnalyzers(
            ImmutableArray.Create<DiagnosticAnalyzer>(analyzer),
            new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: (exception, _, _) => throw new Xunit.Sdk.XunitException("analyzer threw: " + exception),
                concurrentAnalysis: false,
                logAnalyzerExecutionTime: false));
        var result = await withAnalyzers.GetAnalysisResultAsync(compilation.GetSemanticModel(tree), span, CancellationToken.None);
        return result.SemanticDiagnostics.TryGetValue(tree, out var byAnalyzer) && byAnalyzer.TryGetValue(analyzer, out var found)
            ? found.Where(d => d.Id == "RG0001").ToImmutableArray()
            : ImmutableArray<Diagnostic>.Empty;
    }

    private static string Flagged(Diagnostic diagnostic) => diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan);

    [Fact]
    public async Task The_whole_file_finds_both_members()
    {
        var diagnostics = await AnalyzeAsync(null);
        Assert.Equal(new[] { "Task.Delay(1000)", "Task.Delay(2000)" }, diagnostics.Select(Flagged).OrderBy(s => s, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_span_on_the_delay_finds_the_loop_around_it_and_nothing_of_the_other_member()
    {
        int start = Source.IndexOf("Task.Delay(1000)", StringComparison.Ordinal);
        var diagnostics = await AnalyzeAsync(new TextSpan(start, "Task.Delay(1000)".Length));
        Assert.Equal(new[] { "Task.Delay(1000)" }, diagnostics.Select(Flagged));
    }
}
