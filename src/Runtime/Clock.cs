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

    /// <summary>
    /// Waits <paramref name="delay"/> on <paramref name="time"/>: true when the time has passed, false as soon as
    /// <paramref name="wake"/> or <paramref name="wakeToo"/> is signalled (nothing is thrown for a wake-up, so waking
    /// many waiters at once costs no exceptions). Throws <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public static async Task<bool> WaitAsync(TimeProvider time, TimeSpan delay, CancellationToken cancellationToken,
        CancellationToken wake, CancellationToken wakeToo = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (wake.IsCancellationRequested || wakeToo.IsCancellationRequested)
        {
            return false;
        }

        if (delay <= TimeSpan.Zero)
        {
            return true;
        }

        // Continuations run where the wait ends, as after Task.Delay: in the timer's callback, or on the thread that
        // signals (which queues its signal to the thread pool, see OutageGate and DailyCaps).
        TaskCompletionSource<bool> done = new();
        TimeSpan bounded = delay > MaxTimer ? MaxTimer : CeilingToMilliseconds(delay);
        using ITimer timer = time.CreateTimer(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(true), done,
            bounded, Timeout.InfiniteTimeSpan);
        using CancellationTokenRegistration cancelled = cancellationToken.Register(
            static state => ((TaskCompletionSource<bool>)state!).TrySetResult(false), done);
        using CancellationTokenRegistration woken = wake.Register(
            static state => ((TaskCompletionSource<bool>)state!).TrySetResult(false), done);
        using CancellationTokenRegistration wokenToo = wakeToo.Register(
            static state => ((TaskCompletionSource<bool>)state!).TrySetResult(false), done);
        bool elapsed = await done.Task.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return elapsed;
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
