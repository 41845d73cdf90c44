using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace RetryGuard.Runtime.Tests;

/// <summary>Gateway behaviours used by several tests.</summary>
public static class GatewayScripts
{
    /// <summary>What a per-key RPM gateway refused: which request, when, and how long it asked to wait.</summary>
    public sealed record Rejection(string? RequestId, DateTimeOffset At, TimeSpan Wait);

    /// <summary>
    /// Enforces <paramref name="limit"/> requests per key per fixed minute of the fake clock, like a gateway; over it,
    /// 429 with Retry-After (whole seconds to the window's end, rounded up) or retry-after-ms (exact).
    /// </summary>
    public static Func<SeenRequest, HttpContext, Task> PerKeyRpm(int limit, TimeProvider clock, ConcurrentQueue<Rejection> rejections,
        bool milliseconds = false, Func<SeenRequest, HttpContext, Task>? onAccepted = null)
    {
        ConcurrentDictionary<(string?, long), int> counts = new();
        return (seen, context) =>
        {
            long window = seen.ArrivedAt.UtcTicks / TimeSpan.TicksPerMinute;
            int count = counts.AddOrUpdate((seen.Key, window), 1, (_, c) => c + 1);
            if (count <= limit)
            {
                return onAccepted is null ? Replies.Ok(context, seen) : onAccepted(seen, context);
            }

            TimeSpan wait = new DateTimeOffset((window + 1) * TimeSpan.TicksPerMinute, TimeSpan.Zero) - seen.ArrivedAt;
            rejections.Enqueue(new Rejection(seen.RequestId, seen.ArrivedAt, milliseconds ? wait : TimeSpan.FromSeconds(Math.Ceiling(wait.TotalSeconds))));
            return milliseconds
                ? Replies.RateLimited(context, ("retry-after-ms", wait.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)))
                : Replies.RateLimited(context, ("Retry-After", Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture)));
        };
    }

    /// <summary>The largest number of requests in any window of <paramref name="width"/>.</summary>
    public static int MaxInWindow(IEnumerable<DateTimeOffset> arrivals, TimeSpan width)
    {
        DateTimeOffset[] sorted = arrivals.OrderBy(a => a).ToArray();
        int best = 0;
        int start = 0;
        for (int end = 0; end < sorted.Length; end++)
        {
            while (sorted[end] - sorted[start] >= width)
            {
                start++;
            }

            best = Math.Max(best, end - start + 1);
        }

        return best;
    }
}
