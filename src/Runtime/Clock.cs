using System;
using System.Threading;
using System.Threading.Tasks;

namespace RetryGuard;

/// <summary>Waits and timeouts on a <see cref="TimeProvider"/>, on every target framework.</summary>
internal static class Clock
{
    public static Task Delay(TimeProvider time, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.CompletedTask;
        }

        // Timers count whole milliseconds and Task.Delay truncates: round up, so a wait is never shorter than asked.
        // They also take at most ~49 days; a longer wait is never asked for (MaxRetryAfter bounds server waits) but
        // must not throw if it were.
        TimeSpan bounded = delay > MaxTimer ? MaxTimer : CeilingToMilliseconds(delay);
#if NET8_0_OR_GREATER
        return Task.Delay(bounded, time, cancellationToken);
#else
        return time.Delay(bounded, cancellationToken);
#endif
    }

    /// <summary><paramref name="delay"/> rounded up to whole milliseconds, the resolution of timers.</summary>
    public static TimeSpan CeilingToMilliseconds(TimeSpan delay)
    {
        long remainder = delay.Ticks % TimeSpan.TicksPerMillisecond;
        return remainder == 0 ? delay : TimeSpan.FromTicks(delay.Ticks - remainder + TimeSpan.TicksPerMillisecond);
    }

    public static CancellationTokenSource CreateTimeout(TimeProvider time, TimeSpan timeout)
    {
        TimeSpan bounded = timeout > MaxTimer ? MaxTimer : timeout;
#if NET8_0_OR_GREATER
        return new CancellationTokenSource(bounded, time);
#else
        return time.CreateCancellationTokenSource(bounded);
#endif
    }

    /// <summary><paramref name="at"/> + <paramref name="delay"/>, saturating at <see cref="DateTimeOffset.MaxValue"/>.</summary>
    public static DateTimeOffset AddSaturating(DateTimeOffset at, TimeSpan delay) =>
        delay >= DateTimeOffset.MaxValue - at ? DateTimeOffset.MaxValue : at + delay;

    /// <summary>The next midnight UTC after <paramref name="now"/>: when daily caps reset unless the server says otherwise.</summary>
    public static DateTimeOffset NextMidnightUtc(DateTimeOffset now)
    {
        DateTimeOffset utc = now.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero).AddDays(1);
    }

    private static readonly TimeSpan MaxTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);
}
