namespace RetryGuard.Analyzers.Tests.Polly;

/// <summary>RG0002 (retrying 400, 401, 402, 403, 422) on Polly v7, Polly v8 and MEHR predicates.</summary>
public class PollyRG0002Tests
{
    private static Task Check(string code) => PollyTestSupport.Verify(code, only: "RG0002");

    // ---------------------------------------------------------------------------------------------- positive

    [Fact]
    public Task V7_handle_result_not_success() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>({|RG0002:r => !r.IsSuccessStatusCode|})
                    .WaitAndRetryAsync(3, attempt => TimeSpan.FromSeconds(attempt));
        }
        """);

    [Fact]
    public Task V7_transient_errors_or_bad_request() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .OrResult({|RG0002:msg => msg.StatusCode == HttpStatusCode.BadRequest|})
                    .WaitAndRetryAsync(Backoff.DecorrelatedJitterBackoffV2(TimeSpan.FromSeconds(1), 5));
        }
        """);

    [Fact]
    public Task V7_every_status_from_400_up() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy<HttpResponseMessage>.Handle<HttpRequestException>()
                    .OrResult({|RG0002:r => (int)r.StatusCode >= 400|})
                    .RetryAsync(2);
        }
        """);

    [Fact]
    public Task V7_exception_filter_on_unauthorized() => Check("""
        class C
        {
            ISyncPolicy P() => Policy.Handle<HttpRequestException>({|RG0002:ex => ex.StatusCode == HttpStatusCode.Unauthorized|})
                .WaitAndRetry(3, attempt => TimeSpan.FromSeconds(attempt));
        }
        """);

    [Fact]
    public Task V7_on_retry_that_only_logs_does_not_change_the_request() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>({|RG0002:r => r.StatusCode == HttpStatusCode.Forbidden|})
                    .RetryAsync(3, onRetry: (outcome, attempt) => Console.WriteLine($"retry {attempt}: {outcome.Result.StatusCode}"));
        }
        """);

    [Fact]
    public Task V8_predicate_builder_handle_result_422() => Check("""
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
        }
        """);

    [Fact]
    public Task V8_should_handle_switch_on_every_failure() => Check("""
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
                UseJitter = true,
            };
        }
        """);

    [Fact]
    public Task V8_should_handle_property_pattern_with_402() => Check("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = {|RG0002:args => ValueTask.FromResult(args.Outcome.Result is { StatusCode: HttpStatusCode.PaymentRequired or HttpStatusCode.TooManyRequests })|},
            };
        }
        """);

    [Fact]
    public Task Mehr_options_with_not_success_predicate() => Check("""
        class C
        {
            void M(IServiceCollection services) =>
                services.AddHttpClient("llm").AddResilienceHandler("retry", pipeline =>
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        ShouldHandle = {|RG0002:args => new ValueTask<bool>(!args.Outcome.Result!.IsSuccessStatusCode)|},
                    }));
        }
        """);

    [Fact]
    public Task Mehr_standard_handler_predicate_with_403() => Check("""
        class C
        {
            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o =>
                o.Retry.ShouldHandle = {|RG0002:args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.Forbidden)|});
        }
        """);

    // ---------------------------------------------------------------------------------------------- negative

    [Fact]
    public Task V7_transient_http_error_alone() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError().WaitAndRetryAsync(3, attempt => TimeSpan.FromSeconds(attempt));
        }
        """);

    [Fact]
    public Task V7_transient_errors_or_429() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .OrResult(msg => msg.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync(6, retryAttempt => TimeSpan.FromSeconds(Math.Pow(2, retryAttempt)));
        }
        """);

    [Fact]
    public Task V7_401_retried_once_after_refreshing_the_token() => Check("""
        class C
        {
            private string _token = "";
            Task RefreshTokenAsync() { _token = "new"; return Task.CompletedTask; }

            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.Unauthorized)
                    .RetryAsync(1, onRetryAsync: async (outcome, attempt) => await RefreshTokenAsync());
        }
        """);

    [Fact]
    public Task V7_handle_http_request_exception_alone_is_not_judged() => Check("""
        class C
        {
            ISyncPolicy P() => Policy.Handle<HttpRequestException>().WaitAndRetry(3, attempt => TimeSpan.FromSeconds(attempt));
        }
        """);

    [Fact]
    public Task V7_server_errors_and_timeouts() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode >= HttpStatusCode.InternalServerError || r.StatusCode == HttpStatusCode.RequestTimeout)
                    .Or<TaskCanceledException>()
                    .RetryAsync(3);
        }
        """);

    [Fact]
    public Task V7_runtime_status_policy() => Check("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => RetryGuard.HttpStatusPolicy.IsRetryable(r.StatusCode))
                    .RetryAsync(3);
        }
        """);

    [Fact]
    public Task V8_switch_that_rules_out_4xx_first() => Check("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => args.Outcome switch
                {
                    { Result.StatusCode: >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError and not HttpStatusCode.TooManyRequests } => PredicateResult.False(),
                    { Result.IsSuccessStatusCode: false } => PredicateResult.True(),
                    { Exception: HttpRequestException } => PredicateResult.True(),
                    _ => PredicateResult.False(),
                },
            };
        }
        """);

    [Fact]
    public Task V8_unknown_predicate_is_not_judged() => Check("""
        class Classifier { public ValueTask<bool> ShouldRetry(RetryPredicateArguments<HttpResponseMessage> args) => default; }
        class C
        {
            private readonly Classifier _classifier = new();
            object O() => new RetryStrategyOptions<HttpResponseMessage> { ShouldHandle = _classifier.ShouldRetry };
        }
        """);

    [Fact]
    public Task Mehr_defaults_and_transient_predicate() => Check("""
        class C
        {
            void M(IServiceCollection services)
            {
                services.AddHttpClient("a").AddStandardResilienceHandler();
                services.AddHttpClient("b").AddResilienceHandler("retry", pipeline => pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    ShouldHandle = args => ValueTask.FromResult(HttpClientResiliencePredicates.IsTransient(args.Outcome)),
                }));
            }
        }
        """);

    [Fact]
    public Task V8_exceptions_only_on_responses() => Check("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>().Handle<HttpRequestException>().Handle<TimeoutException>(),
            };
        }
        """);
}
