namespace RetryGuard.Analyzers.Tests.Polly;

/// <summary>RG0003 (429 retried without Retry-After) on Polly v7, Polly v8 and MEHR.</summary>
public class PollyRG0003Tests
{
    private static Task Check(string code) => PollyTestSupport.Verify(code, only: "RG0003");

    // ---------------------------------------------------------------------------------------------- positive

    [Fact]
    public Task V7_transient_or_429_with_exponential_provider() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .OrResult(msg => msg.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync(6, {|RG0003:retryAttempt => TimeSpan.FromSeconds(Math.Pow(2, retryAttempt))|});
        }
        """);

    [Fact]
    public Task V7_429_with_jittered_contrib_backoff_still_ignores_the_server() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync({|RG0003:Backoff.DecorrelatedJitterBackoffV2(TimeSpan.FromSeconds(1), 5)|});
        }
        """);

    [Fact]
    public Task V7_outcome_aware_provider_that_ignores_the_outcome() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync(3,
                        sleepDurationProvider: {|RG0003:(attempt, outcome, context) => TimeSpan.FromSeconds(attempt * 2)|},
                        onRetryAsync: (outcome, delay, attempt, context) => Task.CompletedTask);
        }
        """);

    [Fact]
    public Task V7_fixed_durations_for_429() => Check("""
        class C
        {
            ISyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
                    .WaitAndRetry({|RG0003:new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3) }|});
        }
        """);

    [Fact]
    public Task V8_predicate_builder_429_without_delay_generator() => Check("""
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
        """);

    [Fact]
    public Task V8_outcome_switch_with_429() => Check("""
        class C
        {
            void M(ResiliencePipelineBuilder<HttpResponseMessage> builder)
            {
                var options = {|RG0003:new RetryStrategyOptions<HttpResponseMessage>()|};
                options.ShouldHandle = args => args.Outcome switch
                {
                    { Result.StatusCode: HttpStatusCode.TooManyRequests } => PredicateResult.True(),
                    { Exception: HttpRequestException } => PredicateResult.True(),
                    _ => PredicateResult.False(),
                };
                options.UseJitter = true;
                builder.AddRetry(options);
            }
        }
        """);

    [Fact]
    public Task V8_delay_generator_that_ignores_retry_after() => Check("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests),
                DelayGenerator = {|RG0003:args => new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(args.AttemptNumber * 2))|},
            };
        }
        """);

    [Fact]
    public Task Mehr_options_with_retry_after_off() => Check("""
        class C
        {
            void M(IServiceCollection services) =>
                services.AddHttpClient("llm").AddResilienceHandler("retry", pipeline =>
                    pipeline.AddRetry(new HttpRetryStrategyOptions { {|RG0003:ShouldRetryAfterHeader = false|} }));
        }
        """);

    [Fact]
    public Task Mehr_standard_handler_with_retry_after_off() => Check("""
        class C
        {
            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o =>
            {
                o.Retry.MaxRetryAttempts = 5;
                {|RG0003:o.Retry.ShouldRetryAfterHeader = false|};
            });
        }
        """);

    [Fact]
    public Task Mehr_delay_generator_set_to_null() => Check("""
        class C
        {
            object O() => {|RG0003:new HttpRetryStrategyOptions()|} { DelayGenerator = null };
        }
        """);

    [Fact]
    public Task V7_retry_without_wait_on_429() => Check("""
        class C
        {
            ISyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests).{|RG0003:Retry|}(3);
            IAsyncPolicy<HttpResponseMessage> Q() =>
                Policy.HandleResult<HttpResponseMessage>(r => !r.IsSuccessStatusCode).{|RG0003:RetryForeverAsync|}();
        }
        """);

    // ---------------------------------------------------------------------------------------------- negative

    [Fact]
    public Task V7_retry_without_wait_without_429() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() => HttpPolicyExtensions.HandleTransientHttpError().RetryAsync(3);
            ISyncPolicy Q() => Policy.Handle<HttpRequestException>().Retry(2);
            ISyncPolicy<HttpResponseMessage> R() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).RetryForever();
            IAsyncPolicy<HttpResponseMessage> S() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests).RetryAsync(0);
        }
        """);

    [Fact]
    public Task V7_transient_http_error_has_no_429() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .WaitAndRetryAsync(6, retryAttempt => TimeSpan.FromSeconds(Math.Pow(2, retryAttempt)));
        }
        """);

    [Fact]
    public Task V7_outcome_aware_provider_reading_retry_after() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .OrResult(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync(3,
                        sleepDurationProvider: (attempt, outcome, context) =>
                            TimeSpan.FromSeconds(Math.Min(outcome.Result?.Headers.RetryAfter?.Delta?.TotalSeconds ?? Math.Pow(2, attempt), 60)),
                        onRetryAsync: (outcome, delay, attempt, context) => Task.CompletedTask);
        }
        """);

    [Fact]
    public Task V7_provider_calling_a_retry_after_helper() => Check("""
        class C
        {
            static TimeSpan GetRetryAfter(HttpResponseMessage? response, int attempt) =>
                response?.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(attempt);

            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync(3, (attempt, outcome, context) => GetRetryAfter(outcome.Result, attempt), (o, d, a, c) => Task.CompletedTask);
        }
        """);

    [Fact]
    public Task Mehr_defaults_honour_retry_after() => Check("""
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
    public Task Mehr_standard_handler_with_jitter_off_still_honours_retry_after() => Check("""
        class C
        {
            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o => o.Retry.UseJitter = false);
        }
        """);

    [Fact]
    public Task V8_delay_generator_reading_retry_after_with_cap() => Check("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests),
                DelayGenerator = args =>
                {
                    if (args.Outcome.Result?.Headers.RetryAfter?.Delta is { } delta)
                    {
                        return new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(Math.Min(delta.TotalSeconds, 60)));
                    }

                    return new ValueTask<TimeSpan?>((TimeSpan?)null);
                },
                UseJitter = true,
            };
        }
        """);

    [Fact]
    public Task V8_exceptions_only() => Check("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>().Handle<HttpRequestException>(),
                BackoffType = DelayBackoffType.Exponential,
            };
        }
        """);

    [Fact]
    public Task V7_delay_the_analysis_cannot_see_is_not_judged() => Check("""
        interface IDelays { TimeSpan Next(int attempt); }
        class C
        {
            private readonly IDelays _delays = null!;
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync(3, attempt => _delays.Next(attempt));
        }
        """);

    [Fact]
    public Task V8_jitter_setting_from_elsewhere_is_not_judged() => Check("""
        class C
        {
            void M(ResiliencePipelineBuilder<HttpResponseMessage> builder, IConfigure configure)
            {
                var options = new RetryStrategyOptions<HttpResponseMessage>
                {
                    ShouldHandle = new PredicateBuilder<HttpResponseMessage>().HandleResult(r => r.StatusCode == HttpStatusCode.TooManyRequests),
                };
                configure.Apply(options);
                builder.AddRetry(options);
            }
        }
        interface IConfigure { void Apply(RetryStrategyOptions<HttpResponseMessage> options); }
        class Configure : IConfigure
        {
            public void Apply(RetryStrategyOptions<HttpResponseMessage> options) =>
                options.DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta);
        }
        """);
}
