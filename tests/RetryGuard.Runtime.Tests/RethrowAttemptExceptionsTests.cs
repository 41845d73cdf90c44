using System.Net;
using System.Text;

namespace RetryGuard.Runtime.Tests;

/// <summary>
/// <see cref="RetryGuardOptions.RethrowAttemptExceptions"/>: the shape the "Use RetryGuard policy" code fix emits, a
/// delegate that calls <c>EnsureSuccessStatusCode</c> against a real HTTP server, keeps its own exceptions.
/// </summary>
public class RethrowAttemptExceptionsTests : IClassFixture<Gateway>
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);
    private readonly Gateway _gateway;

    public RethrowAttemptExceptionsTests(Gateway gateway) => _gateway = gateway;

    private static RetryGuardPolicy Policy(CountingClock clock, bool rethrow, int maxRetries = 3) =>
        new(new RetryGuardOptions { TimeProvider = clock, Random = new Random(3), MaxRetries = maxRetries, RethrowAttemptExceptions = rethrow });

    /// <summary>One attempt as a hand-written loop makes it: send, <c>EnsureSuccessStatusCode</c>, read.</summary>
    private static async Task<string> AttemptAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await http.PostAsync("v1/chat/completions",
            new StringContent("""{"model":"gpt-4o"}""", Encoding.UTF8, "application/json"), cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>As the sample's client does: the error body goes into the exception's message.</summary>
    private static async Task<string> AttemptWithBodyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await http.PostAsync("v1/chat/completions",
            new StringContent("""{"model":"gpt-4o"}""", Encoding.UTF8, "application/json"), cancellationToken);
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode ? body : throw new HttpRequestException(body, null, response.StatusCode);
    }

    /// <summary>A status-checking loop's attempt after "Use RetryGuard policy": the response itself, once ensured.</summary>
    private static async Task<HttpResponseMessage> EnsuredResponseAsync(HttpClient http, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await http.PostAsync("v1/chat/completions",
            new StringContent("""{"model":"gpt-4o"}""", Encoding.UTF8, "application/json"), cancellationToken);
        response.EnsureSuccessStatusCode();
        return response;
    }

    [Fact]
    public async Task An_attempt_that_returns_its_ensured_response_gets_that_response_as_it_is_after_transient_failures()
    {
        CountingClock clock = new();
        Scenario flaky = _gateway.Script(clock, (seen, context) => seen.Index < 3 ? Replies.Status(context, 502) : Replies.Ok(context, seen));
        using HttpClient http = new() { BaseAddress = flaky.BaseAddress };
        using RetryGuardPolicy policy = Policy(clock, rethrow: true, maxRetries: 2);

        using HttpResponseMessage response = await Drive.Until(clock, policy.ExecuteAsync(ct => EnsuredResponseAsync(http, ct)), Step);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("resp-3", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(3, flaky.Count);
    }

    [Fact]
    public async Task A_429_surfacing_through_EnsureSuccessStatusCode_is_backed_off_whatever_its_retry_after_and_rethrown_as_it_was()
    {
        // The exception carries no headers: the policy backs off as the loop did, and never turns it into its own exception.
        CountingClock clock = new();
        DateTimeOffset started = clock.GetUtcNow();
        Scenario limited = _gateway.Script(clock, (_, context) => Replies.RateLimited(context, ("Retry-After", "3600")));
        using HttpClient http = new() { BaseAddress = limited.BaseAddress };
        using RetryGuardPolicy policy = Policy(clock, rethrow: true, maxRetries: 2);

        HttpRequestException last = await Assert.ThrowsAsync<HttpRequestException>(() =>
            Drive.Until(clock, policy.ExecuteAsync(ct => AttemptAsync(http, ct)), Step));

        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
        Assert.Equal(3, limited.Count);
        Assert.True(clock.GetUtcNow() - started < TimeSpan.FromMinutes(1));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_402_ends_the_request_at_once_with_the_attempts_own_exception_only_when_asked(bool rethrow)
    {
        CountingClock clock = new();
        Scenario scenario = _gateway.Script(clock, (_, context) => Replies.Status(context, 402, "insufficient_quota"));
        using HttpClient http = new() { BaseAddress = scenario.BaseAddress };
        using RetryGuardPolicy policy = Policy(clock, rethrow);

        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => policy.ExecuteAsync(ct => AttemptAsync(http, ct)));

        Assert.Equal(1, scenario.Count);
        Assert.Equal(0, clock.Timers);
        HttpRequestException original = Assert.IsType<HttpRequestException>(rethrow ? error : Assert.IsType<InsufficientCreditsException>(error).InnerException);
        Assert.Equal(HttpStatusCode.PaymentRequired, original.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_daily_cap_is_never_slept_through_and_surfaces_as_the_attempts_exception_only_when_asked(bool rethrow)
    {
        CountingClock clock = new();
        Scenario scenario = _gateway.Script(clock, (_, context) => Replies.DailyCap(context, ("Retry-After", "7200")));
        using HttpClient http = new() { BaseAddress = scenario.BaseAddress };
        using RetryGuardPolicy policy = Policy(clock, rethrow);

        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => policy.ExecuteAsync(ct => AttemptWithBodyAsync(http, ct)));

        Assert.Equal(1, scenario.Count);
        Assert.Equal(0, clock.Timers);
        if (rethrow)
        {
            HttpRequestException original = Assert.IsType<HttpRequestException>(error);
            Assert.Equal(HttpStatusCode.TooManyRequests, original.StatusCode);
            Assert.Contains("Daily token cap", original.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.IsType<HttpRequestException>(Assert.IsType<DailyTokenCapExceededException>(error).InnerException);
        }
    }

    [Fact]
    public async Task An_sdk_exception_asking_to_wait_past_MaxRetryAfter_is_rethrown_without_a_wait()
    {
        CountingClock clock = new();
        using RetryGuardPolicy policy = Policy(clock, rethrow: true);
        int calls = 0;

        await Assert.ThrowsAsync<Azure.RequestFailedException>(() => policy.ExecuteAsync<int>(_ =>
        {
            calls++;
            return Task.FromException<int>(new Azure.RequestFailedException(429, "Too many requests", ("Retry-After", "86400")));
        }));

        Assert.Equal(1, calls);
        Assert.Equal(0, clock.Timers);
    }

    [Fact]
    public async Task Transient_failures_are_still_retried_and_the_last_one_is_rethrown_as_it_was()
    {
        CountingClock clock = new();
        Scenario flaky = _gateway.Script(clock, (seen, context) => seen.Index < 3 ? Replies.Status(context, 503) : Replies.Ok(context, seen));
        using HttpClient flakyHttp = new() { BaseAddress = flaky.BaseAddress };
        using RetryGuardPolicy policy = Policy(clock, rethrow: true, maxRetries: 2);

        string body = await Drive.Until(clock, policy.ExecuteAsync(ct => AttemptAsync(flakyHttp, ct)), Step);
        Assert.Contains("resp-3", body, StringComparison.Ordinal);
        Assert.Equal(3, flaky.Count);

        Scenario down = _gateway.Script(clock, (_, context) => Replies.Status(context, 503));
        using HttpClient downHttp = new() { BaseAddress = down.BaseAddress };
        HttpRequestException last = await Assert.ThrowsAsync<HttpRequestException>(() =>
            Drive.Until(clock, policy.ExecuteAsync(ct => AttemptAsync(downHttp, ct)), Step));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, last.StatusCode);
        Assert.Equal(3, down.Count);
    }

    [Fact]
    public async Task Caller_errors_are_not_retried_with_or_without_the_option()
    {
        CountingClock clock = new();
        Scenario scenario = _gateway.Script(clock, (_, context) => Replies.Status(context, 400, "model_not_found"));
        using HttpClient http = new() { BaseAddress = scenario.BaseAddress };
        using RetryGuardPolicy policy = Policy(clock, rethrow: true);

        HttpRequestException error = await Assert.ThrowsAsync<HttpRequestException>(() => policy.ExecuteAsync(ct => AttemptAsync(http, ct)));
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(1, scenario.Count);
    }

    [Fact]
    public void The_option_is_off_by_default_and_shown_by_ToString()
    {
        Assert.False(new RetryGuardOptions().RethrowAttemptExceptions);
        Assert.Contains("RethrowAttemptExceptions = true", new RetryGuardOptions { RethrowAttemptExceptions = true }.ToString(), StringComparison.Ordinal);
    }
}
