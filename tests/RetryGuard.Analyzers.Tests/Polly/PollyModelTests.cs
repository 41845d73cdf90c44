using RetryGuard.Analyzers.Model;
using static RetryGuard.Analyzers.Tests.Polly.PollyTestSupport;

namespace RetryGuard.Analyzers.Tests.Polly;

/// <summary>The retry-construct model built from Polly v7, Polly v8 and MEHR code, checked directly.</summary>
public class PollyModelTests
{
    private static string Statuses(RetryConstruct construct) => construct.RetryStatuses?.ToString() ?? "unknown";

    // ---------------------------------------------------------------- v7 statuses

    [Fact]
    public void V7_transient_http_error_or_429()
    {
        var c = Single("""
            class C
            {
                IAsyncPolicy<HttpResponseMessage> P() =>
                    HttpPolicyExtensions.HandleTransientHttpError()
                        .OrResult(msg => msg.StatusCode == HttpStatusCode.TooManyRequests)
                        .WaitAndRetryAsync(6, retryAttempt => TimeSpan.FromSeconds(Math.Pow(2, retryAttempt)));
            }
            """);
        Assert.Equal(RetryKind.PollyV7, c.Kind);
        Assert.Equal("408, 429, 500–599", Statuses(c));
        Assert.Equal(2, c.Admissions.Length);
        Assert.Equal(BoundKind.AttemptCap, c.Bound.Kind);
        var delay = Assert.Single(c.Delays);
        Assert.True(delay.Sources.IsDeterministic());
        Assert.True(delay.Statuses!.Value.Contains(429));
    }

    [Fact]
    public void V7_transient_http_error_alone_has_no_429()
    {
        var c = Single("""
            class C
            {
                IAsyncPolicy<HttpResponseMessage> P() =>
                    HttpPolicyExtensions.HandleTransientHttpError().WaitAndRetryAsync(3, i => TimeSpan.FromSeconds(i));
            }
            """);
        Assert.Equal("408, 500–599", Statuses(c));
    }

    [Fact]
    public void V7_not_success_status()
    {
        var c = Single("""
            class C
            {
                IAsyncPolicy<HttpResponseMessage> P() =>
                    Policy.HandleResult<HttpResponseMessage>(r => !r.IsSuccessStatusCode)
                        .Or<HttpRequestException>()
                        .RetryAsync(3);
            }
            """);
        Assert.True(c.RetryStatuses!.Value.Contains(400));
        Assert.True(c.RetryStatuses!.Value.Contains(503));
        Assert.False(c.RetryStatuses!.Value.Contains(200));

        // No wait: nothing to jitter, but the statuses it serves (429 among them) are retried at once.
        var delay = Assert.Single(c.Delays);
        Assert.Equal(DelaySource.None, delay.Sources);
        Assert.Equal("no wait (RetryAsync)", delay.Display);
        Assert.True(delay.Statuses!.Value.Contains(429));
    }

    [Fact]
    public void V7_handle_http_request_exception_alone_is_unknown()
    {
        var c = Single("""
            class C
            {
                ISyncPolicy P() => Policy.Handle<HttpRequestException>().WaitAndRetry(3, i => TimeSpan.FromSeconds(i));
            }
            """);
        Assert.Null(c.RetryStatuses);
        Assert.Empty(c.Admissions);
    }

    [Fact]
    public void V7_handle_exception_with_status_filter()
    {
        var c = Single("""
            class C
            {
                ISyncPolicy P() => Policy.Handle<HttpRequestException>(ex => ex.StatusCode == HttpStatusCode.BadRequest)
                    .WaitAndRetry(3, i => TimeSpan.FromSeconds(i));
            }
            """);
        Assert.Equal("400", Statuses(c));
    }

    [Fact]
    public void V7_timeout_exception_carries_no_status()
    {
        var c = Single("""
            class C
            {
                ISyncPolicy P() => Policy.Handle<TimeoutException>().Or<TaskCanceledException>().Retry(2);
            }
            """);
        Assert.Equal("none", Statuses(c));
    }

    [Fact]
    public void V7_pattern_predicates()
    {
        var c = Single("""
            class C
            {
                IAsyncPolicy<HttpResponseMessage> P() =>
                    Policy<HttpResponseMessage>.Handle<HttpRequestException>()
                        .OrResult(r => r.StatusCode is HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError)
                        .OrResult(r => r is { StatusCode: HttpStatusCode.RequestTimeout })
                        .WaitAndRetryAsync(3, i => TimeSpan.FromSeconds(i));
            }
            """);
        Assert.Equal("408, 429, 500–599", Statuses(c));
    }

    [Fact]
    public void V7_builder_in_a_local_and_a_helper()
    {
        var c = Single("""
            class C
            {
                static bool IsRetryable(HttpResponseMessage r) => (int)r.StatusCode == 429 || (int)r.StatusCode >= 500;
                PolicyBuilder<HttpResponseMessage> Builder() => Policy.HandleResult<HttpResponseMessage>(IsRetryable);
                IAsyncPolicy<HttpResponseMessage> P()
                {
                    var builder = Builder();
                    return builder.WaitAndRetryAsync(3, i => TimeSpan.FromSeconds(i));
                }
            }
            """);
        Assert.Equal("429, 500–599", Statuses(c));
    }

    [Fact]
    public void V7_custom_exception_may_carry_a_status()
    {
        var c = Single("""
            class ApiException : Exception { public int Code { get; init; } }
            class C
            {
                IAsyncPolicy P() => Policy.Handle<ApiException>().Or<TimeoutException>().WaitAndRetryAsync(3, i => TimeSpan.FromSeconds(i));
            }
            """);
        Assert.Null(c.RetryStatuses);
    }

    [Fact]
    public void V7_builder_in_a_readonly_field_and_provider_in_a_local()
    {
        var c = Single("""
            class C
            {
                private static readonly PolicyBuilder<HttpResponseMessage> Transient =
                    HttpPolicyExtensions.HandleTransientHttpError().OrResult(r => r.StatusCode == HttpStatusCode.TooManyRequests);

                IAsyncPolicy<HttpResponseMessage> P()
                {
                    Func<int, TimeSpan> backoff = attempt => TimeSpan.FromSeconds(attempt * attempt);
                    return Transient.WaitAndRetryAsync(4, backoff);
                }
            }
            """);
        Assert.Equal("408, 429, 500–599", Statuses(c));
        var delay = Assert.Single(c.Delays);
        Assert.True(delay.Sources.IsDeterministic());
        Assert.Equal("attempt => TimeSpan.FromSeconds(attempt * attempt)", delay.Display);
    }

    [Fact]
    public void V7_token_refresh_on_retry_changes_the_request()
    {
        var c = Single("""
            class C
            {
                HttpClient _http = new();
                IAsyncPolicy<HttpResponseMessage> P() =>
                    Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.Unauthorized)
                        .RetryAsync(1, onRetry: (outcome, attempt) => _http.DefaultRequestHeaders.Authorization = new("Bearer", "fresh"));
            }
            """);
        Assert.True(Assert.Single(c.Admissions).ChangesRequestFirst);
    }

    [Fact]
    public void V7_forever_is_unbounded()
    {
        var c = Single("""
            class C
            {
                IAsyncPolicy P() => Policy.Handle<HttpRequestException>().WaitAndRetryForeverAsync(i => TimeSpan.FromSeconds(1));
            }
            """);
        Assert.Equal(BoundKind.Unbounded, c.Bound.Kind);
        Assert.Equal("WaitAndRetryForeverAsync", c.Bound.Detail);
    }

    [Fact]
    public void V7_retry_count_int_max_is_unbounded()
    {
        var c = Single("""
            class C
            {
                ISyncPolicy P() => Policy.Handle<HttpRequestException>().Retry(int.MaxValue);
            }
            """);
        Assert.Equal(BoundKind.Unbounded, c.Bound.Kind);
    }

    // ---------------------------------------------------------------- v7 delays

    [Fact]
    public void V7_outcome_aware_provider_reads_retry_after()
    {
        var c = Single("""
            class C
            {
                IAsyncPolicy<HttpResponseMessage> P() =>
                    Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                        .WaitAndRetryAsync(
                            3,
                            sleepDurationProvider: (attempt, outcome, ctx) => outcome.Result?.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(attempt),
                            onRetryAsync: (outcome, delay, attempt, ctx) => Task.CompletedTask);
            }
            """);
        var delay = Assert.Single(c.Delays);
        Assert.True(delay.Sources.Has(DelaySource.RetryAfter));
        Assert.False(delay.Sources.Has(DelaySource.Capped));
    }

    [Fact]
    public void V7_contrib_helpers()
    {
        var constructs = Constructs("""
            class C
            {
                IAsyncPolicy A() => Policy.Handle<HttpRequestException>().WaitAndRetryAsync(Backoff.ExponentialBackoff(TimeSpan.FromSeconds(1), 5));
                IAsyncPolicy B() => Policy.Handle<HttpRequestException>().WaitAndRetryAsync(Backoff.DecorrelatedJitterBackoffV2(TimeSpan.FromSeconds(1), 5));
                IAsyncPolicy D()
                {
                    var delays = Backoff.AwsDecorrelatedJitterBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), 5);
                    return Policy.Handle<HttpRequestException>().WaitAndRetryAsync(delays);
                }
                IAsyncPolicy E() => Policy.Handle<HttpRequestException>().WaitAndRetryAsync(Backoff.DecorrelatedJitterBackoffV2(TimeSpan.FromSeconds(1), 5, seed: 7));
                IAsyncPolicy F() => Policy.Handle<HttpRequestException>().WaitAndRetryAsync(new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5) });
            }
            """);
        Assert.Equal(5, constructs.Length);
        Assert.True(constructs[0].Delays[0].Sources.IsDeterministic());
        Assert.True(constructs[1].Delays[0].Sources.Has(DelaySource.Random));
        Assert.True(constructs[2].Delays[0].Sources.Has(DelaySource.Random));
        Assert.True(constructs[3].Delays[0].Sources.IsDeterministic());
        Assert.True(constructs[4].Delays[0].Sources.IsDeterministic());
        Assert.All(constructs, c => Assert.Equal(BoundKind.AttemptCap, c.Bound.Kind));
    }

    // ---------------------------------------------------------------- v8

    [Fact]
    public void V8_options_with_predicate_builder()
    {
        var c = Single("""
            class C
            {
                ResiliencePipeline<HttpResponseMessage> P() =>
                    new ResiliencePipelineBuilder<HttpResponseMessage>()
                        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                        {
                            ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                                .Handle<HttpRequestException>()
                                .HandleResult(r => r.StatusCode == HttpStatusCode.TooManyRequests),
                            BackoffType = DelayBackoffType.Exponential,
                            MaxRetryAttempts = 4,
                            Delay = TimeSpan.FromSeconds(1),
                        })
                        .Build();
            }
            """);
        Assert.Equal(RetryKind.PollyV8, c.Kind);
        Assert.Equal("429", Statuses(c));
        Assert.Equal(BoundKind.AttemptCap, c.Bound.Kind);
        var delay = Assert.Single(c.Delays);
        Assert.True(delay.Sources.IsDeterministic());
        Assert.True(delay.Sources.Has(DelaySource.Exponential));
        Assert.Equal("exponential backoff of TimeSpan.FromSeconds(1) without jitter", delay.Display);
    }

    [Fact]
    public void V8_should_handle_outcome_switch()
    {
        var c = Single("""
            class C
            {
                RetryStrategyOptions<HttpResponseMessage> O() => new()
                {
                    ShouldHandle = args => args.Outcome switch
                    {
                        { Exception: HttpRequestException } => PredicateResult.True(),
                        { Result.StatusCode: HttpStatusCode.TooManyRequests } => PredicateResult.True(),
                        { Result.StatusCode: >= HttpStatusCode.InternalServerError } => PredicateResult.True(),
                        _ => PredicateResult.False(),
                    },
                    UseJitter = true,
                };
            }
            """);
        Assert.Equal("429, 500–599", Statuses(c));
        Assert.True(Assert.Single(c.Delays).Sources.Has(DelaySource.Random));
    }

    [Fact]
    public void V8_should_handle_value_task_condition()
    {
        var c = Single("""
            class C
            {
                object O() => new RetryStrategyOptions<HttpResponseMessage>
                {
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.Unauthorized || args.Outcome.Exception is not null),
                };
            }
            """);
        Assert.Equal("401", Statuses(c));
    }

    [Fact]
    public void V8_should_handle_with_guard_clauses()
    {
        var c = Single("""
            class C
            {
                object O() => new RetryStrategyOptions<HttpResponseMessage>
                {
                    ShouldHandle = args =>
                    {
                        var response = args.Outcome.Result;
                        if (args.Outcome.Exception is HttpRequestException)
                        {
                            return PredicateResult.True();
                        }

                        if (response is null || response.StatusCode == HttpStatusCode.BadRequest)
                        {
                            return PredicateResult.False();
                        }

                        if (response.StatusCode >= HttpStatusCode.BadRequest)
                            return PredicateResult.True();

                        return PredicateResult.False();
                    },
                };
            }
            """);
        Assert.Equal("401–599", Statuses(c));
    }

    [Fact]
    public void V7_predicate_method_with_guard_clauses()
    {
        var c = Single("""
            class C
            {
                static bool ShouldRetry(HttpResponseMessage response)
                {
                    if (response.StatusCode == HttpStatusCode.TooManyRequests) return true;
                    if ((int)response.StatusCode < 500) return false;
                    return response.StatusCode != HttpStatusCode.NotImplemented;
                }

                IAsyncPolicy<HttpResponseMessage> P() => Policy.HandleResult<HttpResponseMessage>(ShouldRetry).RetryAsync(2);
            }
            """);
        Assert.Equal("429, 500, 502–599", Statuses(c));
    }

    [Fact]
    public void V8_delay_generator_reading_retry_after_with_cap()
    {
        var c = Single("""
            class C
            {
                object O() => new RetryStrategyOptions<HttpResponseMessage>
                {
                    ShouldHandle = args => new ValueTask<bool>(args.Outcome.Result?.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable),
                    DelayGenerator = args =>
                    {
                        var header = args.Outcome.Result?.Headers.RetryAfter?.Delta;
                        if (header is { } delta)
                        {
                            return new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(Math.Min(delta.TotalSeconds, 60)));
                        }

                        return new ValueTask<TimeSpan?>((TimeSpan?)null);
                    },
                    UseJitter = true,
                };
            }
            """);
        Assert.Equal(2, c.Delays.Length);
        Assert.True(c.Delays[0].Sources.Has(DelaySource.RetryAfter));
        Assert.True(c.Delays[0].Sources.Has(DelaySource.Capped));
        // The fallback backoff serves the statuses other than 429.
        Assert.Equal("503", c.Delays[1].Statuses!.Value.ToString());
    }

    [Fact]
    public void V8_max_retry_attempts_int_max_is_unbounded_unless_an_outer_timeout()
    {
        var constructs = Constructs("""
            class C
            {
                void M()
                {
                    new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { MaxRetryAttempts = int.MaxValue, UseJitter = true });
                    new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromMinutes(1)).AddRetry(new RetryStrategyOptions { MaxRetryAttempts = int.MaxValue, UseJitter = true });
                }
            }
            """);
        Assert.Equal(BoundKind.Unbounded, constructs[0].Bound.Kind);
        Assert.Equal(BoundKind.Deadline, constructs[1].Bound.Kind);
    }

    [Fact]
    public void V8_local_writes_count_and_escapes_are_conservative()
    {
        var constructs = Constructs("""
            class C
            {
                void M(ResiliencePipelineBuilder builder, bool flag)
                {
                    var a = new RetryStrategyOptions { BackoffType = DelayBackoffType.Exponential };
                    a.UseJitter = true;
                    builder.AddRetry(a);

                    var b = new RetryStrategyOptions();
                    if (flag) b.UseJitter = true;
                    builder.AddRetry(b);
                }

                RetryStrategyOptions Make() => new RetryStrategyOptions { BackoffType = DelayBackoffType.Linear };
                void N(ResiliencePipelineBuilder builder)
                {
                    var options = Make();
                    options.UseJitter = true;
                    builder.AddRetry(options);
                }
            }
            """);
        Assert.Equal(3, constructs.Length);
        Assert.True(constructs[0].Delays[0].Sources.Has(DelaySource.Random));
        Assert.True(constructs[1].Delays[0].Sources.Has(DelaySource.Unknown));
        Assert.True(constructs[2].Delays[0].Sources.Has(DelaySource.Unknown));
    }

    // ---------------------------------------------------------------- MEHR

    [Fact]
    public void Mehr_defaults()
    {
        var c = Single("""
            class C
            {
                object O() => new HttpRetryStrategyOptions();
            }
            """);
        Assert.Equal(RetryKind.HttpResilience, c.Kind);
        Assert.Equal("408, 429, 500–599", Statuses(c));
        Assert.All(c.Delays, d => Assert.False(d.Sources.IsDeterministic()));
        var backoff = c.Delays.Single(d => !d.Sources.Has(DelaySource.RetryAfter));
        Assert.False(backoff.Statuses!.Value.Contains(429));
    }

    [Fact]
    public void Mehr_without_retry_after_and_jitter()
    {
        var c = Single("""
            class C
            {
                object O() => new HttpRetryStrategyOptions { ShouldRetryAfterHeader = false, UseJitter = false };
            }
            """);
        var delay = Assert.Single(c.Delays);
        Assert.True(delay.Sources.IsDeterministic());
        Assert.True(delay.Statuses!.Value.Contains(429));
    }

    [Fact]
    public void Mehr_standard_handler_lambda()
    {
        var c = Single("""
            class C
            {
                void M(IServiceCollection services) =>
                    services.AddHttpClient("llm").AddStandardResilienceHandler(o => o.Retry.UseJitter = false);
            }
            """);
        Assert.Equal(RetryKind.HttpResilience, c.Kind);
        var backoff = c.Delays.Single(d => !d.Sources.Has(DelaySource.RetryAfter));
        Assert.True(backoff.Sources.IsDeterministic());
        Assert.Equal("408, 429, 500–599", Statuses(c));
    }

    [Fact]
    public void Mehr_standard_handler_unbounded_attempts_still_have_a_deadline()
    {
        var c = Single("""
            class C
            {
                void M(IServiceCollection services) =>
                    services.AddHttpClient("llm").AddStandardResilienceHandler(o => { o.Retry.MaxRetryAttempts = int.MaxValue; });
            }
            """);
        Assert.Equal(BoundKind.Deadline, c.Bound.Kind);
    }

    [Fact]
    public void Mehr_resilience_handler_with_http_options()
    {
        var c = Single("""
            class C
            {
                void M(IServiceCollection services) =>
                    services.AddHttpClient("llm").AddResilienceHandler("retry", builder =>
                        builder.AddRetry(new HttpRetryStrategyOptions
                        {
                            MaxRetryAttempts = 5,
                            ShouldHandle = args => ValueTask.FromResult(HttpClientResiliencePredicates.IsTransient(args.Outcome)),
                        }));
            }
            """);
        Assert.Equal("408, 429, 500–599", Statuses(c));
    }
}
