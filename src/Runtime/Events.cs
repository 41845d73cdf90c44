using System;
using System.Net;

namespace RetryGuard;

/// <summary>Why a request is sent again.</summary>
public enum RetryReason
{
    /// <summary>408, 500, 502, 503 or 504.</summary>
    TransientStatus,

    /// <summary>The connection failed before a response arrived.</summary>
    ConnectionFailure,

    /// <summary>The attempt ran past <see cref="RetryGuardOptions.AttemptTimeout"/>.</summary>
    AttemptTimeout,

    /// <summary>429 with a server-given wait within <see cref="RetryGuardOptions.MaxRetryAfter"/>.</summary>
    RateLimited,
}

/// <summary>Why a request moves to a fallback model.</summary>
public enum FallbackReason
{
    /// <summary>The model's daily token cap (or quota) is used up.</summary>
    DailyTokenCap,

    /// <summary>The server asked to wait longer than <see cref="RetryGuardOptions.MaxRetryAfter"/>.</summary>
    RetryAfterTooLong,

    /// <summary>Every retry of a transient failure (5xx, 408, connection, timeout) failed.</summary>
    RetriesExhausted,
}

/// <summary>Passed to <see cref="RetryGuardOptions.OnRetry"/> before a retry.</summary>
public sealed class RetryGuardRetryInfo
{
    internal RetryGuardRetryInfo(int attempt, RetryReason reason, HttpStatusCode? statusCode, TimeSpan delay, string? model)
    {
        Attempt = attempt;
        Reason = reason;
        StatusCode = statusCode;
        Delay = delay;
        Model = model;
    }

    /// <summary>The attempt that failed, from 1.</summary>
    public int Attempt { get; }

    /// <summary>Why the request is sent again.</summary>
    public RetryReason Reason { get; }

    /// <summary>The failed attempt's status; <see langword="null"/> when no response arrived.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>How long the policy waits before the next attempt.</summary>
    public TimeSpan Delay { get; }

    /// <summary>The model the request asks for, when its body names one.</summary>
    public string? Model { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"Retry after attempt {Attempt} ({Reason}, status {(StatusCode is { } s ? ((int)s).ToString() : "none")}) in {Delay}";
}

/// <summary>Passed to <see cref="RetryGuardOptions.OnFallback"/> when a request moves to another model.</summary>
public sealed class RetryGuardFallbackInfo
{
    internal RetryGuardFallbackInfo(string fromModel, string toModel, FallbackReason reason)
    {
        FromModel = fromModel;
        ToModel = toModel;
        Reason = reason;
    }

    /// <summary>The model that could not serve the request.</summary>
    public string FromModel { get; }

    /// <summary>The model the request is re-sent with.</summary>
    public string ToModel { get; }

    /// <summary>Why.</summary>
    public FallbackReason Reason { get; }

    /// <inheritdoc />
    public override string ToString() => $"Fallback from {FromModel} to {ToModel} ({Reason})";
}

/// <summary>
/// Passed to <see cref="RetryGuardOptions.OnEscalation"/> when a request is still rate limited after two backoffs:
/// the policy keeps obeying the server, but something outside it needs a look.
/// </summary>
public sealed class RetryGuardEscalationInfo
{
    /// <summary>What to check, in the order that usually finds the cause.</summary>
    internal const string Advice =
        "Still rate limited after two backoffs. Check: is one key dominating the usage (usage by key)? " +
        "Is the key's preset lower than expected (its RPM/TPM limits)? " +
        "Did a loop ship without rate limiting (request volume in the last hour; set RequestsPerMinute)? " +
        "If none of these, report it to the provider.";

    internal RetryGuardEscalationInfo(int consecutiveRateLimits, string? model)
    {
        ConsecutiveRateLimits = consecutiveRateLimits;
        Model = model;
    }

    /// <summary>How many 429 responses this request received in a row.</summary>
    public int ConsecutiveRateLimits { get; }

    /// <summary>The model the request asks for, when its body names one.</summary>
    public string? Model { get; }

    /// <summary>The checks to make.</summary>
    public string Message => Advice;

    /// <inheritdoc />
    public override string ToString() => $"{ConsecutiveRateLimits} consecutive 429 responses. {Advice}";
}
