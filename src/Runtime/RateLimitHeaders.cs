using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Headers;

namespace RetryGuard;

/// <summary>
/// The <c>x-ratelimit-*</c> values of one response that <see cref="ProactiveLimiter.Observe"/> learns from: the first
/// value of each of the six headers (as a look-up by name gives it), or null when the response lacks it. (On
/// netstandard2.0 the limit and reset of a budget are looked up only when its remaining count is there: nothing is
/// learnt from them without it.)
/// </summary>
/// <remarks>
/// OpenAI sends all six on every response, so this runs on nearly every response of such a client. On .NET 6+ it is one
/// allocation-free pass over the response headers (a look-up by name would validate each header and copy its values
/// into an array: six of those cost over a microsecond a response); a response without an <c>x-ratelimit-</c> header
/// is done after that pass. Like a look-up by name, a value the response headers lack is then looked for among the
/// content headers.
/// </remarks>
internal struct RateLimitHeaders
{
    private const string Prefix = "x-ratelimit-";

    private string? _remainingRequests;
    private string? _limitRequests;
    private string? _resetRequests;
    private string? _remainingTokens;
    private string? _limitTokens;
    private string? _resetTokens;

    /// <summary>
    /// False when there is nothing to learn: on .NET 6+ no response header starts with <c>x-ratelimit-</c>; on
    /// netstandard2.0 neither remaining count is there.
    /// </summary>
    public bool Any { get; private set; }

    public readonly string? RemainingRequests => _remainingRequests;

    public readonly string? LimitRequests => _limitRequests;

    public readonly string? ResetRequests => _resetRequests;

    public readonly string? RemainingTokens => _remainingTokens;

    public readonly string? LimitTokens => _limitTokens;

    public readonly string? ResetTokens => _resetTokens;

    public static RateLimitHeaders Read(HttpResponseMessage response)
    {
        RateLimitHeaders headers = default;
#if NET6_0_OR_GREATER
        int found = headers.Fill(response.Headers.NonValidated, 0);
        if (headers.Any && found < 6)
        {
            // Only then: merely asking for the content's headers creates an empty content on a response without one.
            headers.Fill(response.Content.Headers.NonValidated, found);
        }
#else
        // No allocation-free enumeration here: the two values everything depends on are looked up first, the rest only
        // when one of those is there.
        headers._remainingRequests = Lookup(response, RetryAfter.RemainingRequestsHeader);
        headers._remainingTokens = Lookup(response, RetryAfter.RemainingTokensHeader);
        if (headers._remainingRequests is not null)
        {
            headers._limitRequests = Lookup(response, RetryAfter.LimitRequestsHeader);
            headers._resetRequests = Lookup(response, RetryAfter.ResetRequestsHeader);
        }

        if (headers._remainingTokens is not null)
        {
            headers._limitTokens = Lookup(response, RetryAfter.LimitTokensHeader);
            headers._resetTokens = Lookup(response, RetryAfter.ResetTokensHeader);
        }

        headers.Any = headers._remainingRequests is not null || headers._remainingTokens is not null;
#endif
        return headers;
    }

#if NET6_0_OR_GREATER
    /// <summary>
    /// Takes from <paramref name="headers"/> the first value of each of the six that is not known yet, and notes whether
    /// any <c>x-ratelimit-</c> header is there. Returns how many of the six are known.
    /// </summary>
    private int Fill(HttpHeadersNonValidated headers, int found)
    {
        foreach (KeyValuePair<string, HeaderStringValues> header in headers)
        {
            // Most names fail on the first character, before the string comparison.
            string name = header.Key;
            if (name.Length < Prefix.Length || (name[0] | 0x20) != 'x' || !name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            Any = true;
            ReadOnlySpan<char> rest = name.AsSpan(Prefix.Length);
            if (First(header.Value) is { } value && TrySet(rest, value))
            {
                found++;
            }
        }

        return found;
    }

    /// <summary>
    /// Sets the value <paramref name="rest"/> (the name after the prefix) names, unless it is known already. The length
    /// and one letter pick the candidate, so each header costs one comparison.
    /// </summary>
    private bool TrySet(ReadOnlySpan<char> rest, string value) => rest.Length switch
    {
        18 => Is(rest, "remaining-requests") && SetOnce(ref _remainingRequests, value),
        16 => Is(rest, "remaining-tokens") && SetOnce(ref _remainingTokens, value),
        14 => (rest[2] | 0x20) == 'm'
            ? Is(rest, "limit-requests") && SetOnce(ref _limitRequests, value)
            : Is(rest, "reset-requests") && SetOnce(ref _resetRequests, value),
        12 => (rest[2] | 0x20) == 'm'
            ? Is(rest, "limit-tokens") && SetOnce(ref _limitTokens, value)
            : Is(rest, "reset-tokens") && SetOnce(ref _resetTokens, value),
        _ => false,
    };

    private static bool Is(ReadOnlySpan<char> rest, string name) => rest.Equals(name.AsSpan(), StringComparison.OrdinalIgnoreCase);

    private static bool SetOnce(ref string? slot, string value)
    {
        if (slot is not null)
        {
            return false;
        }

        slot = value;
        return true;
    }

    private static string? First(HeaderStringValues values)
    {
        foreach (string value in values)
        {
            return value;
        }

        return null;
    }
#else
    private static string? Lookup(HttpResponseMessage response, string name) =>
        RetryAfter.TryGetHeader(response, name, out string? value) ? value : null;
#endif
}
