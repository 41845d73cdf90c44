using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;

namespace RetryGuard;

/// <summary>
/// Reads how long a server asked the client to wait. Malformed values never throw: they count as "not said".
/// </summary>
public static class RetryAfter
{
    internal const string RetryAfterMsHeader = "retry-after-ms";
    internal const string ResetRequestsHeader = "x-ratelimit-reset-requests";
    internal const string ResetTokensHeader = "x-ratelimit-reset-tokens";
    internal const string RemainingRequestsHeader = "x-ratelimit-remaining-requests";
    internal const string RemainingTokensHeader = "x-ratelimit-remaining-tokens";
    internal const string LimitRequestsHeader = "x-ratelimit-limit-requests";
    internal const string LimitTokensHeader = "x-ratelimit-limit-tokens";

    /// <summary>
    /// The wait a response asks for: <c>retry-after-ms</c> (milliseconds) first, then <c>Retry-After</c> as
    /// delta-seconds or an HTTP-date (relative to the system clock).
    /// </summary>
    /// <returns>
    /// The delay, never negative (a date in the past gives <see cref="TimeSpan.Zero"/>); <see langword="null"/> when
    /// the response says nothing usable (missing, negative or garbage values).
    /// </returns>
    public static TimeSpan? GetDelay(HttpResponseMessage response)
    {
        if (response is null)
        {
            throw new ArgumentNullException(nameof(response));
        }

        return GetDelay(response, TimeProvider.System.GetUtcNow());
    }

    /// <summary><see cref="GetDelay(HttpResponseMessage)"/> relative to <paramref name="now"/>.</summary>
    internal static TimeSpan? GetDelay(HttpResponseMessage response, DateTimeOffset now)
    {
        if (TryGetHeader(response, RetryAfterMsHeader, out string? ms) && TryParseMilliseconds(ms, out TimeSpan fromMs))
        {
            return fromMs;
        }

        return TryGetHeader(response, "Retry-After", out string? value) ? ParseRetryAfter(value, now) : null;
    }

    /// <summary>
    /// The wait a 429 asks for, including OpenAI-style <c>x-ratelimit-reset-requests</c>/<c>-tokens</c> (Go
    /// durations such as <c>6m0s</c>) when no Retry-After is given: the reset of the exhausted budget, or the longer
    /// reset when the response does not say which budget is exhausted.
    /// </summary>
    internal static TimeSpan? GetServerDelay(HttpResponseMessage response, DateTimeOffset now)
    {
        TimeSpan? delay = GetDelay(response, now);
        if (delay is not null)
        {
            return delay;
        }

        TimeSpan? requests = TryGetHeader(response, ResetRequestsHeader, out string? r) && TryParseGoDuration(r, out TimeSpan rd) ? rd : null;
        TimeSpan? tokens = TryGetHeader(response, ResetTokensHeader, out string? t) && TryParseGoDuration(t, out TimeSpan td) ? td : null;
        bool requestsExhausted = TryGetLong(response, RemainingRequestsHeader) is <= 0;
        bool tokensExhausted = TryGetLong(response, RemainingTokensHeader) is <= 0;

        if (requestsExhausted && !tokensExhausted && requests is not null)
        {
            return requests;
        }

        if (tokensExhausted && !requestsExhausted && tokens is not null)
        {
            return tokens;
        }

        if (requests is null)
        {
            return tokens;
        }

        return tokens is null || requests >= tokens ? requests : tokens;
    }

    /// <summary>Parses a Retry-After value: delta-seconds (fractions tolerated) or an HTTP-date.</summary>
    internal static TimeSpan? ParseRetryAfter(string? value, DateTimeOffset now)
    {
        if (value is null)
        {
            return null;
        }

        string text = value.Trim();
        if (text.Length == 0)
        {
            return null;
        }

        if (char.IsDigit(text[0]))
        {
            if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds))
            {
                return FromUnits(seconds, TimeSpan.TicksPerSecond);
            }

            // Not a number; it may still be a date that starts with a digit ("06 Nov 1994 08:49:37 GMT").
        }

        if (RetryConditionHeaderValue.TryParse(text, out RetryConditionHeaderValue? parsed) && parsed.Date is { } date)
        {
            return date <= now ? TimeSpan.Zero : date - now;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out DateTimeOffset loose) &&
            text.IndexOf("GMT", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return loose <= now ? TimeSpan.Zero : loose - now;
        }

        return null;
    }

    /// <summary>Parses a non-negative number of milliseconds.</summary>
    internal static bool TryParseMilliseconds(string? value, out TimeSpan delay)
    {
        delay = default;
        if (value is null ||
            !double.TryParse(value.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double ms))
        {
            return false;
        }

        TimeSpan? parsed = FromUnits(ms, TimeSpan.TicksPerMillisecond);
        if (parsed is null)
        {
            return false;
        }

        delay = parsed.Value;
        return true;
    }

    /// <summary>
    /// Parses a Go duration as OpenAI sends it in <c>x-ratelimit-reset-*</c>: <c>6m0s</c>, <c>12ms</c>,
    /// <c>1h2m3.5s</c>, <c>250us</c>. A bare number counts as seconds. Negative or malformed: false.
    /// </summary>
    internal static bool TryParseGoDuration(string? value, out TimeSpan delay)
    {
        delay = default;
        if (value is null)
        {
            return false;
        }

        string text = value.Trim();
        if (text.Length == 0)
        {
            return false;
        }

        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double bare))
        {
            TimeSpan? seconds = FromUnits(bare, TimeSpan.TicksPerSecond);
            delay = seconds.GetValueOrDefault();
            return seconds is not null;
        }

        double ticks = 0;
        int i = 0;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (i == start ||
                !double.TryParse(text.Substring(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
            {
                return false;
            }

            int unitStart = i;
            while (i < text.Length && !char.IsDigit(text[i]) && text[i] != '.')
            {
                i++;
            }

            double? unit = text.Substring(unitStart, i - unitStart) switch
            {
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMillisecond / 1000.0,
                "ns" => TimeSpan.TicksPerMillisecond / 1_000_000.0,
                _ => null,
            };
            if (unit is null)
            {
                return false;
            }

            ticks += number * unit.Value;
        }

        TimeSpan? total = FromUnits(ticks, 1);
        delay = total.GetValueOrDefault();
        return total is not null;
    }

    /// <summary>
    /// <paramref name="amount"/> × <paramref name="ticksPerUnit"/> as a TimeSpan, rounded up to whole ticks so a
    /// wait is never shorter than asked; values past <see cref="TimeSpan.MaxValue"/> saturate. Negative or not finite: null.
    /// </summary>
    private static TimeSpan? FromUnits(double amount, double ticksPerUnit)
    {
        if (double.IsNaN(amount) || double.IsInfinity(amount) || amount < 0)
        {
            return null;
        }

        double ticks = Math.Ceiling(amount * ticksPerUnit);
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)ticks);
    }

    internal static bool TryGetHeader(HttpResponseMessage response, string name, out string? value)
    {
        value = null;
        if (response.Headers.TryGetValues(name, out IEnumerable<string>? values) ||
            (response.Content is not null && response.Content.Headers.TryGetValues(name, out values)))
        {
            value = values.FirstOrDefault();
        }

        return value is not null;
    }

    internal static long? TryGetLong(HttpResponseMessage response, string name) =>
        TryGetHeader(response, name, out string? value) ? ParseLong(value) : null;

    /// <summary>A whole number, surrounding white space allowed; null when missing or malformed.</summary>
    internal static long? ParseLong(string? value) =>
        value is not null && long.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number)
            ? number
            : null;
}
