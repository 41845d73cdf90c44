using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using RetryGuard.Analyzers.Model;

namespace RetryGuard.Analyzers;

/// <summary>
/// The <c>retryguard.*</c> options from .editorconfig / .globalconfig, per syntax tree. A value that cannot be
/// read falls back to the default: a typo in a config file must never break anybody's build.
/// </summary>
internal sealed class AnalyzerSettings
{
    public const string NonRetryableKey = "retryguard.non_retryable_status_codes";
    public const string MaxRetryAfterKey = "retryguard.max_retry_after";
    public const string JitterMethodsKey = "retryguard.additional_jitter_methods";

    /// <summary>Extra API key formats for RG0004: whitespace-separated <c>Provider=regex</c> entries (read by Keys/KeyCatalog).</summary>
    public const string AdditionalKeyPatternsKey = "retryguard.additional_key_patterns";

    public static readonly StatusSet DefaultNonRetryable = StatusSet.Of(400, 401, 402, 403, 422);
    public static readonly TimeSpan DefaultMaxRetryAfter = TimeSpan.FromSeconds(120);

    public static AnalyzerSettings Default { get; } = new(DefaultNonRetryable, DefaultMaxRetryAfter, Array.Empty<string>());

    private AnalyzerSettings(StatusSet nonRetryable, TimeSpan maxRetryAfter, IReadOnlyList<string> jitterMethods)
    {
        NonRetryable = nonRetryable;
        MaxRetryAfter = maxRetryAfter;
        JitterMethods = jitterMethods;
    }

    /// <summary>Statuses that must not be retried (RG0002).</summary>
    public StatusSet NonRetryable { get; }

    /// <summary>The largest Retry-After a retry may sleep for (RG0007).</summary>
    public TimeSpan MaxRetryAfter { get; }

    /// <summary>Extra method names that produce a jittered delay.</summary>
    public IReadOnlyList<string> JitterMethods { get; }

    public static AnalyzerSettings For(AnalyzerOptions options, SyntaxTree tree)
    {
        var config = options.AnalyzerConfigOptionsProvider.GetOptions(tree);
        bool any = false;

        var nonRetryable = DefaultNonRetryable;
        if (config.TryGetValue(NonRetryableKey, out var codes) && ParseCodes(codes) is { } parsed)
        {
            nonRetryable = parsed;
            any = true;
        }

        var maxRetryAfter = DefaultMaxRetryAfter;
        if (config.TryGetValue(MaxRetryAfterKey, out var max) && ParseDuration(max) is { } duration)
        {
            maxRetryAfter = duration;
            any = true;
        }

        IReadOnlyList<string> jitter = Array.Empty<string>();
        if (config.TryGetValue(JitterMethodsKey, out var methods))
        {
            var names = new List<string>();
            foreach (var name in methods.Split(new[] { ',', ';', ' ' }, StringSplitOptions.RemoveEmptyEntries))
            {
                names.Add(name.Trim());
            }

            jitter = names;
            any |= names.Count > 0;
        }

        return any ? new AnalyzerSettings(nonRetryable, maxRetryAfter, jitter) : Default;
    }

    /// <summary>"400, 401, 403" → the set; null when any entry is not a status in 100–599.</summary>
    internal static StatusSet? ParseCodes(string text)
    {
        var codes = new List<int>();
        foreach (var part in text.Split(new[] { ',', ';', ' ' }, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int code) || code < 100 || code > 599)
            {
                return null;
            }

            codes.Add(code);
        }

        return codes.Count == 0 ? null : StatusSet.Of(codes.ToArray());
    }

    /// <summary>"120" (seconds), "90s", "2m", "1h", "00:02:00" → the duration; null when unreadable or not positive.</summary>
    internal static TimeSpan? ParseDuration(string text)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            return null;
        }

        double scale = 1;
        char unit = char.ToLowerInvariant(text[text.Length - 1]);
        if (unit is 's' or 'm' or 'h')
        {
            scale = unit switch { 'm' => 60, 'h' => 3600, _ => 1 };
            text = text.Substring(0, text.Length - 1);
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
        {
            return seconds > 0 && seconds * scale < TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(seconds * scale) : null;
        }

        return unit is not ('s' or 'm' or 'h') && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero
            ? span
            : null;
    }
}
