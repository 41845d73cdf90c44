using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model;

internal enum RetryKind
{
    /// <summary>A hand-written <c>for</c>, <c>while</c>, <c>do</c> or <c>foreach</c>-over-attempts loop.</summary>
    Loop,
}

/// <summary>What tells the construct that an attempt failed and another one should follow.</summary>
internal enum FailureSignal
{
    /// <summary>A caught exception after which the loop goes on.</summary>
    CaughtException,

    /// <summary>A check of the response's status (<c>IsSuccessStatusCode</c>, <c>StatusCode == 429</c>, ...).</summary>
    StatusCheck,

    /// <summary>A check of a result's success (<c>result.IsSuccess</c>, a <c>success</c> flag).</summary>
    ResultCheck,
}

/// <summary>One wait between two attempts of a retry construct.</summary>
internal sealed class RetryWait
{
    public RetryWait(IInvocationOperation invocation, IOperation? delay, DelaySource sources, FailureSignal signal, StatusSet? statuses)
    {
        Invocation = invocation;
        Delay = delay;
        Sources = sources;
        Signal = signal;
        Statuses = statuses;
    }

    /// <summary>The wait itself: <c>Task.Delay(...)</c>, <c>Thread.Sleep(...)</c>.</summary>
    public IInvocationOperation Invocation { get; }

    /// <summary>The duration argument, when the wait has one.</summary>
    public IOperation? Delay { get; }

    /// <summary>Where the duration comes from.</summary>
    public DelaySource Sources { get; }

    /// <summary>The failure signal that leads to this wait.</summary>
    public FailureSignal Signal { get; }

    /// <summary>The statuses for which this wait is reached, when a status check decides it; null when unknown.</summary>
    public StatusSet? Statuses { get; }
}

/// <summary>
/// The model of one retry construct, computed once by <see cref="RetryRecognizer"/> and read by every rule and fix.
/// </summary>
internal sealed class RetryConstruct
{
    public RetryConstruct(RetryKind kind, IOperation root, ImmutableArray<RetryWait> waits)
    {
        Kind = kind;
        Root = root;
        Waits = waits;
    }

    public RetryKind Kind { get; }

    /// <summary>The loop (or other construct) that repeats the attempt.</summary>
    public IOperation Root { get; }

    /// <summary>The waits between attempts, each with its delay's provenance.</summary>
    public ImmutableArray<RetryWait> Waits { get; }
}
