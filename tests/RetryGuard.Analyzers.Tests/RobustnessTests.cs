using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests;

/// <summary>
/// An analyzer exception is AD0001 in every build of every user: broken code, missing references and very large
/// methods must give diagnostics or nothing, never an exception.
/// </summary>
public class RobustnessTests
{
    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source, IEnumerable<MetadataReference> references)
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create("Probe", new[] { tree }, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new RetryAnalyzer());
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, analyzer, diagnostic) => throw new Xunit.Sdk.XunitException("analyzer threw: " + exception),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);
        var withAnalyzers = compilation.WithAnalyzers(analyzers, options);
        var all = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
        Assert.DoesNotContain(all, d => d.Id == "AD0001");
        return all;
    }

    [Fact]
    public async Task A_very_large_method_with_many_retries_is_analysed_whole()
    {
        var source = new StringBuilder("""
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;
            class Big
            {
                async Task Run(HttpClient http)
                {
            """);
        const int loops = 400;
        for (int i = 0; i < loops; i++)
        {
            source.AppendLine($$"""
                    for (int a{{i}} = 0; a{{i}} < 3; a{{i}}++)
                    {
                        try { await http.GetAsync("/{{i}}"); break; }
                        catch (TaskCanceledException) { await Task.Delay(100 * a{{i}}); }
                    }
                    var d{{i}} = TimeSpan.FromSeconds({{i}});
                    if (d{{i}} > TimeSpan.FromMinutes(5)) Console.WriteLine(d{{i}});
            """);
        }

        source.AppendLine("    }\n}");
        var diagnostics = await AnalyzeAsync(source.ToString(), TestReferences.Net100);
        Assert.Equal(loops, diagnostics.Count(d => d.Id == "RG0001"));
    }

    [Fact]
    public async Task Deeply_nested_loops_are_fine()
    {
        var source = new StringBuilder("""
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;
            class Deep
            {
                async Task Run(HttpClient http)
                {
            """);
        const int depth = 60;
        for (int i = 0; i < depth; i++)
        {
            source.AppendLine($"for (int i{i} = 0; i{i} < 2; i{i}++) {{ try {{");
        }

        source.AppendLine("await http.GetStringAsync(\"/\"); return;");
        for (int i = depth - 1; i >= 0; i--)
        {
            source.AppendLine($"}} catch (HttpRequestException) {{ await Task.Delay(10 * i{i}); }} }}");
        }

        source.AppendLine("    }\n}");
        var diagnostics = await AnalyzeAsync(source.ToString(), TestReferences.Net100);
        Assert.Contains(diagnostics, d => d.Id == "RG0001");
    }

    public static TheoryData<string> BrokenCode() => new()
    {
        "class C { async System.Threading.Tasks.Task M() { while (true) { try { await Missing(); } catch { await System.Threading.Tasks.Task.Delay(",
        "class C { void M() { for (;;) { var r = Send(); if (r.IsSuccessStatusCode) return; System.Threading.Thread.Sleep(1000) } } }",
        "class C { async System.Threading.Tasks.Task M(int n) { try { await X(); } catch when (n > 0) { await M(n - 1) } } }",
        "class C { void M() { retry: try { Go(); } catch { goto retry } } }",
        "class C { void M() { goto nowhere; } }",
        "class C { async System.Threading.Tasks.Task M() { do { await System.Threading.Tasks.Task.Delay(Unknown.Value); } while (",
        "class C { System.Threading.Tasks.Task M() => M(; }",
        "using System.Net; class C { void M(System.Net.Http.HttpResponseMessage r) { while (r.StatusCode is > 500 and) { System.Threading.Thread.Sleep(r.Headers.RetryAfter?.Delta ?? ); } } }",
        "class C { int x = Helper(); static int Helper() => Helper(); async System.Threading.Tasks.Task M() { for (int i = 0; i < 3; i++) { try { await Q(); return; } catch { await System.Threading.Tasks.Task.Delay(x); } } } }",
        "class C { async System.Threading.Tasks.Task M() { while (true) { switch (Get().StatusCode) { case 429: await System.Threading.Tasks.Task.Delay(1); continue; case",
    };

    [Theory]
    [MemberData(nameof(BrokenCode))]
    public async Task Broken_code_never_throws(string source)
    {
        await AnalyzeAsync(source, TestReferences.Net100);
    }

    [Fact]
    public async Task A_compilation_without_any_reference_registers_nothing()
    {
        var diagnostics = await AnalyzeAsync("""
            class C
            {
                async void M()
                {
                    while (true) { try { await Go(); return; } catch { await System.Threading.Tasks.Task.Delay(1000); } }
                }
            }
            """, Array.Empty<MetadataReference>());
        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task Helpers_that_call_each_other_do_not_loop_forever()
    {
        var diagnostics = await AnalyzeAsync("""
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;
            class C
            {
                static int A(int n) => n > 10 ? B(n - 1) : 100;
                static int B(int n) => A(n) * 2;
                int _d;
                int D => _d == 0 ? D : _d;

                async Task Run(HttpClient http)
                {
                    for (int i = 0; i < 3; i++)
                    {
                        try { await http.GetStringAsync("/"); return; }
                        catch (HttpRequestException) { await Task.Delay(A(i) + D); }
                    }
                }
            }
            """, TestReferences.Net100);
        Assert.DoesNotContain(diagnostics, d => d.Id == "RG0001");
    }
}
