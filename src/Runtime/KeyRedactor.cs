using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace RetryGuard;

/// <summary>
/// Shows keys as <c>sk-…7Qa</c> at most, and strips key-like tokens from text a server sent back (error messages
/// sometimes echo the key). Everything RetryGuard writes to logs, exceptions, metrics and events passes here.
/// </summary>
internal static class KeyRedactor
{
    private const string Ellipsis = "…";

    // Key-shaped tokens: vendor prefixes (sk-, sk-proj-, pk-, rk-, xai-, gsk_, AIza…), "Bearer <token>", and long
    // opaque runs of letters, digits, '-' and '_' (32+ characters: API keys, JWT segments, hex secrets).
    private static readonly Regex KeyShaped = new(
        @"(?<![A-Za-z0-9])(?:(?:sk|pk|rk|xai|gsk|key)[-_][A-Za-z0-9_\-]{6,}|AIza[A-Za-z0-9_\-]{20,}|[A-Za-z0-9_\-]{32,})|(?<=Bearer\s+)(?![^\s""',;]*…)[^\s""',;]+",
        RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromMilliseconds(250));

    /// <summary>A key as <c>prefix…last3</c> (for example <c>sk-…7Qa</c>); short keys as a bare ellipsis.</summary>
    public static string Redact(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return Ellipsis;
        }

        string trimmed = key!.Trim();
        if (trimmed.Length < 12)
        {
            return Ellipsis;
        }

        int dash = trimmed.IndexOfAny(new[] { '-', '_' });
        string prefix = dash is > 0 and <= 4 ? trimmed.Substring(0, dash + 1) : string.Empty;
        return prefix + Ellipsis + trimmed.Substring(trimmed.Length - 3);
    }

    /// <summary>
    /// <paramref name="text"/> with each of <paramref name="secrets"/> and every key-shaped token replaced by its
    /// redacted form.
    /// </summary>
    public static string RedactText(string? text, IEnumerable<string>? secrets = null)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        string result = text!;
        if (secrets is not null)
        {
            foreach (string secret in secrets)
            {
                if (!string.IsNullOrEmpty(secret) && secret.Length >= 4)
                {
                    result = Replace(result, secret, Redact(secret));
                }
            }
        }

        try
        {
            return KeyShaped.Replace(result, m => Redact(m.Value));
        }
        catch (RegexMatchTimeoutException)
        {
            return "[server text withheld: it could not be checked for keys]";
        }
    }

    private static string Replace(string text, string secret, string replacement)
    {
        int index = text.IndexOf(secret, StringComparison.Ordinal);
        if (index < 0)
        {
            return text;
        }

        return text.Replace(secret, replacement);
    }
}
