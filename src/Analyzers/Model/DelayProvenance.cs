using System;

namespace RetryGuard.Analyzers.Model;

/// <summary>Where the duration of a wait between attempts comes from. Several sources may combine.</summary>
[Flags]
internal enum DelaySource
{
    None = 0,

    /// <summary>A compile-time constant (a literal, a <c>const</c>, a default value).</summary>
    Constant = 1 << 0,

    /// <summary>Deterministic arithmetic over attempt counters, constants and numeric inputs.</summary>
    Computed = 1 << 1,

    /// <summary>A random source: <c>Random</c>, <c>RandomNumberGenerator</c>, a jitter helper.</summary>
    Random = 1 << 2,

    /// <summary>The server said how long: <c>Retry-After</c>, <c>retry-after-ms</c>, <c>x-ratelimit-reset-*</c>.</summary>
    RetryAfter = 1 << 3,

    /// <summary>A bound limits the delay: <c>Math.Min</c>, <c>Math.Clamp</c>.</summary>
    Capped = 1 << 4,

    /// <summary>Something the analysis cannot see through (a call into another library, an option).</summary>
    Unknown = 1 << 5,

    /// <summary>The delay grows geometrically (<c>Math.Pow</c>, shifts, <c>delay *= 2</c>).</summary>
    Exponential = 1 << 6,
}

internal static class DelaySourceExtensions
{
    public static bool Has(this DelaySource sources, DelaySource flag) => (sources & flag) != 0;

    /// <summary>
    /// True when every part of the delay was traced and none is random or server-directed: all clients that
    /// failed together compute the same delay.
    /// </summary>
    public static bool IsDeterministic(this DelaySource sources) =>
        !sources.Has(DelaySource.Random | DelaySource.RetryAfter | DelaySource.Unknown) &&
        sources.Has(DelaySource.Constant | DelaySource.Computed);
}
