using RetryGuard.CodeFixes.Polly;

namespace RetryGuard.Analyzers.Tests.Polly;

/// <summary>RG0002's Polly fix: predicates narrowed with HttpStatusPolicy.IsRetryable, other conditions kept.</summary>
public class PollyRG0002CodeFixTests
{
    private static Task Fix(string code, string fixedCode) =>
        PollyFixVerify.Fix<RG0002NonRetryablePollyCodeFix>(code, fixedCode, "RG0002", RG0002NonRetryablePollyCodeFix.EquivalenceKey);

    private static Task NoFix(string code) => PollyFixVerify.NoFix<RG0002NonRetryablePollyCodeFix>(code, "RG0002");

    [Fact]
    public Task V7_handle_result_not_success() => Fix("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>({|RG0002:r => !r.IsSuccessStatusCode|})
                    .WaitAndRetryAsync(3, attempt => TimeSpan.FromSeconds(attempt));
        }
        """, """
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => !r.IsSuccessStatusCode && RetryGuard.HttpStatusPolicy.IsRetryable(r.StatusCode))
                    .WaitAndRetryAsync(3, attempt => TimeSpan.FromSeconds(attempt));
        }
        """);

    [Fact]
    public Task V7_or_result_with_a_comparison_is_parenthesized_when_needed() => Fix("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy<HttpResponseMessage>.Handle<HttpRequestException>()
                    .OrResult({|RG0002:r => (int)r.StatusCode >= 400|})
                    .RetryAsync(2);

            IAsyncPolicy<HttpResponseMessage> Q() =>
                Policy.HandleResult<HttpResponseMessage>({|RG0002:r => r.StatusCode == HttpStatusCode.BadRequest || (int)r.StatusCode >= 500|})
                    .RetryAsync(2);
        }
        """, """
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy<HttpResponseMessage>.Handle<HttpRequestException>()
                    .OrResult(r => (int)r.StatusCode >= 400 && RetryGuard.HttpStatusPolicy.IsRetryable(r.StatusCode))
                    .RetryAsync(2);

            IAsyncPolicy<HttpResponseMessage> Q() =>
                Policy.HandleResult<HttpResponseMessage>(r => (r.StatusCode == HttpStatusCode.BadRequest || (int)r.StatusCode >= 500) && RetryGuard.HttpStatusPolicy.IsRetryable(r.StatusCode))
                    .RetryAsync(2);
        }
        """);

    [Fact]
    public Task V7_exception_filter_keeps_failures_without_a_status() => Fix("""
        class C
        {
            ISyncPolicy P() => Policy.Handle<HttpRequestException>({|RG0002:ex => ex.StatusCode != HttpStatusCode.NotFound|})
                .WaitAndRetry(3, attempt => TimeSpan.FromSeconds(attempt));
        }
        """, """
        class C
        {
            ISyncPolicy P() => Policy.Handle<HttpRequestException>(ex => ex.StatusCode != HttpStatusCode.NotFound && (ex.StatusCode == null || RetryGuard.HttpStatusPolicy.IsRetryable(ex.StatusCode.Value)))
                .WaitAndRetry(3, attempt => TimeSpan.FromSeconds(attempt));
        }
        """);

    [Fact]
    public Task V8_predicate_builder_and_should_handle_lambda() => Fix("""
        class C
        {
            void M(ResiliencePipelineBuilder<HttpResponseMessage> builder) =>
                builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                        .Handle<HttpRequestException>()
                        .HandleResult({|RG0002:r => r.StatusCode == HttpStatusCode.UnprocessableEntity|}),
                    UseJitter = true,
                });

            void N(IServiceCollection services) =>
                services.AddHttpClient("llm").AddResilienceHandler("retry", pipeline =>
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        ShouldHandle = {|RG0002:args => new ValueTask<bool>(!args.Outcome.Result!.IsSuccessStatusCode)|},
                    }));
        }
        """, """
        class C
        {
            void M(ResiliencePipelineBuilder<HttpResponseMessage> builder) =>
                builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                        .Handle<HttpRequestException>()
                        .HandleResult(r => r.StatusCode == HttpStatusCode.UnprocessableEntity && RetryGuard.HttpStatusPolicy.IsRetryable(r.StatusCode)),
                    UseJitter = true,
                });

            void N(IServiceCollection services) =>
                services.AddHttpClient("llm").AddResilienceHandler("retry", pipeline =>
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        ShouldHandle = args => new ValueTask<bool>(!args.Outcome.Result!.IsSuccessStatusCode && (args.Outcome.Result?.StatusCode == null || RetryGuard.HttpStatusPolicy.IsRetryable(args.Outcome.Result.StatusCode))),
                    }));
        }
        """);

    [Fact]
    public Task Without_the_contrib_using_the_runtime_namespace_is_imported() => PollyFixVerify.Fix<RG0002NonRetryablePollyCodeFix>("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>({|RG0002:r => !r.IsSuccessStatusCode|})
                    .WaitAndRetryAsync(3, attempt => TimeSpan.FromSeconds(attempt));
        }
        """, """
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => !r.IsSuccessStatusCode && HttpStatusPolicy.IsRetryable(r.StatusCode))
                    .WaitAndRetryAsync(3, attempt => TimeSpan.FromSeconds(attempt));
        }
        """, "RG0002", RG0002NonRetryablePollyCodeFix.EquivalenceKey,
        usings: PollyFixVerify.UsingsWithoutContrib,
        fixedUsings: PollyFixVerify.UsingsWithoutContrib.Replace("using Polly.Retry;\n", "using Polly.Retry;\nusing RetryGuard;\n"));

    [Fact]
    public Task Fix_all_across_documents() => PollyFixVerify.FixDocuments<RG0002NonRetryablePollyCodeFix>(
        new[]
        {
            ("/A.cs", """
                class A
                {
                    IAsyncPolicy<HttpResponseMessage> P() =>
                        Policy.HandleResult<HttpResponseMessage>({|RG0002:r => !r.IsSuccessStatusCode|}).RetryAsync(2);
                    IAsyncPolicy<HttpResponseMessage> Q() =>
                        HttpPolicyExtensions.HandleTransientHttpError().OrResult({|RG0002:msg => msg.StatusCode == HttpStatusCode.BadRequest|}).RetryAsync(2);
                }
                """),
            ("/B.cs", """
                class B
                {
                    ISyncPolicy P() => Policy.Handle<HttpRequestException>({|RG0002:ex => ex.StatusCode == HttpStatusCode.Unauthorized|}).Retry(3);
                }
                """),
        },
        new[]
        {
            ("/A.cs", """
                class A
                {
                    IAsyncPolicy<HttpResponseMessage> P() =>
                        Policy.HandleResult<HttpResponseMessage>(r => !r.IsSuccessStatusCode && RetryGuard.HttpStatusPolicy.IsRetryable(r.StatusCode)).RetryAsync(2);
                    IAsyncPolicy<HttpResponseMessage> Q() =>
                        HttpPolicyExtensions.HandleTransientHttpError().OrResult(msg => msg.StatusCode == HttpStatusCode.BadRequest && RetryGuard.HttpStatusPolicy.IsRetryable(msg.StatusCode)).RetryAsync(2);
                }
                """),
            ("/B.cs", """
                class B
                {
                    ISyncPolicy P() => Policy.Handle<HttpRequestException>(ex => ex.StatusCode == HttpStatusCode.Unauthorized && (ex.StatusCode == null || RetryGuard.HttpStatusPolicy.IsRetryable(ex.StatusCode.Value))).Retry(3);
                }
                """),
        },
        "RG0002");

    // ------------------------------------------------------------------------------------------------------ no fix

    [Fact]
    public Task Outcome_switch_has_no_fix() => NoFix("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = {|RG0002:args => args.Outcome switch
                {
                    { Exception: HttpRequestException } => PredicateResult.True(),
                    { Result.IsSuccessStatusCode: false } => PredicateResult.True(),
                    _ => PredicateResult.False(),
                }|},
            };
        }
        """);

    [Fact]
    public Task Pattern_over_the_outcome_that_reads_the_exception_has_no_fix() => NoFix("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = {|RG0002:args => ValueTask.FromResult(args.Outcome.Exception is HttpRequestException || args.Outcome.Result?.StatusCode == HttpStatusCode.Forbidden)|},
            };
        }
        """);

    [Fact]
    public Task Method_group_predicate_has_no_fix() => NoFix("""
        class C
        {
            static bool Failed(HttpResponseMessage r) => !r.IsSuccessStatusCode;

            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>({|RG0002:Failed|}).RetryAsync(2);
        }
        """);

    [Fact]
    public Task Discarded_parameter_has_no_fix() => NoFix("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>({|RG0002:_ => true|}).RetryAsync(2);
        }
        """);
}
