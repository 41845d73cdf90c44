namespace RetryGuard.Analyzers.Tests.Loops;

/// <summary>RG0007 on hand-written retries: Retry-After slept for without an upper bound.</summary>
public class RG0007UncappedRetryAfterTests : LoopTestBase
{
    protected override string Rule => "RG0007";

    private const string Loop429 = """
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
        %WAIT%
                }
                throw new HttpRequestException("rate limited");
            }
        }
        """;

    private Task Wait(string lines, string? editorConfig = null) => Check(Loop429.Replace("%WAIT%", lines), editorConfig);

    // ---------------------------------------------------------------- positive

    [Fact]
    public Task A_floor_is_not_a_cap() => Wait("""
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
                    await {|RG0007:Task.Delay(wait)|};
        """);

    [Fact]
    public Task Two_guards_both_above_the_limit() => Wait("""
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    if (wait > TimeSpan.FromHours(2)) throw new HttpRequestException("daily cap");
                    if (wait > TimeSpan.FromHours(1)) wait = TimeSpan.FromHours(1);
                    await {|RG0007:Task.Delay(wait)|};
        """);

    [Fact]
    public Task Delta_slept_as_it_is() => Wait("""
                    await {|RG0007:Task.Delay(response.Headers.RetryAfter!.Delta!.Value)|};
        """);

    [Fact]
    public Task Delta_through_a_local_with_a_fallback() => Wait("""
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    await {|RG0007:Task.Delay(wait)|};
        """);

    [Fact]
    public Task Date_minus_now() => Wait("""
                    var until = response.Headers.RetryAfter?.Date ?? DateTimeOffset.UtcNow;
                    await {|RG0007:Task.Delay(until - DateTimeOffset.UtcNow)|};
        """);

    [Fact]
    public Task Seconds_parsed_from_the_header() => Wait("""
                    var seconds = int.Parse(response.Headers.GetValues("Retry-After").First());
                    await {|RG0007:Task.Delay(TimeSpan.FromSeconds(seconds))|};
        """);

    [Fact]
    public Task Retry_after_ms_in_milliseconds() => Wait("""
                    var ms = response.Headers.TryGetValues("retry-after-ms", out var values) ? int.Parse(values.First()) : 1000;
                    await {|RG0007:Task.Delay(ms)|};
        """);

    [Fact]
    public Task Runtime_helper_without_cap() => Check("""
        using RetryGuard;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    await {|RG0007:Task.Delay(RetryAfter.GetDelay(response) ?? TimeSpan.FromSeconds(1))|};
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Cap_above_the_limit() => Wait("""
                    var seconds = int.Parse(response.Headers.GetValues("Retry-After").First());
                    await {|RG0007:Task.Delay(TimeSpan.FromSeconds(Math.Min(seconds, 3600)))|};
        """);

    [Fact]
    public Task Guard_above_the_limit() => Wait("""
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    if (wait > TimeSpan.FromHours(1)) throw new HttpRequestException("daily cap");
                    await {|RG0007:Task.Delay(wait)|};
        """);

    [Fact]
    public Task Cap_above_a_configured_limit() => Wait("""
                    var seconds = int.Parse(response.Headers.GetValues("Retry-After").First());
                    await {|RG0007:Task.Delay(TimeSpan.FromSeconds(Math.Min(seconds, 90)))|};
        """, editorConfig: "retryguard.max_retry_after = 60s");

    [Fact]
    public Task Helper_returning_the_raw_header() => Check("""
        class C
        {
            static TimeSpan ServerWait(HttpResponseMessage response) => response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero;

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode) return response;
                    await {|RG0007:Task.Delay(ServerWait(response))|};
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Retry_after_property_of_a_custom_exception() => Check("""
        class RateLimitedException : Exception { public TimeSpan RetryAfter { get; init; } }

        class C
        {
            async Task Call(Func<Task> send)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await send(); return; }
                    catch (RateLimitedException e) { await {|RG0007:Task.Delay(e.RetryAfter)|}; }
                }
            }
        }
        """);

    [Fact]
    public Task Thread_sleep_for_retry_after() => Check("""
        class C
        {
            HttpResponseMessage Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = http.Send(new HttpRequestMessage(HttpMethod.Get, "/"));
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    {|RG0007:Thread.Sleep(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1))|};
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task While_true_bounded_by_count_but_not_by_wait() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                var attempt = 0;
                while (true)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests || ++attempt > 3) return response;
                    await {|RG0007:Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1))|};
                }
            }
        }
        """);

    [Fact]
    public Task Goto_with_retry_after() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                var attempts = 0;
            again:
                var response = await http.GetAsync("/");
                if (response.StatusCode == HttpStatusCode.TooManyRequests && attempts++ < 3)
                {
                    await {|RG0007:Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1))|};
                    goto again;
                }
                return response;
            }
        }
        """);

    [Fact]
    public Task Recursion_with_retry_after() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http, int retries = 3)
            {
                var response = await http.GetAsync("/");
                if (response.StatusCode == HttpStatusCode.TooManyRequests && retries > 0)
                {
                    await {|RG0007:Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1))|};
                    return await Send(http, retries - 1);
                }
                return response;
            }
        }
        """);

    [Fact]
    public Task X_ratelimit_reset_without_cap() => Wait("""
                    var reset = response.Headers.TryGetValues("x-ratelimit-reset-tokens", out var v) ? double.Parse(v.First().TrimEnd('s')) : 1;
                    await {|RG0007:Task.Delay(TimeSpan.FromSeconds(reset))|};
        """);

    [Fact]
    public Task Max_with_a_floor_is_not_a_cap() => Wait("""
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero;
                    await {|RG0007:Task.Delay(TimeSpan.FromMilliseconds(Math.Max(wait.TotalMilliseconds, 500)))|};
        """);

    [Fact]
    public Task Guard_that_only_logs_is_not_a_cap() => Wait("""
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    if (wait > TimeSpan.FromMinutes(2)) Console.WriteLine("long wait ahead");
                    await {|RG0007:Task.Delay(wait)|};
        """);

    [Fact]
    public Task Conditional_cap_above_the_limit() => Wait("""
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    await {|RG0007:Task.Delay(wait > TimeSpan.FromMinutes(30) ? TimeSpan.FromMinutes(30) : wait)|};
        """);

    [Fact]
    public Task Catch_block_retry_after_from_response_on_exception_data() => Check("""
        class ApiException : Exception { public HttpResponseMessage Response { get; init; } = null!; }

        class C
        {
            async Task Call(Func<Task> send)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await send(); return; }
                    catch (ApiException e) { await {|RG0007:Task.Delay(e.Response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(2))|}; }
                }
            }
        }
        """);

    // ---------------------------------------------------------------- negative

    [Fact]
    public Task A_second_guard_within_the_limit_caps_it() => Wait("""
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    if (wait > TimeSpan.FromHours(1)) throw new HttpRequestException("daily cap");
                    if (wait > TimeSpan.FromSeconds(60)) throw new HttpRequestException("too long");
                    await Task.Delay(wait);
        """);

    [Fact]
    public Task A_guard_by_a_setting_may_be_the_tightest() => Check("""
        class C
        {
            TimeSpan _maxWait = TimeSpan.FromSeconds(30);

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    if (wait > TimeSpan.FromHours(1)) throw new HttpRequestException("daily cap");
                    if (wait > _maxWait) throw new HttpRequestException("too long");
                    await Task.Delay(wait);
                }

                throw new HttpRequestException("rate limited");
            }
        }
        """);

    [Fact]
    public Task Math_min_cap_within_the_limit() => Wait("""
                    var seconds = int.Parse(response.Headers.GetValues("Retry-After").First());
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(seconds, 60)));
        """);

    [Fact]
    public Task Clamp_within_the_limit() => Wait("""
                    var seconds = int.Parse(response.Headers.GetValues("Retry-After").First());
                    await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 120)));
        """);

    [Fact]
    public Task Guard_that_throws_before_the_wait() => Wait("""
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    if (wait > TimeSpan.FromMinutes(2)) throw new HttpRequestException("daily cap reached");
                    await Task.Delay(wait);
        """);

    [Fact]
    public Task Guard_that_shortens_the_wait() => Wait("""
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    if (wait > TimeSpan.FromSeconds(90)) wait = TimeSpan.FromSeconds(90);
                    await Task.Delay(wait);
        """);

    [Fact]
    public Task Guard_on_total_seconds() => Wait("""
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    if (wait.TotalSeconds > 100) return response;
                    await Task.Delay(wait);
        """);

    [Fact]
    public Task Conditional_cap_within_the_limit() => Wait("""
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    await Task.Delay(wait > TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : wait);
        """);

    [Fact]
    public Task Cap_from_a_named_constant() => Check("""
        class C
        {
            private const int MaxWaitSeconds = 30;

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    var seconds = (int)(response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1);
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(seconds, MaxWaitSeconds)));
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Cap_from_options_counts_as_a_cap() => Check("""
        class Options { public int MaxWaitSeconds { get; set; } = 60; }

        class C
        {
            private readonly Options _options = new();

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    var seconds = response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1;
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(seconds, _options.MaxWaitSeconds)));
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Cap_above_default_allowed_by_configuration() => Wait("""
                    var seconds = int.Parse(response.Headers.GetValues("Retry-After").First());
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(seconds, 300)));
        """, editorConfig: "retryguard.max_retry_after = 5m");

    [Fact]
    public Task Unreadable_configuration_keeps_the_default() => Wait("""
                    var seconds = int.Parse(response.Headers.GetValues("Retry-After").First());
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(seconds, 100)));
        """, editorConfig: "retryguard.max_retry_after = soon");

    [Fact]
    public Task Fixed_wait_is_not_retry_after() => Wait("""
                    await Task.Delay(TimeSpan.FromSeconds(Random.Shared.Next(1, 5)));
        """);

    [Fact]
    public Task Retry_after_read_outside_a_retry() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                var response = await http.GetAsync("/");
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                }
                return response;
            }
        }
        """);

    [Fact]
    public Task Runtime_helper_with_cap() => Check("""
        using RetryGuard;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    var wait = RetryAfter.GetDelay(response) ?? TimeSpan.FromSeconds(1);
                    if (wait > TimeSpan.FromMinutes(2)) throw new HttpRequestException("rate limited for too long");
                    await Task.Delay(wait);
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Helper_that_caps_inside() => Check("""
        class C
        {
            static TimeSpan ServerWait(HttpResponseMessage response) =>
                TimeSpan.FromSeconds(Math.Min(response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1, 30));

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode) return response;
                    await Task.Delay(ServerWait(response));
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Break_out_when_too_long() => Wait("""
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    if (wait >= TimeSpan.FromSeconds(120)) break;
                    await Task.Delay(wait);
        """);

    [Fact]
    public Task Polling_interval_is_not_a_retry() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Poll(HttpClient http)
            {
                while (true)
                {
                    var response = await http.GetAsync("/operation");
                    if (response.StatusCode != HttpStatusCode.Accepted) return response;
                    await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5));
                }
            }
        }
        """);

    [Fact]
    public Task Zero_delay_yield_has_no_retry_after() => Wait("""
                    await Task.Yield();
                    await Task.Delay(0);
        """);

    [Fact]
    public Task Clamp_with_a_cap_of_exactly_the_limit() => Wait("""
                    var ms = response.Headers.TryGetValues("retry-after-ms", out var values) ? int.Parse(values.First()) : 1000;
                    await Task.Delay(Math.Clamp(ms, 0, 120_000));
        """);

    [Fact]
    public Task Conditional_with_the_cap_first() => Wait("""
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    await Task.Delay(TimeSpan.FromSeconds(30) < wait ? TimeSpan.FromSeconds(30) : wait);
        """);

    [Fact]
    public Task Retry_after_ms_with_min_in_milliseconds() => Wait("""
                    var ms = response.Headers.TryGetValues("retry-after-ms", out var values) ? int.Parse(values.First()) : 1000;
                    await Task.Delay(Math.Min(ms, 10_000));
        """);

    [Fact]
    public Task Pattern_variable_from_the_header() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http, CancellationToken ct)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/", ct);
                    if (response.StatusCode == HttpStatusCode.TooManyRequests && response.Headers.RetryAfter?.Delta is { } wait)
                    {
                        await {|RG0007:Task.Delay(wait, ct)|};
                        continue;
                    }
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Typed_pattern_variable_from_the_header() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    if (response.Headers.RetryAfter?.Delta is TimeSpan wait)
                    {
                        await {|RG0007:Task.Delay(wait)|};
                    }
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Pattern_variable_capped_before_the_wait() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    if (response.Headers.RetryAfter?.Delta is TimeSpan wait)
                    {
                        if (wait > TimeSpan.FromMinutes(2)) throw new HttpRequestException("daily cap");
                        await Task.Delay(wait);
                    }
                }
                throw new HttpRequestException();
            }
        }
        """);
}
