using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace RetryGuard.Runtime.Tests;

/// <summary>
/// What the limiter learns from a response's <c>x-ratelimit-*</c> headers, read in one pass over the headers: the same
/// pauses as looking each header up by name (response headers first, then the content's, once a response header
/// carries the prefix), for every shape a server or a proxy may send.
/// </summary>
public class RateLimitHeadersTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 22, 0, 0, TimeSpan.Zero);

    /// <summary>OpenAI's six headers, as it sends them on every response.</summary>
    private static readonly (string, string)[] OpenAI =
    [
        ("x-ratelimit-limit-requests", "10000"), ("x-ratelimit-limit-tokens", "2000000"),
        ("x-ratelimit-remaining-requests", "9999"), ("x-ratelimit-remaining-tokens", "1999950"),
        ("x-ratelimit-reset-requests", "6ms"), ("x-ratelimit-reset-tokens", "1ms"),
    ];

    public static TheoryData<string, (string Name, string Value)[], (string Name, string Value)[], double?> Responses() => new()
    {
        { "no headers", [], [], null },
        { "unrelated headers", [("x-request-id", "req_1"), ("Retry-After", "5"), ("x-ratelimit", "0")], [], null },
        { "OpenAI, plenty left", OpenAI, [], null },
        { "requests used up", [("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "20s")], [], 20 },
        { "requests used up, negative count", [("x-ratelimit-remaining-requests", "-3"), ("x-ratelimit-reset-requests", "5s")], [], 5 },
        { "tokens used up beside OpenAI's others", Replace(OpenAI, ("x-ratelimit-remaining-tokens", "0"), ("x-ratelimit-reset-tokens", "7s")), [], 7 },
        { "5 of 100 left over a minute", [("x-ratelimit-limit-requests", "100"), ("x-ratelimit-remaining-requests", "5"), ("x-ratelimit-reset-requests", "1m0s")], [], 10 },
        { "both budgets low: the longer pause", [("x-ratelimit-limit-requests", "100"), ("x-ratelimit-remaining-requests", "5"), ("x-ratelimit-reset-requests", "1m0s"), ("x-ratelimit-remaining-tokens", "0"), ("x-ratelimit-reset-tokens", "30s")], [], 30 },
        { "above the spare share", [("x-ratelimit-limit-requests", "100"), ("x-ratelimit-remaining-requests", "20"), ("x-ratelimit-reset-requests", "1m0s")], [], null },
        { "just below the spare share", [("x-ratelimit-limit-requests", "100"), ("x-ratelimit-remaining-requests", "19"), ("x-ratelimit-reset-requests", "1m0s")], [], 3 },
        { "names in any case", [("X-RateLimit-Remaining-Requests", "0"), ("X-RATELIMIT-RESET-REQUESTS", "4s")], [], 4 },
        { "white space around values", [("x-ratelimit-remaining-requests", " 0 "), ("x-ratelimit-reset-requests", " 2s ")], [], 2 },
        { "a repeated header: its first value", [("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-remaining-requests", "50"), ("x-ratelimit-reset-requests", "9s")], [], 9 },
        { "a repeated header, first value malformed", [("x-ratelimit-remaining-requests", "none"), ("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "9s")], [], null },
        { "reset among the content headers", [("x-ratelimit-remaining-requests", "0")], [("x-ratelimit-reset-requests", "3s")], 3 },
        { "all among the content headers, another in the response's", [("x-ratelimit-policy", "tier-1")], [("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "3s")], 3 },
        { "the bare prefix in the response's", [("x-ratelimit-", "?")], [("x-ratelimit-remaining-tokens", "0"), ("x-ratelimit-reset-tokens", "8s")], 8 },
        { "only among the content headers", [], [("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "3s")], null },
        { "response's value wins over the content's", [("x-ratelimit-remaining-requests", "50"), ("x-ratelimit-reset-requests", "3s")], [("x-ratelimit-remaining-requests", "0")], null },
        { "no reset", [("x-ratelimit-remaining-requests", "0")], [], null },
        { "malformed reset", [("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "soon")], [], null },
        { "negative reset", [("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "-1s")], [], null },
        { "zero reset", [("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "0s")], [], null },
        { "malformed count", [("x-ratelimit-remaining-requests", "zero"), ("x-ratelimit-reset-requests", "5s")], [], null },
        { "empty values", [("x-ratelimit-remaining-requests", ""), ("x-ratelimit-reset-requests", "")], [], null },
        { "low count, no limit", [("x-ratelimit-remaining-requests", "1"), ("x-ratelimit-reset-requests", "5s")], [], null },
        { "low count, zero limit", [("x-ratelimit-limit-requests", "0"), ("x-ratelimit-remaining-requests", "1"), ("x-ratelimit-reset-requests", "5s")], [], null },
        { "low count, malformed reset", [("x-ratelimit-limit-requests", "100"), ("x-ratelimit-remaining-requests", "1"), ("x-ratelimit-reset-requests", "later")], [], null },
        { "near-miss names", [("x-ratelimit-remaining-request", "0"), ("x-ratelimit-reset-request", "5s"), ("x-rate-limit-remaining-requests", "0"), ("ratelimit-remaining", "0")], [], null },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public void The_pause_is_what_looking_each_header_up_by_name_gives(string shape,
        (string Name, string Value)[] responseHeaders, (string Name, string Value)[] contentHeaders, double? pauseSeconds)
    {
        using HttpResponseMessage response = new(HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
        foreach ((string name, string value) in responseHeaders)
        {
            Assert.True(response.Headers.TryAddWithoutValidation(name, value), shape);
        }

        foreach ((string name, string value) in contentHeaders)
        {
            Assert.True(response.Content.Headers.TryAddWithoutValidation(name, value), shape);
        }

        // The expectation is computed before the limiter reads the response (a look-up by name may parse what it reads).
        long expected = ByName(response, 0.8);
        Assert.Equal(pauseSeconds is { } s ? (Now + TimeSpan.FromSeconds(s)).UtcTicks : 0, expected);

        FakeTimeProvider clock = new(Now);
        using ProactiveLimiter limiter = new(new RetryGuardOptions { TimeProvider = clock });
        limiter.Observe(response);
        Assert.Equal(expected, limiter.PausedUntilTicks);
    }

    [Fact]
    public void A_response_without_content_is_read_without_failing()
    {
        using HttpResponseMessage response = new(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-requests", "0");
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-requests", "6s");
        using ProactiveLimiter limiter = new(new RetryGuardOptions { TimeProvider = new FakeTimeProvider(Now) });
        limiter.Observe(response);
        Assert.Equal((Now + TimeSpan.FromSeconds(6)).UtcTicks, limiter.PausedUntilTicks);
    }

    /// <summary>
    /// The pause the headers call for, found by looking each header up by name as the limiter did before it read them in
    /// one pass: only when some response header carries the <c>x-ratelimit-</c> prefix.
    /// </summary>
    private static long ByName(HttpResponseMessage response, double headroom)
    {
        if (!response.Headers.NonValidated.Any(h => h.Key.StartsWith("x-ratelimit-", StringComparison.OrdinalIgnoreCase)))
        {
            return 0;
        }

        long until = 0;
        foreach ((string remainingName, string limitName, string resetName) in new[]
                 {
                     ("x-ratelimit-remaining-requests", "x-ratelimit-limit-requests", "x-ratelimit-reset-requests"),
                     ("x-ratelimit-remaining-tokens", "x-ratelimit-limit-tokens", "x-ratelimit-reset-tokens"),
                 })
        {
            long? remaining = RetryAfter.TryGetLong(response, remainingName);
            if (remaining is null || !RetryAfter.TryGetHeader(response, resetName, out string? resetText) ||
                !RetryAfter.TryParseGoDuration(resetText, out TimeSpan reset))
            {
                continue;
            }

            long? limit = RetryAfter.TryGetLong(response, limitName);
            TimeSpan pause = remaining <= 0 ? reset
                : limit is > 0 && remaining < limit * (1 - headroom) ? TimeSpan.FromTicks(reset.Ticks / (remaining.Value + 1))
                : TimeSpan.Zero;
            if (pause > TimeSpan.Zero)
            {
                until = Math.Max(until, (Now + pause).UtcTicks);
            }
        }

        return until;
    }

    private static (string, string)[] Replace((string Name, string Value)[] headers, params (string Name, string Value)[] changes) =>
        headers.Select(h => changes.FirstOrDefault(c => c.Name == h.Name) is { Name: not null } c ? c : h).ToArray();
}
