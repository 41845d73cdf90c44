using RetryGuard.CodeFixes;
using RetryGuard.CodeFixes.Polly;
using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests.Polly;

/// <summary>RG0001's Polly / MEHR fix: UseJitter, Contrib jitter helpers, jittered providers and generators.</summary>
public class PollyRG0001CodeFixTests
{
    private static Task Fix(string code, string fixedCode, bool outsideTrigger = false) =>
        PollyFixVerify.Fix<RG0001NoJitterPollyCodeFix>(code, fixedCode, "RG0001", RG0001NoJitterPollyCodeFix.EquivalenceKey, outsideTrigger: outsideTrigger);

    private static Task NoFix(string code) => PollyFixVerify.NoFix<RG0001NoJitterPollyCodeFix>(code, "RG0001");

    // ------------------------------------------------------------------------------------------------- v8 / MEHR

    [Fact]
    public Task V8_use_jitter_added_to_the_initializer() => Fix("""
        class C
        {
            ResiliencePipeline<HttpResponseMessage> Build() =>
                new ResiliencePipelineBuilder<HttpResponseMessage>()
                    .AddRetry({|RG0001:new RetryStrategyOptions<HttpResponseMessage>|}
                    {
                        ShouldHandle = new PredicateBuilder<HttpResponseMessage>().Handle<HttpRequestException>(),
                        BackoffType = DelayBackoffType.Exponential,
                        MaxRetryAttempts = 5,
                        Delay = TimeSpan.FromSeconds(1),
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
                        ShouldHandle = new PredicateBuilder<HttpResponseMessage>().Handle<HttpRequestException>(),
                        BackoffType = DelayBackoffType.Exponential,
                        MaxRetryAttempts = 5,
                        Delay = TimeSpan.FromSeconds(1),
                        UseJitter = true,
                    })
                    .Build();
        }
        """);

    [Fact]
    public Task V8_use_jitter_added_to_a_one_line_initializer_without_trailing_comma() => Fix("""
        class C
        {
            void M(ResiliencePipelineBuilder builder) =>
                builder.AddRetry({|RG0001:new RetryStrategyOptions|} { BackoffType = DelayBackoffType.Linear, MaxRetryAttempts = 2 });
        }
        """, """
        class C
        {
            void M(ResiliencePipelineBuilder builder) =>
                builder.AddRetry(new RetryStrategyOptions { BackoffType = DelayBackoffType.Linear, MaxRetryAttempts = 2, UseJitter = true });
        }
        """);

    [Fact]
    public Task V8_default_options_get_an_initializer() => Fix("""
        class C
        {
            void M(ResiliencePipelineBuilder builder) => builder.AddRetry({|RG0001:new RetryStrategyOptions()|});
            object O() => {|RG0001:new RetryStrategyOptions<HttpResponseMessage>()|};
        }
        """, """
        class C
        {
            void M(ResiliencePipelineBuilder builder) => builder.AddRetry(new RetryStrategyOptions { UseJitter = true });
            object O() => new RetryStrategyOptions<HttpResponseMessage> { UseJitter = true };
        }
        """);

    [Fact]
    public Task V8_target_typed_new_keeps_its_parentheses() => Fix("""
        class C
        {
            static RetryStrategyOptions<HttpResponseMessage> CreateRetryOptions() => {|RG0001:new()|}
            {
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(500)
            };
        }
        """, """
        class C
        {
            static RetryStrategyOptions<HttpResponseMessage> CreateRetryOptions() => new()
            {
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(500),
                UseJitter = true
            };
        }
        """);

    [Fact]
    public Task V8_use_jitter_false_becomes_true() => Fix("""
        class C
        {
            void M(ResiliencePipelineBuilder builder) =>
                builder.AddRetry(new RetryStrategyOptions { BackoffType = DelayBackoffType.Linear, {|RG0001:UseJitter = false|} });
        }
        """, """
        class C
        {
            void M(ResiliencePipelineBuilder builder) =>
                builder.AddRetry(new RetryStrategyOptions { BackoffType = DelayBackoffType.Linear, UseJitter = true });
        }
        """);

    [Fact]
    public Task V8_use_jitter_false_in_a_statement_on_the_local() => Fix("""
        class C
        {
            void M(ResiliencePipelineBuilder builder)
            {
                var options = new RetryStrategyOptions { BackoffType = DelayBackoffType.Exponential };
                {|RG0001:options.UseJitter = false|};
                builder.AddRetry(options);
            }
        }
        """, """
        class C
        {
            void M(ResiliencePipelineBuilder builder)
            {
                var options = new RetryStrategyOptions { BackoffType = DelayBackoffType.Exponential };
                options.UseJitter = true;
                builder.AddRetry(options);
            }
        }
        """, outsideTrigger: true);

    [Fact]
    public Task Mehr_standard_handler_jitter_back_on() => Fix("""
        class C
        {
            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o => {|RG0001:o.Retry.UseJitter = false|});
        }
        """, """
        class C
        {
            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o => o.Retry.UseJitter = true);
        }
        """);

    [Fact]
    public Task Mehr_http_retry_options_jitter_back_on() => Fix("""
        class C
        {
            void M(IServiceCollection services) =>
                services.AddHttpClient("llm").AddResilienceHandler("retry", pipeline =>
                    pipeline.AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = 4, {|RG0001:UseJitter = false|} }));
        }
        """, """
        class C
        {
            void M(IServiceCollection services) =>
                services.AddHttpClient("llm").AddResilienceHandler("retry", pipeline =>
                    pipeline.AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = 4 }));
        }
        """);

    [Fact]
    public Task Mehr_standard_handler_jitter_switch_off_statement_is_removed() => Fix("""
        class C
        {
            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(options =>
            {
                options.Retry.MaxRetryAttempts = 4;
                {|RG0001:options.Retry.UseJitter = false|};
            });
        }
        """, """
        class C
        {
            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(options =>
            {
                options.Retry.MaxRetryAttempts = 4;
            });
        }
        """);

    [Fact]
    public Task V8_deterministic_delay_generator_is_wrapped() => Fix("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = {|RG0001:args => new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(Math.Pow(2, args.AttemptNumber)))|},
            };
        }
        """, """
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = args => new ValueTask<TimeSpan?>(RetryGuard.Backoff.WithJitter(TimeSpan.FromSeconds(Math.Pow(2, args.AttemptNumber)))),
            };
        }
        """);

    [Fact]
    public Task Without_the_contrib_using_the_runtime_namespace_is_imported() => PollyFixVerify.Fix<RG0001NoJitterPollyCodeFix>("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .WaitAndRetryAsync(3, {|RG0001:attempt => TimeSpan.FromMilliseconds(200 * attempt)|});
        }
        """, """
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .WaitAndRetryAsync(3, attempt => Backoff.WithJitter(TimeSpan.FromMilliseconds(200 * attempt)));
        }
        """, "RG0001", RG0001NoJitterPollyCodeFix.EquivalenceKey, usings: PollyFixVerify.UsingsWithoutContrib,
        fixedUsings: PollyFixVerify.UsingsWithoutContrib.Replace("using Polly.Retry;\n", "using Polly.Retry;\nusing RetryGuard;\n"));

    [Fact]
    public Task Fixed_fallback_beside_retry_after_is_jittered() => Fix("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta is { } delta
                    ? TimeSpan.FromSeconds(Math.Min(delta.TotalSeconds, 60))
                    : {|RG0001:TimeSpan.FromSeconds(2)|}),
            };

            ISyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetry(3,
                        (attempt, outcome, context) => outcome.Result?.Headers.RetryAfter?.Delta is { } d && d < TimeSpan.FromSeconds(30) ? d : {|RG0001:TimeSpan.FromSeconds(1)|},
                        (outcome, delay, attempt, context) => { });
        }
        """, """
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta is { } delta
                    ? TimeSpan.FromSeconds(Math.Min(delta.TotalSeconds, 60))
                    : RetryGuard.Backoff.WithJitter(TimeSpan.FromSeconds(2))),
            };

            ISyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetry(3,
                        (attempt, outcome, context) => outcome.Result?.Headers.RetryAfter?.Delta is { } d && d < TimeSpan.FromSeconds(30) ? d : RetryGuard.Backoff.WithJitter(TimeSpan.FromSeconds(1)),
                        (outcome, delay, attempt, context) => { });
        }
        """);

    [Fact]
    public Task Loop_fix_offers_nothing_on_a_generator_fallback() => PollyFixVerify.NoFix<RG0001NoJitterLoopFix>("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta is { } delta
                    ? TimeSpan.FromSeconds(Math.Min(delta.TotalSeconds, 60))
                    : {|RG0001:TimeSpan.FromSeconds(2)|}),
            };
        }
        """, "RG0001");

    // ---------------------------------------------------------------------------------------------------- v7 / Contrib

    [Fact]
    public Task V7_exponential_provider_becomes_decorrelated_jitter_with_contrib() => Fix("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> GetRetryPolicy() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .WaitAndRetryAsync(6, {|RG0001:retryAttempt => TimeSpan.FromSeconds(Math.Pow(2, retryAttempt))|});
        }
        """, """
        class C
        {
            IAsyncPolicy<HttpResponseMessage> GetRetryPolicy() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .WaitAndRetryAsync(Backoff.DecorrelatedJitterBackoffV2(medianFirstRetryDelay: TimeSpan.FromSeconds(Math.Pow(2, 1)), retryCount: 6));
        }
        """);

    [Fact]
    public Task V7_exponential_provider_with_on_retry_keeps_the_callback() => Fix("""
        class C
        {
            ISyncPolicy P() => Policy.Handle<HttpRequestException>()
                .WaitAndRetry(3, {|RG0001:n => TimeSpan.FromMilliseconds(100 * Math.Pow(2, n))|}, (exception, delay) => Console.WriteLine(delay));
        }
        """, """
        class C
        {
            ISyncPolicy P() => Policy.Handle<HttpRequestException>()
                .WaitAndRetry(Backoff.DecorrelatedJitterBackoffV2(medianFirstRetryDelay: TimeSpan.FromMilliseconds(100 * Math.Pow(2, 1)), retryCount: 3), (exception, delay) => Console.WriteLine(delay));
        }
        """);

    [Fact]
    public Task V7_linear_provider_is_wrapped_in_with_jitter() => Fix("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .WaitAndRetryAsync(3, {|RG0001:attempt => TimeSpan.FromMilliseconds(200 * attempt)|});
        }
        """, """
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .WaitAndRetryAsync(3, attempt => RetryGuard.Backoff.WithJitter(TimeSpan.FromMilliseconds(200 * attempt)));
        }
        """);

    [Fact]
    public Task V7_capped_exponential_forever_provider_is_wrapped() => Fix("""
        class C
        {
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryForeverAsync({|RG0001:attempt =>
                {
                    var seconds = Math.Min(30, Math.Pow(2, attempt));
                    return TimeSpan.FromSeconds(seconds);
                }|});
        }
        """, """
        class C
        {
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryForeverAsync(attempt =>
                {
                    var seconds = Math.Min(30, Math.Pow(2, attempt));
                    return RetryGuard.Backoff.WithJitter(TimeSpan.FromSeconds(seconds));
                });
        }
        """);

    [Fact]
    public Task V7_method_group_provider_is_wrapped_in_a_lambda() => Fix("""
        class C
        {
            static TimeSpan Delay(int attempt) => TimeSpan.FromSeconds(Math.Min(30, attempt * 2));
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>().WaitAndRetryForeverAsync({|RG0001:Delay|});
        }
        """, """
        class C
        {
            static TimeSpan Delay(int attempt) => TimeSpan.FromSeconds(Math.Min(30, attempt * 2));
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>().WaitAndRetryForeverAsync(attempt => RetryGuard.Backoff.WithJitter(Delay(attempt)));
        }
        """);

    [Fact]
    public Task V7_contrib_exponential_backoff_becomes_decorrelated_jitter() => Fix("""
        class C
        {
            IAsyncPolicy P()
            {
                var delays = {|RG0001:Backoff.ExponentialBackoff(TimeSpan.FromMilliseconds(100), retryCount: 5)|};
                return Policy.Handle<HttpRequestException>().WaitAndRetryAsync(delays);
            }

            IAsyncPolicy Q() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync({|RG0001:Backoff.ExponentialBackoff(initialDelay: TimeSpan.FromSeconds(1), retryCount: 4, factor: 2, fastFirst: true)|});

            IAsyncPolicy R() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync({|RG0001:Backoff.ExponentialBackoff(TimeSpan.FromSeconds(1), 4, 2.0, true)|});
        }
        """, """
        class C
        {
            IAsyncPolicy P()
            {
                var delays = Backoff.DecorrelatedJitterBackoffV2(TimeSpan.FromMilliseconds(100), retryCount: 5);
                return Policy.Handle<HttpRequestException>().WaitAndRetryAsync(delays);
            }

            IAsyncPolicy Q() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync(Backoff.DecorrelatedJitterBackoffV2(medianFirstRetryDelay: TimeSpan.FromSeconds(1), retryCount: 4, fastFirst: true));

            IAsyncPolicy R() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync(Backoff.DecorrelatedJitterBackoffV2(TimeSpan.FromSeconds(1), 4, fastFirst: true));
        }
        """, outsideTrigger: true);

    [Fact]
    public Task V7_fixed_seed_is_removed() => Fix("""
        class C
        {
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync({|RG0001:Backoff.DecorrelatedJitterBackoffV2(TimeSpan.FromSeconds(1), 5, seed: 100)|});
            IAsyncPolicy Q() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync({|RG0001:Backoff.DecorrelatedJitterBackoffV2(TimeSpan.FromSeconds(1), 5, 7, true)|});
        }
        """, """
        class C
        {
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync(Backoff.DecorrelatedJitterBackoffV2(TimeSpan.FromSeconds(1), 5));
            IAsyncPolicy Q() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync(Backoff.DecorrelatedJitterBackoffV2(TimeSpan.FromSeconds(1), 5, fastFirst: true));
        }
        """);

    // ------------------------------------------------------------------------------------------------------ Fix All

    [Fact]
    public Task Fix_all_in_one_document() => Fix("""
        class C
        {
            void A(ResiliencePipelineBuilder builder) => builder.AddRetry({|RG0001:new RetryStrategyOptions()|});
            void B(ResiliencePipelineBuilder builder) => builder.AddRetry(new RetryStrategyOptions { {|RG0001:UseJitter = false|} });
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>().WaitAndRetryAsync(3, {|RG0001:attempt => TimeSpan.FromSeconds(attempt)|});
            IAsyncPolicy Q() => Policy.Handle<HttpRequestException>().WaitAndRetryAsync(2, {|RG0001:attempt => TimeSpan.FromSeconds(attempt + 1)|});
        }
        """, """
        class C
        {
            void A(ResiliencePipelineBuilder builder) => builder.AddRetry(new RetryStrategyOptions { UseJitter = true });
            void B(ResiliencePipelineBuilder builder) => builder.AddRetry(new RetryStrategyOptions { UseJitter = true });
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>().WaitAndRetryAsync(3, attempt => RetryGuard.Backoff.WithJitter(TimeSpan.FromSeconds(attempt)));
            IAsyncPolicy Q() => Policy.Handle<HttpRequestException>().WaitAndRetryAsync(2, attempt => RetryGuard.Backoff.WithJitter(TimeSpan.FromSeconds(attempt + 1)));
        }
        """);

    [Fact]
    public Task Fix_all_across_documents() => PollyFixVerify.FixDocuments<RG0001NoJitterPollyCodeFix>(
        new[]
        {
            ("/A.cs", """
                class A
                {
                    void M(ResiliencePipelineBuilder builder) => builder.AddRetry({|RG0001:new RetryStrategyOptions()|});
                }
                """),
            ("/B.cs", """
                class B
                {
                    void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o => {|RG0001:o.Retry.UseJitter = false|});
                    void N(ResiliencePipelineBuilder builder) => builder.AddRetry(new RetryStrategyOptions { {|RG0001:UseJitter = false|} });
                }
                """),
        },
        new[]
        {
            ("/A.cs", """
                class A
                {
                    void M(ResiliencePipelineBuilder builder) => builder.AddRetry(new RetryStrategyOptions { UseJitter = true });
                }
                """),
            ("/B.cs", """
                class B
                {
                    void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o => o.Retry.UseJitter = true);
                    void N(ResiliencePipelineBuilder builder) => builder.AddRetry(new RetryStrategyOptions { UseJitter = true });
                }
                """),
        },
        "RG0001");

    // ------------------------------------------------------------------------------------------------------ no fix

    [Fact]
    public Task Fixed_durations_array_has_no_fix() => NoFix("""
        class C
        {
            ISyncPolicy P() => Policy.Handle<HttpRequestException>()
                .WaitAndRetry({|RG0001:new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4) }|});
        }
        """);

    [Fact]
    public Task Contrib_constant_and_linear_backoff_have_no_fix() => NoFix("""
        class C
        {
            IAsyncPolicy A() => Policy.Handle<HttpRequestException>().WaitAndRetryAsync({|RG0001:Backoff.ConstantBackoff(TimeSpan.FromSeconds(1), 3)|});
            IAsyncPolicy B() => Policy.Handle<HttpRequestException>().WaitAndRetryAsync({|RG0001:Backoff.LinearBackoff(TimeSpan.FromSeconds(1), 3)|});
        }
        """);

    [Fact]
    public Task Contrib_exponential_with_another_factor_has_no_fix() => NoFix("""
        class C
        {
            IAsyncPolicy A() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync({|RG0001:Backoff.ExponentialBackoff(TimeSpan.FromSeconds(1), 3, factor: 3)|});
        }
        """);

    [Fact]
    public Task Loop_fix_offers_nothing_on_polly_diagnostics() => PollyFixVerify.NoFix<RG0001NoJitterLoopFix>("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .WaitAndRetryAsync(6, {|RG0001:retryAttempt => TimeSpan.FromSeconds(Math.Pow(2, retryAttempt))|});
            IAsyncPolicy Q() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync({|RG0001:Backoff.ExponentialBackoff(TimeSpan.FromMilliseconds(100), retryCount: 5)|});
            void M(ResiliencePipelineBuilder builder) => builder.AddRetry({|RG0001:new RetryStrategyOptions()|});
        }
        """, "RG0001");
}
