using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using RetryGuard.Analyzers.Model.Polly;
using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests.Polly;

/// <summary>
/// The recognizer never throws: code cut short anywhere, names that do not bind, overloads that do not exist. And
/// it stays linear: many policies in one compilation are analysed quickly.
/// </summary>
public class PollyRobustnessTests
{
    private static readonly string[] Samples =
    {
        """
        class A
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .OrResult(msg => msg.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync(6, retryAttempt => TimeSpan.FromSeconds(Math.Pow(2, retryAttempt)));
            ISyncPolicy Q() => Policy.Handle<HttpRequestException>(ex => ex.StatusCode == HttpStatusCode.BadRequest).RetryForever();
            IAsyncPolicy R() => Policy.WrapAsync(Policy.TimeoutAsync(TimeSpan.FromMinutes(1)), Policy.Handle<HttpRequestException>().WaitAndRetryAsync(Backoff.ExponentialBackoff(TimeSpan.FromSeconds(1), 3)));
        }
        """,
        """
        class B
        {
            void M(ResiliencePipelineBuilder<HttpResponseMessage> builder)
            {
                var options = new RetryStrategyOptions<HttpResponseMessage>
                {
                    ShouldHandle = args => args.Outcome switch
                    {
                        { Exception: HttpRequestException } => PredicateResult.True(),
                        { Result.StatusCode: HttpStatusCode.TooManyRequests } => PredicateResult.True(),
                        _ => PredicateResult.False(),
                    },
                    DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta),
                    MaxRetryAttempts = int.MaxValue,
                };
                options.UseJitter = true;
                builder.AddTimeout(TimeSpan.FromSeconds(5)).AddRetry(options);
            }
        }
        """,
        """
        class D
        {
            void M(IServiceCollection services)
            {
                services.AddHttpClient("a").AddStandardResilienceHandler(o =>
                {
                    o.Retry.UseJitter = false;
                    o.Retry.ShouldRetryAfterHeader = false;
                    o.Retry.ShouldHandle = new PredicateBuilder<HttpResponseMessage>().HandleResult(r => !r.IsSuccessStatusCode);
                });
                services.AddHttpClient("b").AddResilienceHandler("r", p => p.AddRetry(new HttpRetryStrategyOptions { DelayGenerator = null }));
            }
        }
        """,
    };

    private static readonly string[] Unbindable =
    {
        "HttpResponseMessage", "TimeSpan", "StatusCode", "Handle", "HandleResult", "OrResult", "Outcome", "Result",
        "RetryAfter", "PredicateResult", "ValueTask", "Retry", "UseJitter", "DelayGenerator", "ShouldHandle", "AddRetry",
        "WaitAndRetryAsync", "Math", "HttpStatusCode", "=>", "?.", "new",
    };

    [Fact]
    public async Task Never_throws_on_partial_or_unbindable_code()
    {
        var variants = new List<string>();
        foreach (string sample in Samples)
        {
            for (int cut = 0; cut < sample.Length; cut += 23)
            {
                variants.Add(sample.Substring(0, cut));
            }

            foreach (string name in Unbindable)
            {
                variants.Add(sample.Replace(name, "Missing", StringComparison.Ordinal));
            }
        }

        var exceptions = new List<string>();
        foreach (string variant in variants)
        {
            var diagnostics = await AnalyzeAsync(PollyTestSupport.Usings + variant, exception => exceptions.Add(exception.ToString()));
            Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        }

        Assert.Empty(exceptions);
    }

    [Fact]
    public async Task Many_policies_in_one_type_are_all_analysed()
    {
        var code = new System.Text.StringBuilder("class Big\n{\n");
        for (int i = 0; i < 200; i++)
        {
            code.Append($$"""
                IAsyncPolicy<HttpResponseMessage> P{{i}}() => HttpPolicyExtensions.HandleTransientHttpError()
                    .OrResult(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync({{i % 7 + 1}}, a => TimeSpan.FromSeconds(Math.Pow(2, a)));
                void M{{i}}(ResiliencePipelineBuilder<HttpResponseMessage> b)
                {
                    var o = new RetryStrategyOptions<HttpResponseMessage> { BackoffType = DelayBackoffType.Exponential };
                    o.MaxRetryAttempts = {{i % 5 + 1}};
                    b.AddRetry(o);
                }

                """);
        }

        code.Append("}\n");
        var compilation = Compile(PollyTestSupport.Usings + code);
        compilation.GetDiagnostics();
        var analyzer = new RetryAnalyzer();
        var withAnalyzers = compilation.WithAnalyzers(
            ImmutableArray.Create<DiagnosticAnalyzer>(analyzer),
            new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: false));
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();

        // 200 v7 policies (RG0001 + RG0003 each) and 200 v8 option objects (RG0001 each). Speed is measured in
        // bench/RetryGuard.Benchmarks, not asserted here.
        Assert.Equal(600, diagnostics.Count(d => d.Id.StartsWith("RG", StringComparison.Ordinal)));
    }

    [Fact]
    public void No_polly_reference_means_no_registration()
    {
        var compilation = CSharpCompilation.Create(
            "NoPolly",
            new[] { CSharpSyntaxTree.ParseText("class Policy { }") },
            TestReferences.Net100);
        Assert.Null(KnownPollySymbols.TryCreate(compilation));
    }

    private static CSharpCompilation Compile(string source) => CSharpCompilation.Create(
        "Robustness",
        new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest)) },
        TestReferences.Net100.AddRange(TestReferences.Polly).Add(TestReferences.Runtime),
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source, Action<Exception> onException)
    {
        var compilation = Compile(source);
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            (exception, analyzer, diagnostic) => onException(exception),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new RetryAnalyzer()), options);
        return await withAnalyzers.GetAnalyzerDiagnosticsAsync();
    }
}
