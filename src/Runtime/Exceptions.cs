using System;
using System.Net;

namespace RetryGuard;

/// <summary>
/// Base of the failures RetryGuard raises itself, so callers can catch them together. Messages never contain keys.
/// </summary>
public class RetryGuardException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RetryGuardException(string message, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The status of the response that ended the request, when there was one.</summary>
    public HttpStatusCode? StatusCode { get; }
}

/// <summary>
/// 429 that the policy does not sleep through: the server asked to wait longer than
/// <see cref="RetryGuardOptions.MaxRetryAfter"/> and no fallback model could take the request.
/// </summary>
public class RateLimitExceededException : RetryGuardException
{
    /// <summary>Creates the exception.</summary>
    public RateLimitExceededException(string message, TimeSpan? retryAfter, Exception? innerException = null)
        : base(message, (HttpStatusCode)429, innerException)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>How long the server asked to wait; <see langword="null"/> when it did not say.</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>
/// 429 for a used-up daily token cap (or quota): waiting until the reset is pointless for a request, so the policy
/// fails at once unless a fallback model could take it.
/// </summary>
public sealed class DailyTokenCapExceededException : RateLimitExceededException
{
    /// <summary>Creates the exception.</summary>
    public DailyTokenCapExceededException(string message, DateTimeOffset resetsAt, TimeSpan retryAfter, Exception? innerException = null)
        : base(message, retryAfter, innerException)
    {
        ResetsAt = resetsAt;
    }

    /// <summary>When the cap resets: from the server's Retry-After, else the next midnight UTC.</summary>
    public DateTimeOffset ResetsAt { get; }
}

/// <summary>402: the account is out of credits. Retrying cannot help; top up or change the plan.</summary>
public sealed class InsufficientCreditsException : RetryGuardException
{
    /// <summary>Creates the exception.</summary>
    public InsufficientCreditsException(string message, Exception? innerException = null)
        : base(message, HttpStatusCode.PaymentRequired, innerException)
    {
    }
}

/// <summary>
/// The proactive limiter already has <see cref="RetryGuardOptions.QueueLimit"/> requests waiting; this one was not
/// sent. Raise <see cref="RetryGuardOptions.QueueLimit"/>, lower the concurrency, or raise the key's limit.
/// </summary>
public sealed class RateLimiterQueueFullException : RetryGuardException
{
    /// <summary>Creates the exception.</summary>
    public RateLimiterQueueFullException(string message)
        : base(message)
    {
    }
}

/// <summary>An API key is not configured for the current environment. The message names the variables to set.</summary>
public sealed class ApiKeyNotFoundException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public ApiKeyNotFoundException(string message, string[] lookedUp)
        : base(message)
    {
        LookedUp = lookedUp;
    }

    /// <summary>The variable or configuration names that were tried, in order.</summary>
    public string[] LookedUp { get; }
}
