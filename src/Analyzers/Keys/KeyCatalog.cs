using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace RetryGuard.Analyzers.Keys;

/// <summary>What a string was recognised as: the provider, the variable name a fix reads it from, and the redacted form.</summary>
internal sealed class KeyMatch
{
    public KeyMatch(string provider, string variable, string redacted)
    {
        Provider = provider;
        Variable = variable;
        Redacted = redacted;
    }

    /// <summary>"OpenAI", "Anthropic", …; empty for a high-entropy value of no known format.</summary>
    public string Provider { get; }

    /// <summary>The environment variable a fix reads the key from: <c>OPENAI_API_KEY</c>, or <c>API_KEY</c>.</summary>
    public string Variable { get; }

    /// <summary>Never the key: its prefix and last four characters, <c>sk-proj-…7Qa4</c>.</summary>
    public string Redacted { get; }

    /// <summary>"The OpenAI key sk-…7Qa4" / "The key …7Qa4" — the start of every RG0004 message.</summary>
    public string Describe() => (Provider.Length == 0 ? "The key " : "The " + Provider + " key ") + Redacted;
}

/// <summary>A provider key format given in .editorconfig (<c>retryguard.additional_key_patterns</c>).</summary>
internal sealed class CustomKeyPattern
{
    public CustomKeyPattern(string provider, Regex pattern)
    {
        Provider = provider;
        Pattern = pattern;
    }

    public string Provider { get; }

    public Regex Pattern { get; }
}

/// <summary>
/// The key formats of LLM providers and gateways, plus the tests for "a random secret" and "a placeholder".
/// Every check is a bounded scan over the string; nothing here throws or allocates per character.
/// </summary>
internal static class KeyCatalog
{
    public const string Ellipsis = "…";

    /// <summary>The marker every OpenAI secret key carries ("OpenAI" in base64).</summary>
    private const string OpenAIMarker = "T3BlbkFJ";

    private static readonly string[] OpenAIPrefixes = { "sk-proj-", "sk-svcacct-", "sk-admin-", "sk-None-", "sk-" };

    /// <summary>The catalogue and custom patterns; null when <paramref name="value"/> is no known provider's key.</summary>
    public static KeyMatch? MatchFormat(string value, IReadOnlyList<CustomKeyPattern> custom)
    {
        if (value.Length < 20 || value.Length > 512 || HasWhitespace(value))
        {
            return null;
        }

        var match = MatchBuiltIn(value);
        if (match is null && custom.Count > 0)
        {
            foreach (var pattern in custom)
            {
                if (Matches(pattern.Pattern, value))
                {
                    match = new KeyMatch(pattern.Provider, VariableFor(pattern.Provider), Redact(value, PrefixOf(value)));
                    break;
                }
            }
        }

        return match is not null && !IsPlaceholder(value) ? match : null;
    }

    private static KeyMatch? MatchBuiltIn(string value)
    {
        if (value.StartsWith("sk-ant-", StringComparison.Ordinal))
        {
            foreach (var prefix in new[] { "sk-ant-api03-", "sk-ant-admin01-" })
            {
                if (value.StartsWith(prefix, StringComparison.Ordinal) && IsRandomBody(value, prefix.Length, 80, 120, UrlSafe))
                {
                    return new KeyMatch("Anthropic", "ANTHROPIC_API_KEY", Redact(value, prefix));
                }
            }

            return null;
        }

        if (value.StartsWith("sk-or-v1-", StringComparison.Ordinal))
        {
            return value.Length == 9 + 64 && IsRandomBody(value, 9, 64, 64, IsHex)
                ? new KeyMatch("OpenRouter", "OPENROUTER_API_KEY", Redact(value, "sk-or-v1-"))
                : null;
        }

        if (value.StartsWith("sk-", StringComparison.Ordinal))
        {
            int marker = value.IndexOf(OpenAIMarker, StringComparison.Ordinal);
            if (marker < 0)
            {
                return null;
            }

            foreach (var prefix in OpenAIPrefixes)
            {
                if (value.StartsWith(prefix, StringComparison.Ordinal))
                {
                    // sk-[prefix]<random>T3BlbkFJ<random>: both halves random, 16+ characters in all.
                    return marker - prefix.Length >= 8 &&
                           value.Length - marker - OpenAIMarker.Length >= 8 &&
                           IsRandomBody(value, prefix.Length, 24, 200, UrlSafe)
                        ? new KeyMatch("OpenAI", "OPENAI_API_KEY", Redact(value, prefix))
                        : null;
                }
            }

            return null;
        }

        if (value.StartsWith("gsk_", StringComparison.Ordinal))
        {
            return value.Length == 4 + 52 && IsRandomBody(value, 4, 52, 52, IsAlphanumeric)
                ? new KeyMatch("Groq", "GROQ_API_KEY", Redact(value, "gsk_"))
                : null;
        }

        if (value.StartsWith("xai-", StringComparison.Ordinal))
        {
            return value.Length == 4 + 80 && IsRandomBody(value, 4, 80, 80, IsAlphanumeric)
                ? new KeyMatch("xAI", "XAI_API_KEY", Redact(value, "xai-"))
                : null;
        }

        if (value.StartsWith("AIza", StringComparison.Ordinal))
        {
            return value.Length == 4 + 35 && IsRandomBody(value, 4, 35, 35, UrlSafe)
                ? new KeyMatch("Google", "GOOGLE_API_KEY", Redact(value, "AIza"))
                : null;
        }

        if (value.StartsWith("hf_", StringComparison.Ordinal))
        {
            return value.Length == 3 + 34 && IsRandomBody(value, 3, 34, 34, IsAlphanumeric)
                ? new KeyMatch("Hugging Face", "HUGGINGFACE_API_KEY", Redact(value, "hf_"))
                : null;
        }

        return null;
    }

    /// <summary>
    /// A value of no known format that looks like a random secret: 20–512 characters of letters, digits and
    /// <c>-_.+/~</c> (base64 padding at the end), letters and digits mixed, not words joined by separators, not a GUID,
    /// and with the character spread of random text.
    /// </summary>
    public static KeyMatch? MatchHighEntropy(string value)
    {
        if (value.Length < 20 || value.Length > 512 || IsPlaceholder(value) || IsGuid(value))
        {
            return null;
        }

        int end = value.Length;
        while (end > 0 && value[end - 1] == '=' && value.Length - end < 2)
        {
            end--;
        }

        int letters = 0, digits = 0;
        for (int i = 0; i < end; i++)
        {
            char c = value[i];
            if (IsAsciiLetter(c))
            {
                letters++;
            }
            else if (c is >= '0' and <= '9')
            {
                digits++;
            }
            else if (c is not ('-' or '_' or '.' or '+' or '/' or '~'))
            {
                return null;
            }
        }

        if (letters < 4 || digits < 2 || IsWordLike(value, end) || Entropy(value, end) < 3.3)
        {
            return null;
        }

        return new KeyMatch(string.Empty, "API_KEY", Redact(value, string.Empty));
    }

    /// <summary>Either test: a catalogue format first, then a random secret.</summary>
    public static KeyMatch? Match(string value, IReadOnlyList<CustomKeyPattern> custom) =>
        MatchFormat(value, custom) ?? MatchHighEntropy(value);

    /// <summary>
    /// Text that stands in for a key: <c>&lt;your-api-key&gt;</c>, <c>sk-...</c>, <c>${OPENAI_API_KEY}</c>,
    /// <c>changeme</c>, <c>xxxxxxxx</c>, "your", "example", "placeholder", "dummy", "fake", "redacted".
    /// </summary>
    public static bool IsPlaceholder(string value)
    {
        if (value.Length == 0 ||
            value.IndexOf("...", StringComparison.Ordinal) >= 0 ||
            value.IndexOf(Ellipsis, StringComparison.Ordinal) >= 0 ||
            value.IndexOf('<') >= 0 || value.IndexOf('>') >= 0 ||
            value.IndexOf("${", StringComparison.Ordinal) >= 0 ||
            value.IndexOf("{{", StringComparison.Ordinal) >= 0 ||
            value.StartsWith("$", StringComparison.Ordinal) ||
            value.StartsWith("%", StringComparison.Ordinal) && value.EndsWith("%", StringComparison.Ordinal))
        {
            return true;
        }

        foreach (var word in PlaceholderWords)
        {
            if (value.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return true;
            }
        }

        // A long run of one character: sk-xxxxxxxxxxxxxxxx, 0000000000000000.
        int run = 1;
        for (int i = 1; i < value.Length; i++)
        {
            run = char.ToLowerInvariant(value[i]) == char.ToLowerInvariant(value[i - 1]) ? run + 1 : 1;
            if (run >= 6)
            {
                return true;
            }
        }

        return false;
    }

    private static readonly string[] PlaceholderWords =
    {
        "your", "changeme", "change-me", "change_me", "example", "placeholder", "dummy", "fake", "redacted",
        "replace", "insert", "todo", "sample", "notreal", "not-a-real", "not_a_real", "abcdefgh", "12345678",
    };

    /// <summary>The key shown as its prefix, an ellipsis and its last four characters (<c>sk-proj-…7Qa4</c>).</summary>
    public static string Redact(string value, string prefix)
    {
        if (value.Length < 16)
        {
            return Ellipsis;
        }

        return prefix + Ellipsis + value.Substring(value.Length - 4);
    }

    /// <summary>"OpenAI" → OPENAI_API_KEY; "Hugging Face" → HUGGING_FACE_API_KEY; anything unusable → API_KEY.</summary>
    public static string VariableFor(string provider)
    {
        var text = new System.Text.StringBuilder();
        foreach (char c in provider)
        {
            if (IsAsciiLetter(c) || c is >= '0' and <= '9')
            {
                text.Append(char.ToUpperInvariant(c));
            }
            else if (text.Length > 0 && text[text.Length - 1] != '_')
            {
                text.Append('_');
            }
        }

        string name = text.ToString().TrimEnd('_');
        return name.Length == 0 || name[0] is >= '0' and <= '9' ? "API_KEY" : name + "_API_KEY";
    }

    /// <summary>
    /// <c>retryguard.additional_key_patterns</c>: whitespace-separated entries, each <c>Provider=regex</c> or a bare
    /// regex (provider "custom"), matched against the whole value. Entries that are not valid regexes are ignored.
    /// </summary>
    public static IReadOnlyList<CustomKeyPattern> ParsePatterns(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Array.Empty<CustomKeyPattern>();
        }

        var patterns = new List<CustomKeyPattern>();
        foreach (var entry in text!.Split(new[] { ' ', '\t', '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries))
        {
            string provider = "custom";
            string regex = entry;
            int equals = entry.IndexOf('=');
            if (equals > 0 && IsProviderName(entry, equals))
            {
                provider = entry.Substring(0, equals);
                regex = entry.Substring(equals + 1);
            }

            if (regex.Length == 0)
            {
                continue;
            }

            try
            {
                patterns.Add(new CustomKeyPattern(
                    provider,
                    new Regex("^(?:" + regex + ")$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50))));
            }
            catch (ArgumentException)
            {
                // Not a valid regex: ignored, never a broken build.
            }
        }

        return patterns;
    }

    private static bool IsProviderName(string entry, int length)
    {
        if (!IsAsciiLetter(entry[0]))
        {
            return false;
        }

        for (int i = 1; i < length; i++)
        {
            char c = entry[i];
            if (!(IsAsciiLetter(c) || c is >= '0' and <= '9' || c is '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Matches(Regex regex, string value)
    {
        try
        {
            return regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>The prefix a redaction keeps for a custom format: up to the first '-' or '_' within 8 characters.</summary>
    private static string PrefixOf(string value)
    {
        int separator = value.IndexOfAny(new[] { '-', '_' });
        return separator is > 0 and < 8 ? value.Substring(0, separator + 1) : string.Empty;
    }

    private static bool IsRandomBody(string value, int start, int min, int max, Func<char, bool> allowed)
    {
        int length = value.Length - start;
        if (length < min || length > max)
        {
            return false;
        }

        int distinct = 0;
        var seen = new bool[128];
        for (int i = start; i < value.Length; i++)
        {
            char c = value[i];
            if (c >= 128 || !allowed(c))
            {
                return false;
            }

            if (!seen[c])
            {
                seen[c] = true;
                distinct++;
            }
        }

        // Random text of 32+ characters over 16+ symbols repeats few of them; "aaaa…" and "abab…" are not keys.
        return distinct >= Math.Min(10, length / 3);
    }

    private static readonly Func<char, bool> UrlSafe = c => IsAsciiLetter(c) || c is >= '0' and <= '9' || c is '-' or '_';
    private static readonly Func<char, bool> IsAlphanumeric = c => IsAsciiLetter(c) || c is >= '0' and <= '9';
    private static readonly Func<char, bool> IsHex = c => c is >= '0' and <= '9' or >= 'a' and <= 'f' or >= 'A' and <= 'F';

    private static bool IsAsciiLetter(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z';

    private static bool HasWhitespace(string value)
    {
        foreach (char c in value)
        {
            if (char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>8-4-4-4-12 hex, with or without braces: an identifier, not a secret.</summary>
    public static bool IsGuid(string value)
    {
        string text = value.Length == 38 && value[0] == '{' && value[37] == '}' ? value.Substring(1, 36) : value;
        if (text.Length != 36)
        {
            return false;
        }

        for (int i = 0; i < 36; i++)
        {
            bool dash = i is 8 or 13 or 18 or 23;
            if (dash ? text[i] != '-' : !IsHex(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Words joined by '-', '_' or '.': every part all one case of letters, or all digits (<c>prod_service_account_2024</c>).</summary>
    private static bool IsWordLike(string value, int end)
    {
        int start = 0;
        for (int i = 0; i <= end; i++)
        {
            if (i == end || value[i] is '-' or '_' or '.' or '/' or '+' or '~')
            {
                if (!IsWordPart(value, start, i))
                {
                    return false;
                }

                start = i + 1;
            }
        }

        return true;
    }

    private static bool IsWordPart(string value, int start, int end)
    {
        bool lower = true, upper = true, numeric = true;
        for (int i = start; i < end; i++)
        {
            char c = value[i];
            lower &= c is >= 'a' and <= 'z';
            upper &= c is >= 'A' and <= 'Z';
            numeric &= c is >= '0' and <= '9';
        }

        // A capitalised word (Service) counts as a word too.
        bool capitalised = end - start > 1 && value[start] is >= 'A' and <= 'Z' && IsLowerRun(value, start + 1, end);
        return lower || upper || numeric || capitalised;
    }

    private static bool IsLowerRun(string value, int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            if (value[i] is not (>= 'a' and <= 'z'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Shannon entropy in bits per character of <c>value[0..end)</c>.</summary>
    private static double Entropy(string value, int end)
    {
        var counts = new int[128];
        for (int i = 0; i < end; i++)
        {
            counts[value[i] & 127]++;
        }

        double entropy = 0;
        foreach (int count in counts)
        {
            if (count > 0)
            {
                double p = (double)count / end;
                entropy -= p * Math.Log(p, 2);
            }
        }

        return entropy;
    }
}
