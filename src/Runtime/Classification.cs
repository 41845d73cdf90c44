using System;

namespace RetryGuard;

/// <summary>What an attempt's outcome means for the policy.</summary>
internal enum Verdict
{
    /// <summary>Success, or a response the caller must see as it is (4xx caller errors): return it.</summary>
    Return,

    /// <summary>408, 5xx, connection failure, attempt timeout: back off and retry.</summary>
    Transient,

    /// <summary>429 for a burst over the limit: obey the server's wait, or back off when it names none.</summary>
    RateLimited,

    /// <summary>429 for a used-up daily cap or quota: never sleep.</summary>
    DailyCap,

    /// <summary>402: out of credits.</summary>
    InsufficientCredits,
}

/// <summary>One attempt's outcome as the policy sees it.</summary>
internal readonly struct Classification
{
    private Classification(Verdict verdict, int? status, RetryReason reason, TimeSpan? serverDelay, string? detail)
    {
        Verdict = verdict;
        Status = status;
        Reason = reason;
        ServerDelay = serverDelay;
        Detail = detail;
    }

    public Verdict Verdict { get; }

    /// <summary>HTTP status, when a response (or an exception carrying one) arrived.</summary>
    public int? Status { get; }

    public RetryReason Reason { get; }

    /// <summary>The wait the server asked for, when it named one.</summary>
    public TimeSpan? ServerDelay { get; }

    /// <summary>The server's own message, already redacted; for exception messages.</summary>
    public string? Detail { get; }

    public static Classification Return(int? status) => new(Verdict.Return, status, default, null, null);

    public static Classification Transient(int? status, RetryReason reason, TimeSpan? serverDelay = null) =>
        new(Verdict.Transient, status, reason, serverDelay, null);

    public static Classification RateLimited(TimeSpan? serverDelay, string? detail) =>
        new(Verdict.RateLimited, 429, RetryReason.RateLimited, serverDelay, detail);

    public static Classification DailyCap(TimeSpan? serverDelay, string? detail) =>
        new(Verdict.DailyCap, 429, RetryReason.RateLimited, serverDelay, detail);

    public static Classification Credits(string? detail) =>
        new(Verdict.InsufficientCredits, 402, default, null, detail);

    /// <summary>Classifies a status with the policy table; <paramref name="bodyOrMessage"/> tells a daily cap from a burst.</summary>
    public static Classification FromStatus(int status, TimeSpan? serverDelay, string? bodyOrMessage, string? redactedDetail)
    {
        if (status == 429)
        {
            return ErrorBody.IsDailyCap(bodyOrMessage)
                ? DailyCap(serverDelay, redactedDetail)
                : RateLimited(serverDelay, redactedDetail);
        }

        if (status == 402)
        {
            return Credits(redactedDetail);
        }

        return HttpStatusPolicy.IsTransient(status)
            ? Transient(status, RetryReason.TransientStatus, serverDelay)
            : Return(status);
    }
}
