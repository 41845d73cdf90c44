using System.Net;
using System.Text;
using static RetryGuard.Runtime.Tests.ScriptedHandler;

namespace RetryGuard.Runtime.Tests;

/// <summary>Timing and outcome rules, against a scripted inner handler and a fake clock: nothing sleeps for real.</summary>
public class HandlerTimingTests
{
    private const string Body = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""";

    private static (HttpClient Client, ScriptedHandler Inner) Create(CountingClock clock, Func<int, HttpResponseMessage> reply,
        Action<RetryGuardOptions>? configure = null, ListLogger? logger = null)
    {
        RetryGuardOptions options = new() { TimeProvider = clock, Random = new Random(42), Name = Guid.NewGuid().ToString("N") };
        configure?.Invoke(options);
        ScriptedHandler inner = new(clock, reply);
        return (new HttpClient(new RetryGuardHandler(options, inner, logger)), inner);
    }

    private static Task<HttpResponseMessage> Post(HttpClient client, CancellationToken cancellationToken = default) =>
        client.PostAsync("http://gateway.test/v1/chat/completions", new StringContent(Body, Encoding.UTF8, "application/json"), cancellationToken);

    [Theory]
    [InlineData("Retry-After", "7", 7000)]
    [InlineData("retry-after-ms", "1250", 1250)]
    [InlineData("x-ratelimit-reset-requests", "1m30s", 90000)]
    public async Task A_429_waits_exactly_as_long_as_the_server_says_never_earlier(string header, string value, int ms)
    {
        CountingClock clock = new();
        (HttpClient client, ScriptedHandler inner) = Create(clock, n => n == 1 ? Reply(429, RateLimitBody, (header, value)) : Reply(200));
        using (client)
        {
            Task<HttpResponseMessage> call = Post(client);
            await Drive.Eventually(() => clock.Timers == 1, "the policy should wait for the server's delay");

            clock.Advance(TimeSpan.FromMilliseconds(ms) - TimeSpan.FromTicks(1));
            Assert.Equal(1, inner.Count);
            clock.Advance(TimeSpan.FromTicks(1));
            using HttpResponseMessage response = await call;

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(2, inner.Count);
            Assert.Equal(TimeSpan.FromMilliseconds(ms), inner.Sent[1].At - inner.Sent[0].At);
            Assert.Equal(inner.Sent[0].Body, inner.Sent[1].Body);
        }
    }

    [Fact]
    public async Task Transient_failures_back_off_with_seeded_full_jitter()
    {
        CountingClock clock = new();
        // The request's own backoff alone: the client-wide hold after a 502/503 is off here (OutageGateTests test it).
        (HttpClient client, ScriptedHandler inner) = Create(clock, n => n <= 2 ? Reply(n == 1 ? 503 : 502) : Reply(200),
            o => o.OutageHold = TimeSpan.Zero);
        using (client)
        {
            Random expected = new(42);
            // Timers count whole milliseconds: the policy rounds each wait up, never down.
            TimeSpan first = Clock.CeilingToMilliseconds(Backoff.Scale(TimeSpan.FromSeconds(1), expected.NextDouble()));
            TimeSpan second = Clock.CeilingToMilliseconds(Backoff.Scale(TimeSpan.FromSeconds(2), expected.NextDouble()));
            Assert.NotEqual(0L, first.Ticks % TimeSpan.TicksPerSecond);

            Task<HttpResponseMessage> call = Post(client);
            await Drive.Eventually(() => clock.Timers == 1, "first backoff");
            clock.Advance(first);
            await Drive.Eventually(() => clock.Timers == 2, "second backoff");
            clock.Advance(second - TimeSpan.FromTicks(1));
            Assert.Equal(2, inner.Count);
            clock.Advance(TimeSpan.FromTicks(1));
            using HttpResponseMessage response = await call;

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(new[] { first, second }, new[] { inner.Sent[1].At - inner.Sent[0].At, inner.Sent[2].At - inner.Sent[1].At });
        }
    }

    [Fact]
    public async Task When_retries_run_out_the_last_response_goes_back_untouched()
    {
        CountingClock clock = new();
        (HttpClient client, ScriptedHandler inner) = Create(clock, n => Reply(503, $$"""{"attempt":{{n}}}"""), o => o.MaxDelay = o.BaseDelay);
        using (client)
        {
            using HttpResponseMessage response = await Drive.Until(clock, Post(client), TimeSpan.FromMilliseconds(250));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(4, inner.Count);
            Assert.Equal("""{"attempt":4}""", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_retry_after_longer_than_the_cap_is_not_slept_through()
    {
        CountingClock clock = new();
        (HttpClient client, ScriptedHandler inner) = Create(clock, _ => Reply(429, RateLimitBody, ("Retry-After", "3600")));
        using (client)
        {
            RateLimitExceededException error = await Assert.ThrowsAsync<RateLimitExceededException>(() => Post(client));
            Assert.Equal(TimeSpan.FromHours(1), error.RetryAfter);
            Assert.Equal((HttpStatusCode)429, error.StatusCode);
            Assert.Contains("longer than MaxRetryAfter", error.Message);
            Assert.Equal(1, inner.Count);
            Assert.Equal(0, clock.Timers);
        }
    }

    [Fact]
    public async Task A_daily_cap_fails_at_once_with_the_next_midnight_utc()
    {
        CountingClock clock = new();
        (HttpClient client, ScriptedHandler inner) = Create(clock, _ => Reply(429, DailyCapBody));
        using (client)
        {
            DailyTokenCapExceededException error = await Assert.ThrowsAsync<DailyTokenCapExceededException>(() => Post(client));
            Assert.Equal(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero), error.ResetsAt);
            Assert.Equal(TimeSpan.FromHours(2), error.RetryAfter);
            Assert.Contains("Daily token cap", error.Message);
            Assert.Equal(1, inner.Count);
            Assert.Equal(0, clock.Timers);
        }
    }

    [Theory]
    [InlineData("""{"error":{"code":"rate_limit_exceeded","message":"Daily token cap reached"}}""", "60", 60)]
    [InlineData("""{"error":{"code":"insufficient_quota","message":"You exceeded your current quota"}}""", "7200", 7200)]
    [InlineData("""{"code":"rate_limit_exceeded","message":"Daily token cap reached"}""", "30", 30)]
    public async Task A_daily_cap_never_sleeps_even_with_a_short_retry_after(string body, string retryAfter, int seconds)
    {
        CountingClock clock = new();
        (HttpClient client, ScriptedHandler inner) = Create(clock, _ => Reply(429, body, ("Retry-After", retryAfter)));
        using (client)
        {
            DailyTokenCapExceededException error = await Assert.ThrowsAsync<DailyTokenCapExceededException>(() => Post(client));
            Assert.Equal(clock.GetUtcNow() + TimeSpan.FromSeconds(seconds), error.ResetsAt);
            Assert.Equal(1, inner.Count);
        }
    }

    [Fact]
    public async Task A_402_is_not_retried_and_says_to_top_up()
    {
        CountingClock clock = new();
        (HttpClient client, ScriptedHandler inner) = Create(clock, _ => Reply(402, """{"error":{"code":"insufficient_credits","message":"Balance is 0"}}"""));
        using (client)
        {
            InsufficientCreditsException error = await Assert.ThrowsAsync<InsufficientCreditsException>(() => Post(client));
            Assert.Contains("top up", error.Message);
            Assert.Contains("Balance is 0", error.Message);
            Assert.Equal(HttpStatusCode.PaymentRequired, error.StatusCode);
            Assert.Equal(1, inner.Count);
        }
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(422)]
    [InlineData(501)]
    public async Task Caller_errors_go_back_untouched_after_one_attempt(int status)
    {
        CountingClock clock = new();
        (HttpClient client, ScriptedHandler inner) = Create(clock, _ => Reply(status, """{"error":"fix the request"}"""),
            o => o.FallbackModels["gpt-4o"] = new List<string> { "gpt-4o-mini" });
        using (client)
        {
            using HttpResponseMessage response = await Post(client);
            Assert.Equal(status, (int)response.StatusCode);
            Assert.Equal("""{"error":"fix the request"}""", await response.Content.ReadAsStringAsync());
            Assert.Equal(1, inner.Count);
            Assert.False(response.Headers.Contains(RetryGuardHandler.ServedModelHeader));
        }
    }

    [Fact]
    public async Task Still_rate_limited_after_two_backoffs_escalates_once_and_keeps_obeying()
    {
        CountingClock clock = new();
        ListLogger logger = new();
        List<RetryGuardEscalationInfo> escalations = new();
        string name = Guid.NewGuid().ToString("N");
        using MetricsRecorder metrics = new(name);
        (HttpClient client, ScriptedHandler inner) = Create(clock, n => n <= 4 ? Reply(429, RateLimitBody, ("Retry-After", "2")) : Reply(200),
            o =>
            {
                o.Name = name;
                o.MaxRetries = 5;
                o.OnEscalation = escalations.Add;
            }, logger);
        using (client)
        {
            using HttpResponseMessage response = await Drive.Until(clock, Post(client), TimeSpan.FromMilliseconds(500));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(5, inner.Count);
            for (int i = 1; i < 5; i++)
            {
                Assert.True(inner.Sent[i].At - inner.Sent[i - 1].At >= TimeSpan.FromSeconds(2));
            }

            RetryGuardEscalationInfo escalation = Assert.Single(escalations);
            Assert.Equal(3, escalation.ConsecutiveRateLimits);
            Assert.Contains("one key dominating", escalation.Message);
            Assert.Contains("preset lower", escalation.Message);
            Assert.Contains("without rate limiting", escalation.Message);
            Assert.Single(logger.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Id.Name == "Escalation");
            Assert.Equal(1, metrics.Sum("retryguard.escalations"));
            Assert.Equal(4, metrics.Sum("retryguard.rate_limited", "retryguard.kind", "rate_limit"));
            Assert.Equal(4, metrics.Sum("retryguard.retries", "retryguard.reason", "RateLimited"));
            Assert.Equal(5, metrics.Sum("retryguard.attempts"));
        }
    }

    [Fact]
    public async Task Cancelling_during_a_wait_ends_it_at_once_and_nothing_more_is_sent()
    {
        CountingClock clock = new();
        (HttpClient client, ScriptedHandler inner) = Create(clock, _ => Reply(429, RateLimitBody, ("Retry-After", "60")));
        using (client)
        {
            using CancellationTokenSource cancel = new();
            Task<HttpResponseMessage> call = Post(client, cancel.Token);
            await Drive.Eventually(() => clock.Timers == 1, "the policy should be waiting");
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
            clock.Advance(TimeSpan.FromMinutes(10));
            Assert.Equal(1, inner.Count);
        }
    }

    [Fact]
    public async Task An_attempt_that_runs_past_its_timeout_is_retried()
    {
        CountingClock clock = new();
        RetryGuardOptions options = new() { TimeProvider = clock, Random = new Random(1), AttemptTimeout = TimeSpan.FromSeconds(5) };
        ScriptedHandler inner = new(clock, async (n, _, ct) =>
        {
            if (n == 1)
            {
                await Task.Delay(Timeout.Infinite, ct); // hangs until the attempt's token is cancelled
            }

            return Reply(200);
        });
        using HttpClient client = new(new RetryGuardHandler(options, inner));
        using HttpResponseMessage response = await Drive.Until(clock, Post(client), TimeSpan.FromMilliseconds(250));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, inner.Count);
        Assert.True(inner.Sent[1].At - inner.Sent[0].At >= TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Connection_failures_are_retried_and_the_last_one_surfaces()
    {
        CountingClock clock = new();
        RetryGuardOptions options = new() { TimeProvider = clock, MaxRetries = 2 };
        ScriptedHandler inner = new(clock, (_, _, _) => Task.FromException<HttpResponseMessage>(new HttpRequestException("connection refused")));
        using HttpClient client = new(new RetryGuardHandler(options, inner));
        HttpRequestException error = await Assert.ThrowsAsync<HttpRequestException>(() => Drive.Until(clock, Post(client), TimeSpan.FromMilliseconds(250)));
        Assert.Equal("connection refused", error.Message);
        Assert.Equal(3, inner.Count);
    }

    [Fact]
    public async Task Malformed_retry_after_values_fall_back_to_backoff_and_nothing_escapes()
    {
        string[] values = { "-5", "soon", "", "Sat, 01 Jan 2000 00:00:00 GMT", "1e9999", "NaN" };
        foreach (string value in values)
        {
            CountingClock clock = new();
            (HttpClient client, ScriptedHandler inner) = Create(clock, n => n == 1 ? Reply(429, "not json at all {", ("Retry-After", value)) : Reply(200));
            using (client)
            {
                using HttpResponseMessage response = await Drive.Until(clock, Post(client), TimeSpan.FromMilliseconds(100));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(2, inner.Count);
                Assert.True(inner.Sent[1].At - inner.Sent[0].At <= TimeSpan.FromSeconds(1.2), $"'{value}' should mean the default backoff");
            }
        }
    }

    [Fact]
    public async Task A_huge_retry_after_is_surfaced_not_slept_and_an_empty_429_body_is_fine()
    {
        CountingClock clock = new();
        (HttpClient client, ScriptedHandler inner) = Create(clock, _ => Reply(429, "", ("Retry-After", "99999999999999999999")));
        using (client)
        {
            RateLimitExceededException error = await Assert.ThrowsAsync<RateLimitExceededException>(() => Post(client));
            Assert.Equal(TimeSpan.MaxValue, error.RetryAfter);
            Assert.IsNotType<DailyTokenCapExceededException>(error);
            Assert.Equal(1, inner.Count);
        }
    }

    [Fact]
    public async Task A_throwing_callback_is_logged_and_the_request_goes_on()
    {
        CountingClock clock = new();
        ListLogger logger = new();
        (HttpClient client, ScriptedHandler inner) = Create(clock, n => n == 1 ? Reply(503) : Reply(200),
            o => o.OnRetry = _ => throw new InvalidOperationException("callback bug"), logger);
        using (client)
        {
            using HttpResponseMessage response = await Drive.Until(clock, Post(client), TimeSpan.FromMilliseconds(100));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(2, inner.Count);
            Assert.Contains(logger.Entries, e => e.Id.Name == "CallbackFailed" && e.Text.Contains("callback bug"));
        }
    }

    [Fact]
    public async Task A_request_without_a_body_and_a_body_that_is_not_json_are_retried_as_they_are()
    {
        CountingClock clock = new();
        (HttpClient client, ScriptedHandler inner) = Create(clock, n => n % 2 == 1 ? Reply(502) : Reply(200),
            o => o.FallbackModels["gpt-4o"] = new List<string> { "gpt-4o-mini" });
        using (client)
        {
            using HttpResponseMessage get = await Drive.Until(clock, client.GetAsync("http://gateway.test/v1/models"), TimeSpan.FromMilliseconds(100));
            using HttpResponseMessage text = await Drive.Until(clock,
                client.PostAsync("http://gateway.test/upload", new StringContent("model=gpt-4o&x=1")), TimeSpan.FromMilliseconds(100));
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (get.StatusCode, text.StatusCode));
            Assert.Equal(new string?[] { null, null, "model=gpt-4o&x=1", "model=gpt-4o&x=1" }, inner.Sent.Select(s => s.Body));
        }
    }
}
