using Microsoft.CodeAnalysis;
using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests.Polly;

/// <summary>RG0001 (no jitter) on Polly v7, Polly v8 and Microsoft.Extensions.Http.Resilience retries.</summary>
public class PollyRG0001Tests
{
    private static Task Check(string code) => PollyTestSupport.Verify(code, only: "RG0001");

    // ---------------------------------------------------------------------------------------------- positive

    [Fact]
    public Task V7_exponential_provider_from_the_docs() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> GetRetryPolicy() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .OrResult(msg => msg.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync(6, {|RG0001:retryAttempt => TimeSpan.FromSeconds(Math.Pow(2, retryAttempt))|});
        }
        """);

    [Fact]
    public Task V7_policy_added_to_http_client() => Check("""
        // Microsoft.Extensions.Http.Polly's AddPolicyHandler, declared here (that package is not referenced).
        static class PollyHttpClientBuilderExtensions
        {
            public static IHttpClientBuilder AddPolicyHandler(this IHttpClientBuilder builder, IAsyncPolicy<HttpResponseMessage> policy) => builder;
        }

        class Client { public Client(HttpClient http) { } }
        class Startup
        {
            void Configure(IServiceCollection services) =>
                services.AddHttpClient<Client>().AddPolicyHandler(GetRetryPolicy());

            static IAsyncPolicy<HttpResponseMessage> GetRetryPolicy() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .WaitAndRetryAsync(3, {|RG0001:attempt => TimeSpan.FromMilliseconds(200 * attempt)|});
        }
        """);

    [Fact]
    public Task V7_fixed_sleep_durations_array() => Check("""
        class C
        {
            ISyncPolicy P() => Policy.Handle<HttpRequestException>()
                .WaitAndRetry({|RG0001:new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4) }|});
        }
        """);

    [Fact]
    public Task V7_contrib_exponential_backoff_through_a_local() => Check("""
        class C
        {
            IAsyncPolicy P()
            {
                var delays = {|RG0001:Backoff.ExponentialBackoff(TimeSpan.FromMilliseconds(100), retryCount: 5)|};
                return Policy.Handle<HttpRequestException>().WaitAndRetryAsync(delays);
            }
        }
        """);

    [Fact]
    public Task V7_contrib_constant_and_linear_backoff() => Check("""
        class C
        {
            IAsyncPolicy A() => Policy.Handle<HttpRequestException>().WaitAndRetryAsync({|RG0001:Backoff.ConstantBackoff(TimeSpan.FromSeconds(1), 3)|});
            IAsyncPolicy B() => Policy.Handle<HttpRequestException>().WaitAndRetryAsync({|RG0001:Backoff.LinearBackoff(TimeSpan.FromSeconds(1), 3)|});
        }
        """);

    [Fact]
    public Task V7_jitter_helper_with_a_fixed_seed_gives_every_client_the_same_delays() => Check("""
        class C
        {
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync({|RG0001:Backoff.DecorrelatedJitterBackoffV2(TimeSpan.FromSeconds(1), 5, seed: 100)|});
        }
        """);

    [Fact]
    public Task V7_forever_with_a_method_group_provider() => Check("""
        class C
        {
            static TimeSpan Delay(int attempt) => TimeSpan.FromSeconds(Math.Min(30, attempt * 2));
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>().WaitAndRetryForeverAsync({|RG0001:Delay|});
        }
        """);

    [Fact]
    public Task V8_exponential_options_without_use_jitter() => Check("""
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
        """);

    [Fact]
    public Task V8_explicit_use_jitter_false() => Check("""
        class C
        {
            void M(ResiliencePipelineBuilder builder) =>
                builder.AddRetry(new RetryStrategyOptions { BackoffType = DelayBackoffType.Linear, {|RG0001:UseJitter = false|} });
        }
        """);

    [Fact]
    public Task V8_default_constant_backoff() => Check("""
        class C
        {
            void M(ResiliencePipelineBuilder builder) => builder.AddRetry({|RG0001:new RetryStrategyOptions()|});
        }
        """);

    [Fact]
    public Task V8_options_built_in_a_helper_method() => Check("""
        class C
        {
            static RetryStrategyOptions<HttpResponseMessage> CreateRetryOptions() => {|RG0001:new()|}
            {
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(500),
            };

            void M(ResiliencePipelineBuilder<HttpResponseMessage> builder) => builder.AddRetry(CreateRetryOptions());
        }
        """);

    [Fact]
    public Task V8_delay_generator_from_the_attempt_number() => Check("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = {|RG0001:args => new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(Math.Pow(2, args.AttemptNumber)))|},
            };
        }
        """);

    [Fact]
    public Task Mehr_standard_handler_with_jitter_off() => Check("""
        class C
        {
            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o => {|RG0001:o.Retry.UseJitter = false|});
        }
        """);

    [Fact]
    public Task Mehr_http_retry_options_with_jitter_off() => Check("""
        class C
        {
            void M(IServiceCollection services) =>
                services.AddHttpClient("llm").AddResilienceHandler("retry", pipeline =>
                    pipeline.AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = 4, {|RG0001:UseJitter = false|} }));
        }
        """);

    [Fact]
    public Task V8_generator_with_capped_retry_after_and_a_fixed_fallback() => Check("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta is { } delta
                    ? TimeSpan.FromSeconds(Math.Min(delta.TotalSeconds, 60))
                    : {|RG0001:TimeSpan.FromSeconds(2)|}),
            };

            object P() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = args =>
                {
                    if (args.Outcome.Result?.Headers.RetryAfter?.Delta is { } delta && delta <= TimeSpan.FromMinutes(1))
                    {
                        return new ValueTask<TimeSpan?>(delta);
                    }

                    return new ValueTask<TimeSpan?>({|RG0001:TimeSpan.FromMilliseconds(500)|});
                },
            };
        }
        """);

    [Fact]
    public Task V7_outcome_aware_provider_with_a_fixed_fallback() => Check("""
        class C
        {
            ISyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetry(3,
                        (attempt, outcome, context) => outcome.Result?.Headers.RetryAfter?.Delta is { } d && d < TimeSpan.FromSeconds(30) ? d : {|RG0001:TimeSpan.FromSeconds(1)|},
                        (outcome, delay, attempt, context) => { });
        }
        """);

    // ---------------------------------------------------------------------------------------------- negative

    [Fact]
    public Task Retry_after_fallbacks_that_are_jittered_null_zero_or_unseen() => Check("""
        class C
        {
            static TimeSpan Configured { get; set; } = TimeSpan.FromSeconds(3);

            object A() => new RetryStrategyOptions<HttpResponseMessage>
            {
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta is { } d && d <= TimeSpan.FromSeconds(60)
                    ? d
                    : TimeSpan.FromMilliseconds(Random.Shared.Next(100, 2000))),
                UseJitter = true,
            };

            object B() => new RetryStrategyOptions<HttpResponseMessage>
            {
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta is { } d && d <= TimeSpan.FromSeconds(60) ? d : null),
                UseJitter = true,
            };

            object D() => new RetryStrategyOptions<HttpResponseMessage>
            {
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta is { } d && d <= TimeSpan.FromSeconds(60) ? d : TimeSpan.Zero),
                UseJitter = true,
            };

            ISyncPolicy<HttpResponseMessage> E() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetry(3,
                        (attempt, outcome, context) => outcome.Result?.Headers.RetryAfter?.Delta is { } d && d < TimeSpan.FromSeconds(30) ? d : Configured,
                        (outcome, delay, attempt, context) => { });
        }
        """);

    [Fact]
    public Task V7_jittered_provider() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .WaitAndRetryAsync(3, attempt => TimeSpan.FromSeconds(Math.Pow(2, attempt)) + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 1000)));
        }
        """);

    [Fact]
    public Task V7_contrib_jitter_helpers() => Check("""
        class C
        {
            IAsyncPolicy A() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync(Backoff.DecorrelatedJitterBackoffV2(medianFirstRetryDelay: TimeSpan.FromSeconds(1), retryCount: 5));
            IAsyncPolicy B() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync(Backoff.AwsDecorrelatedJitterBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), 5));
        }
        """);

    [Fact]
    public Task V7_retry_without_wait() => Check("""
        class C
        {
            ISyncPolicy P() => Policy.Handle<HttpRequestException>().Retry(3);
        }
        """);

    [Fact]
    public Task V7_retry_count_zero_never_waits() => Check("""
        class C
        {
            IAsyncPolicy P(bool enabled) => Policy.Handle<HttpRequestException>().WaitAndRetryAsync(0, attempt => TimeSpan.FromSeconds(attempt));
        }
        """);

    [Fact]
    public Task V7_zero_sleep_is_an_immediate_retry() => Check("""
        class C
        {
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>().WaitAndRetryAsync(2, _ => TimeSpan.Zero);
        }
        """);

    [Fact]
    public Task V7_outcome_aware_provider_using_retry_after() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync(3,
                        sleepDurationProvider: (attempt, outcome, context) => outcome.Result.Headers.RetryAfter!.Delta!.Value,
                        onRetryAsync: (outcome, delay, attempt, context) => Task.CompletedTask);
        }
        """);

    [Fact]
    public Task V8_use_jitter_true() => Check("""
        class C
        {
            void M(ResiliencePipelineBuilder<HttpResponseMessage> builder) =>
                builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                });
        }
        """);

    [Fact]
    public Task V8_jitter_turned_on_after_creation() => Check("""
        class C
        {
            void M(ResiliencePipelineBuilder builder)
            {
                var options = new RetryStrategyOptions { BackoffType = DelayBackoffType.Exponential };
                options.UseJitter = true;
                builder.AddRetry(options);
            }
        }
        """);

    [Fact]
    public Task V8_options_object_passed_around_and_jittered_elsewhere() => Check("""
        class C
        {
            static RetryStrategyOptions Create() => new RetryStrategyOptions { BackoffType = DelayBackoffType.Exponential };

            void M(ResiliencePipelineBuilder builder)
            {
                var options = Create();
                Tune(options);
                builder.AddRetry(options);
            }

            static void Tune(RetryStrategyOptions options) => options.UseJitter = true;
        }
        """);

    [Fact]
    public Task V8_options_bound_from_configuration() => Check("""
        class C
        {
            void M(ResiliencePipelineBuilder builder, IConfiguration configuration)
            {
                var options = new RetryStrategyOptions();
                configuration.GetSection("Retry").Bind(options);
                builder.AddRetry(options);
            }
        }
        """);

    [Fact]
    public Task V8_options_from_a_helper_bound_by_the_caller() => Check("""
        class C
        {
            static RetryStrategyOptions Defaults() => new RetryStrategyOptions { BackoffType = DelayBackoffType.Exponential };

            void M(ResiliencePipelineBuilder builder, IConfiguration configuration)
            {
                var options = Defaults();
                configuration.Bind("Retry", options);
                builder.AddRetry(options);
            }
        }
        """);

    [Fact]
    public Task V8_jitter_only_sometimes_is_not_judged() => Check("""
        class C
        {
            void M(ResiliencePipelineBuilder builder, bool production)
            {
                var options = new RetryStrategyOptions { BackoffType = DelayBackoffType.Exponential };
                if (production)
                {
                    options.UseJitter = true;
                }

                builder.AddRetry(options);
            }
        }
        """);

    [Fact]
    public Task V8_zero_delay_has_nothing_to_jitter() => Check("""
        class C
        {
            void M(ResiliencePipelineBuilder builder) =>
                builder.AddRetry(new RetryStrategyOptions { Delay = TimeSpan.Zero, MaxRetryAttempts = 2 });
        }
        """);

    [Fact]
    public Task V8_429_only_with_a_retry_after_generator_has_no_backoff_to_jitter() => Check("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>().HandleResult(r => r.StatusCode == HttpStatusCode.TooManyRequests),
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    args.Outcome.Result?.Headers.RetryAfter?.Delta is { } delta ? TimeSpan.FromSeconds(Math.Min(delta.TotalSeconds, 60)) : null),
            };
        }
        """);

    [Fact]
    public Task V8_delay_generator_with_random() => Check("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                DelayGenerator = args => new ValueTask<TimeSpan?>(TimeSpan.FromMilliseconds(Random.Shared.Next(100, 2000))),
            };
        }
        """);

    [Fact]
    public Task Mehr_defaults() => Check("""
        class C
        {
            void M(IServiceCollection services)
            {
                services.AddHttpClient("llm").AddStandardResilienceHandler();
                services.AddHttpClient("other").AddResilienceHandler("retry", pipeline => pipeline.AddRetry(new HttpRetryStrategyOptions()));
            }
        }
        """);

    [Fact]
    public Task Mehr_standard_handler_changing_other_settings() => Check("""
        class C
        {
            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o =>
            {
                o.Retry.MaxRetryAttempts = 5;
                o.Retry.Delay = TimeSpan.FromSeconds(1);
            });
        }
        """);

    [Fact]
    public Task Mehr_replacing_the_retry_options_with_jitter() => Check("""
        class C
        {
            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o =>
                o.Retry = new HttpRetryStrategyOptions { BackoffType = DelayBackoffType.Linear });
        }
        """);

    [Fact]
    public Task Code_that_does_not_compile() => PollyTestSupport.VerifyBroken("""
        class C
        {
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>().WaitAndRetryAsync(;
            void M(ResiliencePipelineBuilder builder) => builder.AddRetry(new RetryStrategyOptions { UseJitter = });
            object O() => new RetryStrategyOptions<Missing> { ShouldHandle = args => args.Outcome switch { };
        }
        """, only: "RG0001");

    [Fact]
    public Task No_polly_reference_registers_nothing() =>
        Verify<RetryAnalyzer>.AnalyzerAsync("""
            using System;
            class Policy { public static Policy Handle<T>() => new(); public Policy WaitAndRetry(int n, Func<int, TimeSpan> f) => this; }
            class RetryStrategyOptions { public bool UseJitter { get; set; } }
            class C
            {
                object A() => Policy.Handle<Exception>().WaitAndRetry(3, i => TimeSpan.FromSeconds(i));
                object B() => new RetryStrategyOptions();
            }
            """);
}
