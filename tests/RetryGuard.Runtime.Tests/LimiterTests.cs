using System.Collections.Concurrent;
using System.Net;

namespace RetryGuard.Runtime.Tests;

/// <summary>The proactive limiter alone, on a fake clock: exact, with no I/O in the way.</summary>
public class LimiterTests
{
    /// <summary>
    /// Acquires <paramref name="count"/> permits one after another, moving the clock only while the current caller
    /// waits, and records the fake time of each grant.
    /// </summary>
    private static async Task<List<DateTimeOffset>> AcquireAll(CountingClock clock, ProactiveLimiter limiter, int count, TimeSpan step)
    {
        List<DateTimeOffset> granted = new();
        for (int n = 0; n < count; n++)
        {
            Task acquire = limiter.AcquireAsync(1, CancellationToken.None).AsTask();

            // The clock stops the moment the bucket grants (its queue empties inside Advance), not when the caller's
            // continuation has run on the thread pool: under load that comes later, and the grant would be recorded late.
            for (int i = 0; i < 100_000 && !acquire.IsCompleted && limiter.QueuedForRequestPermits > 0; i++)
            {
                clock.Advance(step);
            }

            await acquire;
            granted.Add(clock.GetUtcNow());
        }

        return granted;
    }

    [Theory]
    [InlineData(60, 0.8, 48, 5, 2)]
    [InlineData(30, 1.0, 29, 1, 2)]
    [InlineData(200, 0.75, 150, 15, 2)]
    public async Task Any_minute_sees_at_most_the_published_limit_and_the_sustained_rate_is_headroom_of_it(
        int rpm, double headroom, int sustained, int burst, int minutes)
    {
        CountingClock clock = new();
        using ProactiveLimiter limiter = new(new RetryGuardOptions { TimeProvider = clock, RequestsPerMinute = rpm, Headroom = headroom, QueueLimit = int.MaxValue });
        int count = sustained * minutes;
        List<DateTimeOffset> granted = await AcquireAll(clock, limiter, count, TimeSpan.FromMilliseconds(60_000.0 * burst / sustained / 4));

        Assert.Equal(count, granted.Count);
        Assert.Equal(burst, granted.Count(g => g == granted.Min()));
        int busiestMinute = GatewayScripts.MaxInWindow(granted, TimeSpan.FromMinutes(1));
        // Never more than the published limit in any minute (a full bucket plus a minute of refill); and not starved
        // (grants here align to the clock's steps of a quarter of a burst's refill, which costs up to a fifth of the rate).
        Assert.InRange(busiestMinute, sustained * 3 / 4, Math.Min(rpm, sustained + burst));
        TimeSpan span = granted.Max() - granted.Min();
        Assert.True(span >= TimeSpan.FromMinutes(minutes - 1), $"{minutes} minutes' worth took only {span}");
    }

    [Fact]
    public async Task A_pause_holds_every_request_until_it_ends_and_cancellation_leaves_the_queue()
    {
        CountingClock clock = new();
        using ProactiveLimiter limiter = new(new RetryGuardOptions { TimeProvider = clock });
        limiter.Pause(TimeSpan.FromSeconds(3));
        Task waiting = limiter.AcquireAsync(1, CancellationToken.None).AsTask();
        using CancellationTokenSource cancel = new();
        Task cancelled = limiter.AcquireAsync(1, cancel.Token).AsTask();
        Assert.Equal(2, limiter.Waiting);

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        clock.Advance(TimeSpan.FromSeconds(3) - TimeSpan.FromMilliseconds(1));
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await waiting;
        Assert.Equal(0, limiter.Waiting);
    }

    [Fact]
    public void Malformed_rate_limit_headers_are_ignored()
    {
        CountingClock clock = new();
        using ProactiveLimiter limiter = new(new RetryGuardOptions { TimeProvider = clock });
        foreach ((string remaining, string reset) in new[] { ("zero", "5s"), ("0", "soon"), ("-3", "-1s"), ("", ""), ("0", "") })
        {
            using HttpResponseMessage response = new(HttpStatusCode.OK);
            response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-requests", remaining);
            response.Headers.TryAddWithoutValidation("x-ratelimit-reset-requests", reset);
            limiter.Observe(response);
        }

        Assert.True(limiter.AcquireAsync(1, CancellationToken.None).IsCompletedSuccessfully);
    }
}
