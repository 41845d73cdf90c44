using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model;

/// <summary>
/// One failure a retry layer answers with another attempt: an exception type (with its filter, when one is written)
/// or a result predicate (with the statuses it admits, when they can be told).
/// </summary>
internal readonly struct HandledFailure
{
    private HandledFailure(ITypeSymbol? exception, IOperation? filter, bool isResult, StatusSet? statuses, bool isUnknown)
    {
        Exception = exception;
        Filter = filter;
        IsResult = isResult;
        Statuses = statuses;
        IsUnknown = isUnknown;
    }

    /// <summary>The handled exception type (null with <see cref="IsResult"/> or <see cref="IsUnknown"/>).</summary>
    public ITypeSymbol? Exception { get; }

    /// <summary>The exception filter or the result predicate as written, when there is one.</summary>
    public IOperation? Filter { get; }

    public bool IsResult { get; }

    /// <summary>For a result predicate: the HTTP statuses it admits, null when they cannot be told.</summary>
    public StatusSet? Statuses { get; }

    /// <summary>A predicate the analysis cannot read (a helper without source, an unusual builder link).</summary>
    public bool IsUnknown { get; }

    public static HandledFailure OfException(ITypeSymbol? exception, IOperation? filter) => new(exception, filter, false, null, false);

    public static HandledFailure OfResult(StatusSet? statuses, IOperation? predicate) => new(null, predicate, true, statuses, false);

    public static HandledFailure Unknown => new(null, null, false, null, true);
}

/// <summary>
/// A Polly v7 policy's or a Polly v8 pipeline's <c>Execute</c>/<c>ExecuteAsync</c> call whose policy or pipeline
/// contains a retry: the delegate it runs, and what the retry handles. RG0006 reads it to find clients that retry
/// on their own inside the delegate.
/// </summary>
internal sealed class ExecutedRetry
{
    public ExecutedRetry(RetryKind kind, IInvocationOperation execute, IOperation body, int? retries, ImmutableArray<HandledFailure> failures)
    {
        Kind = kind;
        Execute = execute;
        Body = body;
        Retries = retries;
        Failures = failures;
    }

    /// <summary><see cref="RetryKind.PollyV7"/> or <see cref="RetryKind.PollyV8"/>.</summary>
    public RetryKind Kind { get; }

    public IInvocationOperation Execute { get; }

    /// <summary>The body of the executed lambda (or of the local function / method it names, in the same file).</summary>
    public IOperation Body { get; }

    /// <summary>The retry count when it is a visible constant (the attempts are one more), else null.</summary>
    public int? Retries { get; }

    public ImmutableArray<HandledFailure> Failures { get; }
}
