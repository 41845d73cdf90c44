using System.Net;

namespace RetryGuard.Runtime.Tests;

public class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static HttpResponseMessage With(params (string Name, string Value)[] headers)
    {
        HttpResponseMessage response = new((HttpStatusCode)429) { Content = new StringContent("") };
        foreach ((string name, string value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    [Theory]
    [InlineData("retry-after-ms", "1500", 1500.0)]
    [InlineData("retry-after-ms", "0", 0.0)]
    [InlineData("retry-after-ms", "12.5", 12.5)]
    [InlineData("Retry-After", "7", 7000.0)]
    [InlineData("Retry-After", "0", 0.0)]
    [InlineData("Retry-After", " 30 ", 30000.0)]
    [InlineData("Retry-After", "1.5", 1500.0)]
    [InlineData("Retry-After", "Sat, 28 Nov 2026 12:00:42 GMT", 42000.0)]
    public void Reads_the_delay_the_server_gives(string header, string value, double expectedMs)
    {
        using HttpResponseMessage response = With((header, value));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), RetryAfter.GetDelay(response, Now));
    }

    [Theory]
    [InlineData("Retry-After", "-5")]
    [InlineData("Retry-After", "soon")]
    [InlineData("Retry-After", "")]
    [InlineData("Retry-After", "NaN")]
    [InlineData("Retry-After", "5 seconds")]
    [InlineData("Retry-After", "Sat, 99 Nov 2026 12:00:42 GMT")]
    [InlineData("retry-after-ms", "-1")]
    [InlineData("retry-after-ms", "abc")]
    [InlineData("retry-after-ms", "Infinity")]
    [InlineData("x-unrelated", "5")]
    public void Garbage_negative_and_missing_values_give_null(string header, string value)
    {
        using HttpResponseMessage response = With((header, value));
        Assert.Null(RetryAfter.GetDelay(response, Now));
    }

    [Fact]
    public void A_date_in_the_past_means_now_never_a_negative_delay()
    {
        using HttpResponseMessage response = With(("Retry-After", "Sat, 28 Nov 2026 11:00:00 GMT"));
        Assert.Equal(TimeSpan.Zero, RetryAfter.GetDelay(response, Now));
    }

    [Fact]
    public void Huge_values_saturate_instead_of_overflowing()
    {
        using HttpResponseMessage seconds = With(("Retry-After", "99999999999999999999999"));
        using HttpResponseMessage ms = With(("retry-after-ms", "1e400"));
        Assert.Equal(TimeSpan.MaxValue, RetryAfter.GetDelay(seconds, Now));
        Assert.Null(RetryAfter.GetDelay(ms, Now)); // "1e400" is not a plain number of milliseconds
    }

    [Fact]
    public void Retry_after_ms_wins_over_retry_after_and_a_broken_one_falls_back_to_it()
    {
        using HttpResponseMessage both = With(("retry-after-ms", "250"), ("Retry-After", "9"));
        using HttpResponseMessage broken = With(("retry-after-ms", "x"), ("Retry-After", "9"));
        Assert.Equal(TimeSpan.FromMilliseconds(250), RetryAfter.GetDelay(both, Now));
        Assert.Equal(TimeSpan.FromSeconds(9), RetryAfter.GetDelay(broken, Now));
    }

    [Fact]
    public void The_public_overload_uses_the_system_clock_and_rejects_null()
    {
        using HttpResponseMessage response = With(("Retry-After", "3"));
        Assert.Equal(TimeSpan.FromSeconds(3), RetryAfter.GetDelay(response));
        Assert.Throws<ArgumentNullException>(() => RetryAfter.GetDelay(null!));
    }

    [Theory]
    [InlineData("6m0s", 360_000.0)]
    [InlineData("12ms", 12.0)]
    [InlineData("1h2m3.5s", 3_723_500.0)]
    [InlineData("20s", 20_000.0)]
    [InlineData("0.5s", 500.0)]
    [InlineData("250us", 0.25)]
    [InlineData("1.5", 1500.0)]
    public void Reads_go_durations(string value, double expectedMs)
    {
        Assert.True(RetryAfter.TryParseGoDuration(value, out TimeSpan delay));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), delay);
    }

    [Theory]
    [InlineData("-1s")]
    [InlineData("abc")]
    [InlineData("5x")]
    [InlineData("s")]
    [InlineData("")]
    [InlineData(null)]
    public void Rejects_malformed_go_durations(string? value) => Assert.False(RetryAfter.TryParseGoDuration(value, out _));

    [Fact]
    public void OpenAI_reset_headers_apply_when_no_retry_after_is_given_and_name_the_exhausted_budget()
    {
        using HttpResponseMessage requests = With(("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "6m0s"),
            ("x-ratelimit-remaining-tokens", "5000"), ("x-ratelimit-reset-tokens", "12ms"));
        using HttpResponseMessage tokens = With(("x-ratelimit-remaining-requests", "10"), ("x-ratelimit-reset-requests", "6m0s"),
            ("x-ratelimit-remaining-tokens", "0"), ("x-ratelimit-reset-tokens", "12ms"));
        using HttpResponseMessage unknown = With(("x-ratelimit-reset-requests", "2s"), ("x-ratelimit-reset-tokens", "3s"));
        using HttpResponseMessage explicitWait = With(("Retry-After", "1"), ("x-ratelimit-reset-requests", "2s"));

        Assert.Equal(TimeSpan.FromMinutes(6), RetryAfter.GetServerDelay(requests, Now));
        Assert.Equal(TimeSpan.FromMilliseconds(12), RetryAfter.GetServerDelay(tokens, Now));
        Assert.Equal(TimeSpan.FromSeconds(3), RetryAfter.GetServerDelay(unknown, Now));
        Assert.Equal(TimeSpan.FromSeconds(1), RetryAfter.GetServerDelay(explicitWait, Now));
    }
}

public class HttpStatusPolicyTests
{
    [Fact]
    public void Only_408_429_500_502_503_504_are_retryable()
    {
        int[] retryable = { 408, 429, 500, 502, 503, 504 };
        for (int status = 100; status <= 599; status++)
        {
            Assert.Equal(retryable.Contains(status), HttpStatusPolicy.IsRetryable((HttpStatusCode)status));
        }
    }
}
