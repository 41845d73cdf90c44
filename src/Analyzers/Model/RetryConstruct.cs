using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model;

internal enum RetryKind
{
    /// <summary>A hand-written <c>for</c>, <c>while</c>, <c>do</c> or <c>foreach</c>-over-attempts loop.</summary>
    Loop,

    /// <summary>A <c>goto</c> back to a label before the attempt.</summary>
    Goto,

    /// <summary>A method that calls itself again after a failure.</summary>
    Recursion,

    /// <summary>A catch block that makes the failed call once more.</summary>
    CatchRetry,

    /// <summary>A Polly v7 policy (<c>Policy.Handle...WaitAndRetry...</c>).</summary>
    PollyV7,

    /// <summary>Polly v8 <c>RetryStrategyOptions</c> / <c>AddRetry</c>.</summary>
    PollyV8,

    /// <summary>Microsoft.Extensions.Http.Resilience <c>HttpRetryStrategyOptions</c> and the standard handler.</summary>
    HttpResilience,
}

/// <summary>What tells the construct that an attempt failed and another one should follow.</summary>
internal enum FailureSignal
{
    /// <summary>A caught exception after which the construct goes on.</summary>
    CaughtException,

    /// <summary>A check of the response's status (<c>IsSuccessStatusCode</c>, <c>StatusCode == 429</c>, ...).</summary>
    StatusCheck,

    /// <summary>A check of a result's success (<c>result.IsSuccess</c>, a <c>success</c> flag).</summary>
    ResultCheck,

    /// <summary>A Polly predicate (<c>Handle</c>, <c>HandleResult</c>, <c>ShouldHandle</c>).</summary>
    Predicate,
}

internal enum BoundKind
{
    /// <summary>Nothing could be said: no report.</summary>
    Unknown,

    /// <summary>An attempt cap: a loop condition, a counter checked before another attempt, a retry count.</summary>
    AttemptCap,

    /// <summary>A deadline: elapsed time checked before another attempt.</summary>
    Deadline,

    /// <summary>A one-shot flag: the retry happens at most once.</summary>
    OneShot,

    /// <summary>Provably nothing ends the retrying but success.</summary>
    Unbounded,
}

/// <summary>The bound of a construct, and where to report or fix its absence.</summary>
internal readonly struct RetryBound
{
    public RetryBound(BoundKind kind, Location? location, string? detail = null)
    {
        Kind = kind;
        Location = location;
        Detail = detail;
    }

    public BoundKind Kind { get; }

    /// <summary>For <see cref="BoundKind.Unbounded"/>: where RG0005 is reported (the loop keyword, <c>*Forever*</c>, ...).</summary>
    public Location? Location { get; }

    /// <summary>Words for the message: "while (true) with no exit on failure", "WaitAndRetryForeverAsync".</summary>
    public string? Detail { get; }

    public static RetryBound Unknown => new(BoundKind.Unknown, null);
}

/// <summary>
/// One wait between two attempts (a <c>Task.Delay</c>, a Polly sleep-duration provider, a v8 delay setting) with
/// where its duration comes from.
/// </summary>
internal sealed class RetryDelay
{
    public RetryDelay(Location location, string display, DelaySource sources, IOperation? node, StatusSet? statuses, FailureSignal signal)
    {
        Location = location;
        Display = display;
        Sources = sources;
        Node = node;
        Statuses = statuses;
        Signal = signal;
    }

    /// <summary>Where RG0001, RG0003 and RG0007 are reported and where their fixes act.</summary>
    public Location Location { get; }

    /// <summary>The delay as the user wrote it, for messages.</summary>
    public string Display { get; }

    public DelaySource Sources { get; }

    /// <summary>The wait invocation (<c>Task.Delay(...)</c>) or the operation that configures the delay.</summary>
    public IOperation? Node { get; }

    /// <summary>The statuses for which this delay is used, when known.</summary>
    public StatusSet? Statuses { get; }

    public FailureSignal Signal { get; }

    /// <summary>The largest delay that a cap allows, when a constant cap is visible.</summary>
    public System.TimeSpan? Cap { get; init; }

    /// <summary>
    /// MEHR options whose own Retry-After handling is off: turned back on, nothing would end its wait (a standalone
    /// pipeline without an outer timeout), so a fix must cap the server's wait itself.
    /// </summary>
    public bool LibraryRetryAfterUnbounded { get; init; }
}

/// <summary>
/// A condition, predicate or <c>catch</c> that lets some statuses through to another attempt: where RG0002 is
/// reported and its fix narrows.
/// </summary>
internal sealed class StatusAdmission
{
    public StatusAdmission(Location location, StatusSet statuses, bool changesRequestFirst, IOperation? node)
    {
        Location = location;
        Statuses = statuses;
        ChangesRequestFirst = changesRequestFirst;
        Node = node;
    }

    public Location Location { get; }

    public StatusSet Statuses { get; }

    /// <summary>
    /// The failure path changes the request before trying again (refreshes a token, re-authenticates): a 401 or
    /// 403 retried that way is not a blind retry.
    /// </summary>
    public bool ChangesRequestFirst { get; }

    public IOperation? Node { get; }
}

/// <summary>
/// The model of one retry construct, computed once by a recognizer and read by every rule and fix.
/// </summary>
internal sealed class RetryConstruct
{
    public RetryConstruct(
        RetryKind kind,
        IOperation root,
        ImmutableArray<RetryDelay> delays,
        ImmutableArray<StatusAdmission> admissions,
        StatusSet? retryStatuses,
        RetryBound bound)
    {
        Kind = kind;
        Root = root;
        Delays = delays;
        Admissions = admissions;
        RetryStatuses = retryStatuses;
        Bound = bound;
    }

    public RetryKind Kind { get; }

    /// <summary>The loop, method, policy builder or options object that repeats the attempt.</summary>
    public IOperation Root { get; }

    /// <summary>The waits between attempts, each with its delay's provenance.</summary>
    public ImmutableArray<RetryDelay> Delays { get; }

    /// <summary>The conditions that admit statuses to another attempt.</summary>
    public ImmutableArray<StatusAdmission> Admissions { get; }

    /// <summary>
    /// Every HTTP status for which the construct tries again, over 100–599; null when any part of the condition
    /// is unknown.
    /// </summary>
    public StatusSet? RetryStatuses { get; }

    public RetryBound Bound { get; }
}
