namespace RetryGuard.Analyzers.Tests.Polly;

/// <summary>RG0005 (no bound) on Polly v7 <c>*Forever*</c> policies and v8 / MEHR <c>MaxRetryAttempts = int.MaxValue</c>.</summary>
public class PollyRG0005Tests
{
    private static Task Check(string code) => PollyTestSupport.Verify(code, only: "RG0005");

    // ---------------------------------------------------------------------------------------------- positive

    [Fact]
    public Task V7_wait_and_retry_forever_async() => Check("""
        class C
        {
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>()
                .{|RG0005:WaitAndRetryForeverAsync|}(attempt => TimeSpan.FromSeconds(Math.Min(attempt, 30)) + TimeSpan.FromMilliseconds(Random.Shared.Next(500)));
        }
        """);

    [Fact]
    public Task V7_retry_forever() => Check("""
        class C
        {
            ISyncPolicy P() => Policy.Handle<HttpRequestException>().{|RG0005:RetryForever|}();
        }
        """);

    [Fact]
    public Task V7_retry_forever_async_with_on_retry() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .{|RG0005:RetryForeverAsync|}(onRetry: outcome => Console.WriteLine(outcome.Result?.StatusCode));
        }
        """);

    [Fact]
    public Task V7_wait_and_retry_forever_with_outcome_aware_provider() => Check("""
        class C
        {
            ISyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .{|RG0005:WaitAndRetryForever|}(
                        (attempt, outcome, context) => outcome.Result?.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1),
                        (outcome, delay, context) => { });
        }
        """);

    [Fact]
    public Task V7_retry_count_int_max_value() => Check("""
        class C
        {
            ISyncPolicy P() => Policy.Handle<HttpRequestException>().Retry({|RG0005:int.MaxValue|});
        }
        """);

    [Fact]
    public Task V7_wait_and_retry_int_max_value() => Check("""
        class C
        {
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync({|RG0005:int.MaxValue|}, attempt => TimeSpan.FromMilliseconds(Random.Shared.Next(1000)));
        }
        """);

    [Fact]
    public Task V8_max_retry_attempts_int_max_value() => Check("""
        class C
        {
            void M(ResiliencePipelineBuilder builder) =>
                builder.AddRetry(new RetryStrategyOptions { {|RG0005:MaxRetryAttempts = int.MaxValue|}, UseJitter = true });
        }
        """);

    [Fact]
    public Task V8_max_retry_attempts_set_after_creation() => Check("""
        class C
        {
            void M(ResiliencePipelineBuilder<HttpResponseMessage> builder)
            {
                var options = new RetryStrategyOptions<HttpResponseMessage> { UseJitter = true };
                {|RG0005:options.MaxRetryAttempts = int.MaxValue|};
                builder.AddRetry(options);
            }
        }
        """);

    [Fact]
    public Task Mehr_http_options_int_max_value() => Check("""
        class C
        {
            void M(IServiceCollection services) =>
                services.AddHttpClient("llm").AddResilienceHandler("retry", pipeline =>
                    pipeline.AddRetry(new HttpRetryStrategyOptions { {|RG0005:MaxRetryAttempts = int.MaxValue|} }));
        }
        """);

    // ---------------------------------------------------------------------------------------------- negative

    [Fact]
    public Task V7_retry_count() => Check("""
        class C
        {
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>().WaitAndRetryAsync(5, attempt => TimeSpan.FromSeconds(attempt));
        }
        """);

    [Fact]
    public Task V7_retry_once() => Check("""
        class C
        {
            ISyncPolicy P() => Policy.Handle<HttpRequestException>().Retry();
        }
        """);

    [Fact]
    public Task V7_sleep_durations_are_a_cap() => Check("""
        class C
        {
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync(Backoff.DecorrelatedJitterBackoffV2(TimeSpan.FromSeconds(1), retryCount: 5));
        }
        """);

    [Fact]
    public Task V8_default_attempts() => Check("""
        class C
        {
            void M(ResiliencePipelineBuilder builder) => builder.AddRetry(new RetryStrategyOptions { UseJitter = true });
        }
        """);

    [Fact]
    public Task V8_explicit_attempts() => Check("""
        class C
        {
            void M(ResiliencePipelineBuilder builder) => builder.AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 10 });
        }
        """);

    [Fact]
    public Task V8_unbounded_attempts_inside_an_outer_timeout() => Check("""
        class C
        {
            ResiliencePipeline Build() => new ResiliencePipelineBuilder()
                .AddTimeout(TimeSpan.FromMinutes(2))
                .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = int.MaxValue, UseJitter = true })
                .Build();
        }
        """);

    [Fact]
    public Task V8_timeout_added_to_the_same_builder_first() => Check("""
        class C
        {
            void M(IServiceCollection services) =>
                services.AddHttpClient("llm").AddResilienceHandler("pipeline", builder =>
                {
                    builder.AddTimeout(TimeSpan.FromSeconds(90));
                    builder.AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = int.MaxValue });
                });
        }
        """);

    [Fact]
    public Task V8_timeout_added_after_the_retry_is_per_attempt() => Check("""
        class C
        {
            void M(ResiliencePipelineBuilder builder)
            {
                var options = new RetryStrategyOptions { {|RG0005:MaxRetryAttempts = int.MaxValue|}, UseJitter = true };
                builder.AddRetry(options);
                builder.AddTimeout(TimeSpan.FromSeconds(10));
            }
        }
        """);

    [Fact]
    public Task V7_forever_inside_an_outer_timeout_policy() => Check("""
        class C
        {
            IAsyncPolicy A() => Policy.WrapAsync(
                Policy.TimeoutAsync(TimeSpan.FromMinutes(2)),
                Policy.Handle<HttpRequestException>().RetryForeverAsync());

            IAsyncPolicy B()
            {
                var retry = Policy.Handle<HttpRequestException>().WaitAndRetryForeverAsync(i => TimeSpan.FromMilliseconds(Random.Shared.Next(1000)));
                var timeout = Policy.TimeoutAsync(TimeSpan.FromMinutes(2));
                return timeout.WrapAsync(retry);
            }
        }
        """);

    [Fact]
    public Task V7_forever_outside_a_per_attempt_timeout() => Check("""
        class C
        {
            IAsyncPolicy P() => Policy.WrapAsync(
                Policy.Handle<HttpRequestException>().{|RG0005:RetryForeverAsync|}(),
                Policy.TimeoutAsync(TimeSpan.FromSeconds(10)));
        }
        """);

    [Fact]
    public Task Mehr_standard_handler_keeps_its_total_timeout() => Check("""
        class C
        {
            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o => o.Retry.MaxRetryAttempts = int.MaxValue);
        }
        """);

    [Fact]
    public Task V8_attempts_from_configuration_are_not_judged() => Check("""
        class Settings { public int Retries { get; set; } }
        class C
        {
            void M(ResiliencePipelineBuilder builder, Settings settings) =>
                builder.AddRetry(new RetryStrategyOptions { MaxRetryAttempts = settings.Retries });
        }
        """);

    [Fact]
    public Task V7_circuit_breaker_is_not_a_retry() => Check("""
        class C
        {
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>().CircuitBreakerAsync(5, TimeSpan.FromSeconds(30));
        }
        """);

    [Fact]
    public Task V7_forever_in_code_that_does_not_compile() => PollyTestSupport.VerifyBroken("""
        class C
        {
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>().WaitAndRetryForeverAsync(attempt => ;
        }
        """, only: "RG0005");
}
