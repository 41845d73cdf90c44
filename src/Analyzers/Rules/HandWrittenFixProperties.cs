using System;
using System.Collections.Immutable;
using System.Globalization;

namespace RetryGuard.Analyzers.Rules;

/// <summary>
/// Facts that the rules hand to the code fixes of hand-written retries through <c>Diagnostic.Properties</c>: what
/// the model knows and the fix cannot cheaply re-derive from syntax.
/// </summary>
internal static class HandWrittenFixProperties
{
    /// <summary>RG0002: the failure path refreshes credentials first, so 401/403 are retried on purpose.</summary>
    public const string ChangesRequestFirst = "RetryGuard.ChangesRequestFirst";

    /// <summary>RG0003, RG0007: the largest Retry-After to sleep for (<c>retryguard.max_retry_after</c>), in ticks.</summary>
    public const string MaxRetryAfterTicks = "RetryGuard.MaxRetryAfterTicks";

    /// <summary>RG0003: the existing delay already has a random component ("true") or not ("false").</summary>
    public const string DelayHasJitter = "RetryGuard.DelayHasJitter";

    /// <summary>RG0003 on MEHR options: their own Retry-After handling, turned back on, would wait uncapped ("true").</summary>
    public const string LibraryRetryAfterUnbounded = "RetryGuard.LibraryRetryAfterUnbounded";

    public static ImmutableDictionary<string, string?> MaxRetryAfter(TimeSpan max) =>
        ImmutableDictionary<string, string?>.Empty.Add(MaxRetryAfterTicks, max.Ticks.ToString(CultureInfo.InvariantCulture));

    /// <summary>The cap passed by the rule, or the analyzers' default (120 seconds).</summary>
    public static TimeSpan ReadMaxRetryAfter(ImmutableDictionary<string, string?> properties) =>
        properties.TryGetValue(MaxRetryAfterTicks, out var text) &&
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long ticks) && ticks > 0
            ? TimeSpan.FromTicks(ticks)
            : AnalyzerSettings.DefaultMaxRetryAfter;
}
