using RetryGuard.CodeFixes.Polly;

namespace RetryGuard.Analyzers.Tests.Polly;

/// <summary>RG0003's Polly / MEHR fix: a Retry-After DelayGenerator, Retry-After first in providers, MEHR's default back.</summary>
public class PollyRG0003CodeFixTests
{
    private static Task Fix(string code, string fixedCode, bool outsideTrigger = false) =>
        PollyFixVerify.Fix<RG0003RetryAfterPollyCodeFix>(code, fixedCode, "RG0003", RG0003RetryAfterPollyCodeFix.EquivalenceKey, outsideTrigger: outsideTrigger);

    private static Task NoFix(string code) => PollyFixVerify.NoFix<RG0003RetryAfterPollyCodeFix>(code, "RG0003");

    [Fact]
    public Task V8_options_get_a_retry_after_delay_generator() => Fix("""
        class C
        {
            ResiliencePipeline<HttpResponseMessage> Build() =>
                new ResiliencePipelineBuilder<HttpResponseMessage>()
                    .AddRetry({|RG0003:new RetryStrategyOptions<HttpResponseMessage>|}
                    {
                        ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                            .HandleResult(r => r.StatusCode == HttpStatusCode.TooManyRequests),
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                    })
                    .Build();
        }
        """, """
        class C
        {
            ResiliencePipeline<HttpResponseMessage> Build() =>
                new ResiliencePipelineBuilder<HttpResponseMessage>()
                    .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                    {
                        ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                            .HandleResult(r => r.StatusCode == HttpStatusCode.TooManyRequests),
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result is HttpResponseMessage response && RetryGuard.RetryAfter.GetDelay(response) is TimeSpan retryAfter && retryAfter <= TimeSpan.FromSeconds(120) ? retryAfter : (TimeSpan?)null),
                    })
                    .Build();
        }
        """);

    [Fact]
    public Task V8_options_on_a_local_with_jitter_off_get_the_generator_in_their_initializer() => Fix("""
        class C
        {
            void M(ResiliencePipelineBuilder<HttpResponseMessage> builder, string args)
            {
                var options = new RetryStrategyOptions<HttpResponseMessage>();
                options.ShouldHandle = a => a.Outcome switch
                {
                    { Result.StatusCode: HttpStatusCode.TooManyRequests } => PredicateResult.True(),
                    { Exception: HttpRequestException } => PredicateResult.True(),
                    _ => PredicateResult.False(),
                };
                {|RG0003:options.UseJitter = false|};
                builder.AddRetry(options);
            }
        }
        """, """
        class C
        {
            void M(ResiliencePipelineBuilder<HttpResponseMessage> builder, string args)
            {
                var options = new RetryStrategyOptions<HttpResponseMessage> { DelayGenerator = args2 => new ValueTask<TimeSpan?>(args2.Outcome.Result is HttpResponseMessage response && RetryGuard.RetryAfter.GetDelay(response) is TimeSpan retryAfter && retryAfter <= TimeSpan.FromSeconds(120) ? retryAfter : (TimeSpan?)null) };
                options.ShouldHandle = a => a.Outcome switch
                {
                    { Result.StatusCode: HttpStatusCode.TooManyRequests } => PredicateResult.True(),
                    { Exception: HttpRequestException } => PredicateResult.True(),
                    _ => PredicateResult.False(),
                };
                options.UseJitter = false;
                builder.AddRetry(options);
            }
        }
        """, outsideTrigger: true);

    [Fact]
    public Task V8_generator_that_ignores_retry_after_keeps_its_delay_as_the_fallback() => Fix("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests),
                DelayGenerator = {|RG0003:args => new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(args.AttemptNumber * 2))|},
            };
        }
        """, """
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests),
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result is HttpResponseMessage response && RetryGuard.RetryAfter.GetDelay(response) is TimeSpan retryAfter && retryAfter <= TimeSpan.FromSeconds(120) ? retryAfter : TimeSpan.FromSeconds(args.AttemptNumber * 2)),
            };
        }
        """);

    [Fact]
    public Task V7_outcome_aware_provider_reads_retry_after_first() => Fix("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync(3,
                        sleepDurationProvider: {|RG0003:(attempt, outcome, context) => TimeSpan.FromSeconds(attempt * 2)|},
                        onRetryAsync: (outcome, delay, attempt, context) => Task.CompletedTask);
        }
        """, """
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync(3,
                        sleepDurationProvider: (attempt, outcome, context) => outcome.Result is HttpResponseMessage response && RetryGuard.RetryAfter.GetDelay(response) is TimeSpan retryAfter && retryAfter <= TimeSpan.FromSeconds(120) ? retryAfter : TimeSpan.FromSeconds(attempt * 2),
                        onRetryAsync: (outcome, delay, attempt, context) => Task.CompletedTask);
        }
        """);

    [Fact]
    public Task Mehr_retry_after_switch_off_is_removed() => Fix("""
        class C
        {
            void M(IServiceCollection services) =>
                services.AddHttpClient("llm").AddResilienceHandler("retry", pipeline =>
                    pipeline.AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = 4, {|RG0003:ShouldRetryAfterHeader = false|} }));

            object O() => {|RG0003:new HttpRetryStrategyOptions()|} { DelayGenerator = null };
        }
        """, """
        class C
        {
            void M(IServiceCollection services) =>
                services.AddHttpClient("llm").AddResilienceHandler("retry", pipeline =>
                    pipeline.AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = 4 }));

            object O() => new HttpRetryStrategyOptions() { };
        }
        """);

    [Fact]
    public Task Mehr_in_a_standalone_pipeline_gets_a_capped_generator_instead_of_its_own_uncapped_wait() => Fix("""
        class C
        {
            ResiliencePipeline<HttpResponseMessage> P() =>
                new ResiliencePipelineBuilder<HttpResponseMessage>()
                    .AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = 4, {|RG0003:ShouldRetryAfterHeader = false|} })
                    .Build();
        }
        """, """
        class C
        {
            ResiliencePipeline<HttpResponseMessage> P() =>
                new ResiliencePipelineBuilder<HttpResponseMessage>()
                    .AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = 4, DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result is HttpResponseMessage response && RetryGuard.RetryAfter.GetDelay(response) is TimeSpan retryAfter && retryAfter <= TimeSpan.FromSeconds(120) ? retryAfter : (TimeSpan?)null) })
                    .Build();
        }
        """);

    [Fact]
    public Task Mehr_in_a_standalone_pipeline_with_an_outer_timeout_keeps_its_own_wait() => Fix("""
        class C
        {
            ResiliencePipeline<HttpResponseMessage> P() =>
                new ResiliencePipelineBuilder<HttpResponseMessage>()
                    .AddTimeout(TimeSpan.FromSeconds(30))
                    .AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = 4, {|RG0003:ShouldRetryAfterHeader = false|} })
                    .Build();
        }
        """, """
        class C
        {
            ResiliencePipeline<HttpResponseMessage> P() =>
                new ResiliencePipelineBuilder<HttpResponseMessage>()
                    .AddTimeout(TimeSpan.FromSeconds(30))
                    .AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = 4 })
                    .Build();
        }
        """);

    [Fact]
    public Task Mehr_standard_handler_statement_is_removed_or_set_true() => Fix("""
        class C
        {
            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o =>
            {
                o.Retry.MaxRetryAttempts = 5;
                {|RG0003:o.Retry.ShouldRetryAfterHeader = false|};
            });

            void N(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o => {|RG0003:o.Retry.ShouldRetryAfterHeader = false|});
        }
        """, """
        class C
        {
            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o =>
            {
                o.Retry.MaxRetryAttempts = 5;
            });

            void N(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o => o.Retry.ShouldRetryAfterHeader = true);
        }
        """);

    [Fact]
    public Task Fix_all_across_documents() => PollyFixVerify.FixDocuments<RG0003RetryAfterPollyCodeFix>(
        new[]
        {
            ("/A.cs", """
                class A
                {
                    static readonly PredicateBuilder<HttpResponseMessage> TooMany =
                        new PredicateBuilder<HttpResponseMessage>().HandleResult(r => r.StatusCode == HttpStatusCode.TooManyRequests);

                    object O() => {|RG0003:new RetryStrategyOptions<HttpResponseMessage>()|} { ShouldHandle = TooMany };
                    object P() => new HttpRetryStrategyOptions { {|RG0003:ShouldRetryAfterHeader = false|} };
                }
                """),
            ("/B.cs", """
                class B
                {
                    object O() => new RetryStrategyOptions<HttpResponseMessage>
                    {
                        ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests),
                        {|RG0003:UseJitter = false|},
                    };
                }
                """),
        },
        new[]
        {
            ("/A.cs", """
                class A
                {
                    static readonly PredicateBuilder<HttpResponseMessage> TooMany =
                        new PredicateBuilder<HttpResponseMessage>().HandleResult(r => r.StatusCode == HttpStatusCode.TooManyRequests);

                    object O() => new RetryStrategyOptions<HttpResponseMessage>() { ShouldHandle = TooMany, DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result is HttpResponseMessage response && RetryGuard.RetryAfter.GetDelay(response) is TimeSpan retryAfter && retryAfter <= TimeSpan.FromSeconds(120) ? retryAfter : (TimeSpan?)null) };
                    object P() => new HttpRetryStrategyOptions { };
                }
                """),
            ("/B.cs", """
                class B
                {
                    object O() => new RetryStrategyOptions<HttpResponseMessage>
                    {
                        ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests),
                        UseJitter = false,
                        DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result is HttpResponseMessage response && RetryGuard.RetryAfter.GetDelay(response) is TimeSpan retryAfter && retryAfter <= TimeSpan.FromSeconds(120) ? retryAfter : (TimeSpan?)null),
                    };
                }
                """),
        },
        "RG0003");

    // ------------------------------------------------------------------------------------------------------ no fix

    [Fact]
    public Task V7_provider_without_the_outcome_has_no_fix() => NoFix("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .OrResult(msg => msg.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync(6, {|RG0003:retryAttempt => TimeSpan.FromSeconds(Math.Pow(2, retryAttempt))|});
        }
        """);

    [Fact]
    public Task V7_fixed_durations_and_contrib_helpers_have_no_fix() => NoFix("""
        class C
        {
            ISyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
                    .WaitAndRetry({|RG0003:new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3) }|});
            IAsyncPolicy<HttpResponseMessage> Q() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync({|RG0003:Backoff.DecorrelatedJitterBackoffV2(TimeSpan.FromSeconds(1), 5)|});
        }
        """);

    [Fact]
    public Task Mehr_with_a_generator_of_its_own_has_no_fix_at_the_switch() => NoFix("""
        class C
        {
            object O() => new HttpRetryStrategyOptions
            {
                {|RG0003:ShouldRetryAfterHeader = false|},
                DelayGenerator = args => new ValueTask<TimeSpan?>((TimeSpan?)null),
            };
        }
        """);

    [Fact]
    public Task V8_generator_with_a_discarded_parameter_has_no_fix() => NoFix("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests),
                DelayGenerator = {|RG0003:_ => new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(2))|},
            };
        }
        """);

    [Fact]
    public Task V7_retry_without_a_wait_has_no_fix() => NoFix("""
        class C
        {
            ISyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests).{|RG0003:Retry|}(3);
        }
        """);

    [Fact]
    public Task Hand_written_fix_offers_nothing_on_a_v7_retry_without_a_wait() => PollyFixVerify.NoFix<RetryGuard.CodeFixes.RG0003IgnoresRetryAfterCodeFix>("""
        class C
        {
            ISyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests).{|RG0003:Retry|}(3);
        }
        """, "RG0003");
}
