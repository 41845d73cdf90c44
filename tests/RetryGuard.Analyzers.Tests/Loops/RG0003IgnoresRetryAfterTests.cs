namespace RetryGuard.Analyzers.Tests.Loops;

/// <summary>RG0003 on hand-written retries: 429 retried after a wait the server did not choose.</summary>
public class RG0003IgnoresRetryAfterTests : LoopTestBase
{
    protected override string Rule => "RG0003";

    // ---------------------------------------------------------------- positive

    [Fact]
    public Task Fixed_wait_on_429() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode == HttpStatusCode.TooManyRequests)
                    {
                        await {|RG0003:Task.Delay(TimeSpan.FromSeconds(5))|};
                        continue;
                    }
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Exponential_wait_on_any_failure_includes_429() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 4; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode) return response;
                    await {|RG0003:Task.Delay(1000 * (1 << i))|};
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Jittered_backoff_is_still_not_the_servers_wait() => Check("""
        using RetryGuard;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 4; i++)
                {
                    var response = await http.GetAsync("/");
                    if ((int)response.StatusCode == 429 || (int)response.StatusCode >= 500)
                    {
                        await {|RG0003:Task.Delay(Backoff.Exponential(i, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)))|};
                        continue;
                    }
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Retry_after_read_but_not_used() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    var retryAfter = response.Headers.RetryAfter?.Delta;
                    Console.WriteLine($"server asked for {retryAfter}");
                    await {|RG0003:Task.Delay(2000)|};
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Catch_http_request_exception_after_ensure_success() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try
                    {
                        var response = await http.GetAsync("/");
                        response.EnsureSuccessStatusCode();
                        return await response.Content.ReadAsStringAsync();
                    }
                    catch (HttpRequestException) { await {|RG0003:Task.Delay(500 * attempt)|}; }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Catch_filter_on_429() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.TooManyRequests)
                    {
                        await {|RG0003:Task.Delay(TimeSpan.FromSeconds(10))|};
                    }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Thread_sleep_on_429() => Check("""
        class C
        {
            HttpResponseMessage Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = http.Send(new HttpRequestMessage(HttpMethod.Get, "/"));
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    {|RG0003:Thread.Sleep(1000)|};
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Switch_section_for_429() => Check("""
        class C
        {
            async Task<string> Call(HttpClient http)
            {
                for (int attempt = 0; attempt < 4; attempt++)
                {
                    var response = await http.GetAsync("/v1/models");
                    switch (response.StatusCode)
                    {
                        case HttpStatusCode.OK:
                            return await response.Content.ReadAsStringAsync();
                        case HttpStatusCode.TooManyRequests:
                            await {|RG0003:Task.Delay(3000)|};
                            break;
                        default:
                            throw new HttpRequestException(response.StatusCode.ToString());
                    }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Is_pattern_with_429() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
                    {
                        await {|RG0003:Task.Delay(Random.Shared.Next(1000, 5000))|};
                        continue;
                    }
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Delay_from_a_constant_field() => Check("""
        class C
        {
            private const int RateLimitBackoffMs = 60_000;

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode == (HttpStatusCode)429)
                    {
                        await {|RG0003:Task.Delay(RateLimitBackoffMs)|};
                        continue;
                    }
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Goto_retry_on_429() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                int attempts = 0;
            again:
                var response = await http.GetAsync("/");
                if (response.StatusCode == HttpStatusCode.TooManyRequests && attempts++ < 3)
                {
                    await {|RG0003:Task.Delay(1000)|};
                    goto again;
                }
                return response;
            }
        }
        """);

    [Fact]
    public Task Recursion_on_429() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http, int retries = 3)
            {
                var response = await http.GetAsync("/");
                if (response.StatusCode == HttpStatusCode.TooManyRequests && retries > 0)
                {
                    await {|RG0003:Task.Delay(2000)|};
                    return await Send(http, retries - 1);
                }
                return response;
            }
        }
        """);

    [Fact]
    public Task Bare_catch_after_get_string() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch { await {|RG0003:Task.Delay(750)|}; }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Linear_wait_through_a_helper() => Check("""
        class C
        {
            static TimeSpan Wait(int attempt) => TimeSpan.FromSeconds(2 * attempt);

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int attempt = 1; attempt <= 3; attempt++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    await {|RG0003:Task.Delay(Wait(attempt))|};
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Relational_pattern_from_400_includes_429() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if ((int)response.StatusCode is >= 400)
                    {
                        await {|RG0003:Task.Delay(1000)|};
                        continue;
                    }
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Do_while_on_429() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                HttpResponseMessage response;
                int attempt = 0;
                do
                {
                    response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) break;
                    await {|RG0003:Task.Delay(2000)|};
                } while (++attempt < 5);
                return response;
            }
        }
        """);

    [Fact]
    public Task Top_level_statements() => Check("""
        class Program
        {
            static async Task Main()
            {
                using var http = new HttpClient();
                for (var i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("https://gateway.example/v1/models");
                    if (response.IsSuccessStatusCode) break;
                    await {|RG0003:Task.Delay(TimeSpan.FromSeconds(i + 1))|};
                }
            }
        }
        """);

    [Fact]
    public Task Lambda_retry_on_429() => Check("""
        class C
        {
            Func<Task<HttpResponseMessage>> Make(HttpClient http) => async () =>
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode == HttpStatusCode.TooManyRequests) { await {|RG0003:Task.Delay(1000)|}; continue; }
                    return response;
                }
                throw new HttpRequestException();
            };
        }
        """);

    [Fact]
    public Task Wait_in_catch_all_around_ensure_success() => Check("""
        class C
        {
            async Task Post(HttpClient http)
            {
                var tries = 0;
                while (tries < 3)
                {
                    try { (await http.PostAsync("/", null)).EnsureSuccessStatusCode(); return; }
                    catch (Exception) { tries++; await {|RG0003:Task.Delay(400 * tries)|}; }
                }
            }
        }
        """);

    [Fact]
    public Task Delay_from_a_readonly_timespan_field() => Check("""
        class C
        {
            private static readonly TimeSpan RateLimitPause = TimeSpan.FromSeconds(30);

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode == HttpStatusCode.TooManyRequests) { await {|RG0003:Task.Delay(RateLimitPause)|}; continue; }
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    // ---------------------------------------------------------------- negative

    [Fact]
    public Task Retry_after_delta_through_a_local() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    await Task.Delay(Math.Min(wait.TotalMilliseconds, 60_000) is var ms ? TimeSpan.FromMilliseconds(ms) : wait);
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Retry_after_date() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    var until = response.Headers.RetryAfter?.Date ?? DateTimeOffset.UtcNow.AddSeconds(1);
                    await Task.Delay(until - DateTimeOffset.UtcNow);
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Retry_after_ms_header_parsed() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    var ms = response.Headers.TryGetValues("retry-after-ms", out var values) ? int.Parse(values.First()) : 1000;
                    await Task.Delay(ms);
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Runtime_helper_reads_it() => Check("""
        using RetryGuard;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    await Task.Delay(RetryAfter.GetDelay(response) ?? TimeSpan.FromSeconds(1));
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Own_helper_named_for_retry_after() => Check("""
        class C
        {
            static TimeSpan GetRetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(2);

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    await Task.Delay(GetRetryAfter(response));
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Helper_that_reads_the_header_without_the_name_saying_so() => Check("""
        class C
        {
            static TimeSpan WaitFor(HttpResponseMessage response) =>
                response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(2);

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    await Task.Delay(WaitFor(response));
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Only_5xx_retried() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if ((int)response.StatusCode >= 500) { await Task.Delay(1000 * i); continue; }
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Timeouts_only() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (TaskCanceledException) { await Task.Delay(1000); }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Send_async_catch_sees_network_failures_only() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/")); }
                    catch (HttpRequestException) { await Task.Delay(1000); }
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Catch_filter_excludes_429() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e) when (e.StatusCode >= HttpStatusCode.InternalServerError) { await Task.Delay(1000); }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Delay_from_options_is_not_guessed() => Check("""
        class Options { public TimeSpan RateLimitWait { get; set; } }

        class C
        {
            private readonly Options _options = new();

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    await Task.Delay(_options.RateLimitWait);
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Polling_202_is_not_a_retry() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Poll(HttpClient http, string url)
            {
                while (true)
                {
                    var response = await http.GetAsync(url);
                    if (response.StatusCode != HttpStatusCode.Accepted) return response;
                    await Task.Delay(5000);
                }
            }
        }
        """);

    [Fact]
    public Task Rate_limit_exception_with_retry_after_property() => Check("""
        class RateLimitedException : Exception { public TimeSpan RetryAfter { get; init; } }

        class C
        {
            async Task Call(Func<Task> send)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await send(); return; }
                    catch (RateLimitedException e) { await Task.Delay(e.RetryAfter); }
                }
            }
        }
        """);

    [Fact]
    public Task Status_codes_from_a_hash_set_are_unknown() => Check("""
        class C
        {
            private static readonly HashSet<int> Retryable = new() { 429, 503 };

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (!Retryable.Contains((int)response.StatusCode)) return response;
                    await Task.Delay(1000);
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Wait_before_giving_up_is_not_followed_by_an_attempt() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    await Task.Delay(100);
                    throw new HttpRequestException("rate limited");
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Retry_after_header_indexer_style() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    var seconds = int.Parse(response.Headers.GetValues("Retry-After").First());
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(seconds, 60)));
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task X_ratelimit_reset_header() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    var reset = response.Headers.TryGetValues("x-ratelimit-reset-requests", out var v) ? double.Parse(v.First().TrimEnd('s')) : 1;
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(reset, 60)));
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Batch_loop_with_a_pause_is_not_a_retry() => Check("""
        class C
        {
            async Task SendAll(HttpClient http, string[] items)
            {
                foreach (var item in items)
                {
                    var response = await http.PostAsync("/", new StringContent(item));
                    if (response.StatusCode == HttpStatusCode.TooManyRequests) Console.WriteLine("throttled");
                    await Task.Delay(200);
                }
            }
        }
        """);

    [Fact]
    public Task No_loop_at_all() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                var response = await http.GetAsync("/");
                if (response.StatusCode == HttpStatusCode.TooManyRequests) await Task.Delay(1000);
                return response;
            }
        }
        """);

    [Fact]
    public Task Retry_after_in_a_conditional_choice() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode) return response;
                    var delay = response.StatusCode == HttpStatusCode.TooManyRequests && response.Headers.RetryAfter?.Delta is { } d
                        ? d
                        : TimeSpan.FromSeconds(Math.Pow(2, i));
                    await Task.Delay(delay);
                }
                throw new HttpRequestException();
            }
        }
        """);
}
