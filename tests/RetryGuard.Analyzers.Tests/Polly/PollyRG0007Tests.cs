namespace RetryGuard.Analyzers.Tests.Polly;

/// <summary>RG0007 (Retry-After honoured without an upper bound) on Polly v7 providers and v8 / MEHR delay generators.</summary>
public class PollyRG0007Tests
{
    private static Task Check(string code) => PollyTestSupport.Verify(code, only: "RG0007");

    // ---------------------------------------------------------------------------------------------- positive

    [Fact]
    public Task V8_delay_generator_returning_the_raw_header() => Check("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests),
                DelayGenerator = {|RG0007:args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta)|},
                UseJitter = true,
            };
        }
        """);

    [Fact]
    public Task V8_delay_generator_block_with_the_raw_header() => Check("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = {|RG0007:args =>
                {
                    if (args.Outcome.Result?.Headers.RetryAfter?.Delta is { } delta)
                    {
                        return new ValueTask<TimeSpan?>(delta);
                    }

                    return new ValueTask<TimeSpan?>((TimeSpan?)null);
                }|},
            };
        }
        """);

    [Fact]
    public Task V8_delay_generator_through_a_retry_after_helper() => Check("""
        class C
        {
            static TimeSpan? GetRetryAfter(HttpResponseMessage? response) => response?.Headers.RetryAfter?.Delta;

            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = {|RG0007:args => ValueTask.FromResult(GetRetryAfter(args.Outcome.Result))|},
            };
        }
        """);

    [Fact]
    public Task V8_cap_far_above_the_limit() => Check("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = {|RG0007:args =>
                {
                    var seconds = args.Outcome.Result?.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1;
                    return new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(Math.Min(seconds, 3600)));
                }|},
            };
        }
        """);

    [Fact]
    public Task V7_outcome_aware_provider_with_the_raw_header() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync(3,
                        sleepDurationProvider: {|RG0007:(attempt, outcome, context) => outcome.Result.Headers.RetryAfter!.Delta!.Value|},
                        onRetryAsync: (outcome, delay, attempt, context) => Task.CompletedTask);
        }
        """);

    [Fact]
    public Task V7_provider_using_the_header_date() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync(3,
                        {|RG0007:(attempt, outcome, context) => outcome.Result.Headers.RetryAfter!.Date!.Value - DateTimeOffset.UtcNow|},
                        (outcome, delay, attempt, context) => Task.CompletedTask);
        }
        """);

    [Fact]
    public Task V7_forever_with_the_raw_header() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryForeverAsync(
                        {|RG0007:(attempt, outcome, context) => outcome.Result?.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1)|},
                        (outcome, attempt, delay, context) => Task.CompletedTask);
        }
        """);

    [Fact]
    public Task Mehr_standard_handler_generator_with_the_raw_header() => Check("""
        class C
        {
            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o =>
                o.Retry.DelayGenerator = {|RG0007:args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta)|});
        }
        """);

    [Fact]
    public Task Mehr_http_options_generator_with_the_raw_header() => Check("""
        class C
        {
            void M(IServiceCollection services) =>
                services.AddHttpClient("llm").AddResilienceHandler("retry", pipeline => pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    DelayGenerator = {|RG0007:static args => ValueTask.FromResult(args.Outcome.Result?.Headers.RetryAfter?.Delta)|},
                }));
        }
        """);

    // ---------------------------------------------------------------------------------------------- negative

    [Fact]
    public Task V8_delay_generator_capped_with_math_min() => Check("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = args =>
                {
                    if (args.Outcome.Result?.Headers.RetryAfter?.Delta is { } delta)
                    {
                        return new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(Math.Min(delta.TotalSeconds, 60)));
                    }

                    return new ValueTask<TimeSpan?>((TimeSpan?)null);
                },
            };
        }
        """);

    [Fact]
    public Task V8_delay_generator_that_gives_up_on_long_waits() => Check("""
        class C
        {
            private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(1);

            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = args =>
                {
                    var delta = args.Outcome.Result?.Headers.RetryAfter?.Delta;
                    if (delta is null || delta > MaxWait)
                    {
                        return new ValueTask<TimeSpan?>((TimeSpan?)null);
                    }

                    return new ValueTask<TimeSpan?>(delta);
                },
            };
        }
        """);

    [Fact]
    public Task V7_provider_capped_with_math_min() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync(3,
                        (attempt, outcome, context) => TimeSpan.FromSeconds(Math.Min(outcome.Result?.Headers.RetryAfter?.Delta?.TotalSeconds ?? attempt, 30)),
                        (outcome, delay, attempt, context) => Task.CompletedTask);
        }
        """);

    [Fact]
    public Task V8_delay_generator_clamped() => Check("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    TimeSpan.FromSeconds(Math.Clamp(args.Outcome.Result?.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1, 0, 90))),
            };
        }
        """);

    [Fact]
    public Task Mehr_defaults() => Check("""
        class C
        {
            void M(IServiceCollection services)
            {
                services.AddHttpClient("a").AddStandardResilienceHandler();
                services.AddHttpClient("b").AddResilienceHandler("retry", pipeline => pipeline.AddRetry(new HttpRetryStrategyOptions()));
            }
        }
        """);

    [Fact]
    public Task Mehr_standard_handler_with_other_changes() => Check("""
        class C
        {
            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o => o.Retry.UseJitter = false);
        }
        """);

    [Fact]
    public Task V7_provider_ignoring_the_header() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .WaitAndRetryAsync(3, attempt => TimeSpan.FromSeconds(Math.Pow(2, attempt)));
        }
        """);

    [Fact]
    public Task V8_without_delay_generator() => Check("""
        class C
        {
            void M(ResiliencePipelineBuilder builder) =>
                builder.AddRetry(new RetryStrategyOptions { BackoffType = DelayBackoffType.Exponential, UseJitter = true });
        }
        """);

    [Fact]
    public Task V8_cap_within_the_configured_limit() => PollyTestSupport.Verify("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    TimeSpan.FromSeconds(Math.Min(args.Outcome.Result?.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1, 100))),
            };
        }
        """, only: "RG0007");

    [Fact]
    public Task V8_guard_below_the_limit_returns_null_for_longer_waits() => Check("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    TimeSpan.FromSeconds(Math.Min(args.Outcome.Result?.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1, 3600)) is var wait &&
                    wait <= TimeSpan.FromSeconds(90) ? wait : (TimeSpan?)null),
            };
        }
        """);

    [Fact]
    public Task V8_guard_above_the_limit_is_still_reported() => Check("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = {|RG0007:args => new ValueTask<TimeSpan?>(
                    args.Outcome.Result?.Headers.RetryAfter?.Delta is TimeSpan wait && wait <= TimeSpan.FromHours(1) ? wait : (TimeSpan?)null)|},
            };
        }
        """);

    [Fact]
    public Task V8_guard_that_does_not_always_hold_is_not_a_cap() => Check("""
        class C
        {
            object O(bool relaxed) => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = {|RG0007:args => new ValueTask<TimeSpan?>(
                    TimeSpan.FromSeconds(Math.Min(args.Outcome.Result?.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1, 3600)) is var wait &&
                    (relaxed || wait <= TimeSpan.FromSeconds(90)) ? wait : (TimeSpan?)null)|},
            };
        }
        """);

    // ------------------------------------- MEHR's own Retry-After wait in a pipeline of your own: nothing ends it

    [Fact]
    public Task Mehr_options_in_a_standalone_pipeline() => Check("""
        class C
        {
            ResiliencePipeline<HttpResponseMessage> P() =>
                new ResiliencePipelineBuilder<HttpResponseMessage>().AddRetry({|RG0007:new HttpRetryStrategyOptions()|}).Build();
        }
        """);

    [Fact]
    public Task Mehr_options_added_to_a_builder_local() => Check("""
        class C
        {
            ResiliencePipeline<HttpResponseMessage> P()
            {
                var options = {|RG0007:new HttpRetryStrategyOptions()|} { MaxRetryAttempts = 2 };
                var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
                builder.AddRetry(options);
                return builder.Build();
            }
        }
        """);

    [Fact]
    public Task Mehr_options_in_a_standalone_pipeline_with_an_outer_timeout() => Check("""
        class C
        {
            ResiliencePipeline<HttpResponseMessage> P() =>
                new ResiliencePipelineBuilder<HttpResponseMessage>()
                    .AddTimeout(TimeSpan.FromSeconds(60))
                    .AddRetry(new HttpRetryStrategyOptions())
                    .Build();
        }
        """);

    [Fact]
    public Task Mehr_options_in_a_standalone_pipeline_without_the_header() => Check("""
        class C
        {
            ResiliencePipeline<HttpResponseMessage> P() =>
                new ResiliencePipelineBuilder<HttpResponseMessage>().AddRetry(new HttpRetryStrategyOptions { ShouldRetryAfterHeader = false }).Build();
        }
        """);

    [Fact]
    public Task Mehr_options_replacing_the_standard_handlers_retry() => Check("""
        class C
        {
            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o => o.Retry = new HttpRetryStrategyOptions { MaxRetryAttempts = 2 });
        }
        """);

    [Fact]
    public Task Mehr_options_of_a_pipeline_built_elsewhere() => Check("""
        class C
        {
            void M(ResiliencePipelineBuilder<HttpResponseMessage> builder) => builder.AddRetry(new HttpRetryStrategyOptions());
        }
        """);

    [Fact]
    public Task Mehr_options_in_a_standalone_pipeline_get_no_fix() =>
        PollyFixVerify.NoFix<RetryGuard.CodeFixes.RG0007UncappedRetryAfterCodeFix>("""
            class C
            {
                ResiliencePipeline<HttpResponseMessage> P() =>
                    new ResiliencePipelineBuilder<HttpResponseMessage>().AddRetry({|RG0007:new HttpRetryStrategyOptions()|}).Build();
            }
            """, "RG0007");

    [Fact]
    public Task Mehr_options_in_a_standalone_pipeline_get_no_polly_fix() =>
        PollyFixVerify.NoFix<RetryGuard.CodeFixes.Polly.RG0007CapRetryAfterPollyCodeFix>("""
            class C
            {
                ResiliencePipeline<HttpResponseMessage> P() =>
                    new ResiliencePipelineBuilder<HttpResponseMessage>().AddRetry({|RG0007:new HttpRetryStrategyOptions()|}).Build();
            }
            """, "RG0007");
}
