using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using RetryGuard.Analyzers.Keys;
using RetryGuard.Analyzers.Tests.Verifiers;
using static RetryGuard.Analyzers.Tests.Keys.TestKeys;

namespace RetryGuard.Analyzers.Tests.Keys;

/// <summary>RG0004 must never throw: broken code, odd literals and hostile configuration files give diagnostics or nothing.</summary>
public class RG0004RobustnessTests
{
    private sealed class Text : AdditionalText
    {
        private readonly string _text;

        public Text(string path, string text)
        {
            Path = path;
            _text = text;
        }

        public override string Path { get; }

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(_text);
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source, params AdditionalText[] files)
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create("Probe", new[] { tree }, TestReferences.Net100, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray.Create(files)),
            onAnalyzerException: (exception, analyzer, diagnostic) => throw new Xunit.Sdk.XunitException("analyzer threw: " + exception),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);
        var all = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new SharedApiKeyAnalyzer()), options).GetAnalyzerDiagnosticsAsync();
        Assert.DoesNotContain(all, d => d.Id == "AD0001");
        return all;
    }

    [Fact]
    public async Task Broken_code_and_odd_literals()
    {
        var diagnostics = await AnalyzeAsync($$$$""""
            class C
            {
                string a = "{{{{Groq(1)}}}}
                void M( { new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ); x.ApiKey = ; }
                string b = "\uD800\uDFFF{{{{new string('\u00e9', 100)}}}}";
                string c = """{{{{new string('a', 600)}}}}""";
                string d = @"Bearer
                    {{{{Token(40)}}}}";
                object e = new Unknown(apiKey: "{{{{Token(40)}}}}");
            """");
        Assert.All(diagnostics, d => Assert.Equal("RG0004", d.Id));
    }

    [Fact]
    public async Task Hostile_configuration_files()
    {
        var deep = new StringBuilder();
        for (int i = 0; i < 10_000; i++)
        {
            deep.Append("{\"a\":");
        }

        var files = new AdditionalText[]
        {
            new Text("/app/appsettings.json", deep.ToString()),
            new Text("/app/appsettings.Development.json", "{ \"A\": \"\\u12\" }"),
            new Text("/app/appsettings.Staging.json", "{ /* unterminated"),
            new Text("/app/appsettings.Production.json", "{ \"ApiKey\": \"" + Groq(2) + "\", } // ok"),
            new Text("/app/.env", "\0\0\0=\n" + new string('=', 10_000)),
            new Text("/app/.env.production", "ApiKey=\"\\"),
            new Text("relative/appsettings.QA.json", "{ \"ApiKey\": 12e999 }"),
            new Text("", "{}"),
        };

        // The only readable key is in an environment file no other file repeats: nothing to report, nothing thrown.
        Assert.Empty(await AnalyzeAsync("class C { }", files));
    }
}
