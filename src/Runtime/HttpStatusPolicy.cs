using System.Net;

namespace RetryGuard;

/// <summary>Which HTTP statuses are worth another attempt.</summary>
public static class HttpStatusPolicy
{
    /// <summary>
    /// True for 408, 429, 500, 502, 503 and 504: the same request may succeed later. False for everything else,
    /// including 400/401/402/403/404/422 (fix the request or the account instead) and 501 (never implemented).
    /// </summary>
    public static bool IsRetryable(HttpStatusCode statusCode) => IsRetryable((int)statusCode);

    internal static bool IsRetryable(int status) =>
        status is 408 or 429 or 500 or 502 or 503 or 504;

    /// <summary>Statuses retried with jittered exponential backoff (429 has its own rules).</summary>
    internal static bool IsTransient(int status) => status is 408 or 500 or 502 or 503 or 504;
}
