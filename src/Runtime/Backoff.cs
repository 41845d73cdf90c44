using System;

namespace RetryGuard;

/// <summary>
/// Jittered delays between attempts. Without a random component every client that failed together retries at the
/// same instant and the server sees a stampede; full jitter spreads the retries uniformly over the whole window.
/// </summary>
public static class Backoff
{
    /// <summary>
    /// Full jitter: a delay drawn uniformly from [0, <paramref name="delay"/>].
    /// </summary>
    /// <param name="delay">The deterministic delay to spread out; must not be negative.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    public static TimeSpan WithJitter(TimeSpan delay)
    {
        if (delay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay,
                "A retry delay cannot be negative; pass TimeSpan.Zero or a positive delay.");
        }

        return Scale(delay, SharedRandom.NextDouble());
    }

    /// <summary>
    /// Full-jitter capped exponential backoff: a delay drawn uniformly from
    /// [0, min(<paramref name="maxDelay"/>, <paramref name="baseDelay"/> × 2^<paramref name="attempt"/>)].
    /// </summary>
    /// <param name="attempt">How many retries came before this one: 0 for the first retry.</param>
    /// <param name="baseDelay">The window of the first retry; must be positive.</param>
    /// <param name="maxDelay">The largest window; must be at least <paramref name="baseDelay"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside the ranges above.</exception>
    public static TimeSpan Exponential(int attempt, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        return Scale(ExponentialCeiling(attempt, baseDelay, maxDelay), SharedRandom.NextDouble());
    }

    /// <summary><see cref="Exponential(int, TimeSpan, TimeSpan)"/> drawing from <paramref name="random"/> (locked) when given.</summary>
    internal static TimeSpan Exponential(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, Random? random) =>
        Scale(ExponentialCeiling(attempt, baseDelay, maxDelay), NextDouble(random));

    /// <summary>A uniform draw in [0, 1) from <paramref name="random"/> under a lock, or from the shared source.</summary>
    internal static double NextDouble(Random? random)
    {
        if (random is null)
        {
            return SharedRandom.NextDouble();
        }

        lock (random)
        {
            return random.NextDouble();
        }
    }

    /// <summary>
    /// The upper end of the window that <see cref="Exponential(int, TimeSpan, TimeSpan)"/> draws from, after argument validation.
    /// </summary>
    internal static TimeSpan ExponentialCeiling(int attempt, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        if (attempt < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(attempt), attempt,
                "The attempt number counts retries already made and starts at 0; it cannot be negative.");
        }

        if (baseDelay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(baseDelay), baseDelay,
                "The base delay must be positive, for example TimeSpan.FromSeconds(1).");
        }

        if (maxDelay < baseDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDelay), maxDelay,
                $"The maximum delay ({maxDelay}) must be at least the base delay ({baseDelay}).");
        }

        // 2^attempt overflows quickly; once the window reaches the cap it stays there.
        double ticks = baseDelay.Ticks * Math.Pow(2, Math.Min(attempt, 62));
        return ticks >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Scales <paramref name="delay"/> by <paramref name="unit"/> in [0, 1], rounding to whole ticks.</summary>
    internal static TimeSpan Scale(TimeSpan delay, double unit)
    {
        // NextDouble() is in [0, 1); rounding lets the full window [0, delay] be reached at both ends.
        long ticks = (long)Math.Round(delay.Ticks * unit, MidpointRounding.AwayFromZero);
        return TimeSpan.FromTicks(Math.Min(Math.Max(ticks, 0), delay.Ticks));
    }

    private static class SharedRandom
    {
#if NET6_0_OR_GREATER
        public static double NextDouble() => Random.Shared.NextDouble();
#else
        // System.Random is not thread-safe: one instance per thread, each seeded from a shared, locked generator.
        private static readonly Random Seeds = new();

        [ThreadStatic]
        private static Random? _local;

        public static double NextDouble()
        {
            if (_local is null)
            {
                int seed;
                lock (Seeds)
                {
                    seed = Seeds.Next();
                }

                _local = new Random(seed);
            }

            return _local.NextDouble();
        }
#endif
    }
}
