using System;
using System.Threading;
using System.Threading.Tasks;

namespace RetryGuard;

/// <summary>How one kind of call (an HTTP request through the handler, a delegate through the policy) is sent and judged.</summary>
internal abstract class AttemptStrategy<T>
{
    /// <summary>
    /// Learns what <see cref="RequestedModel"/> and <see cref="TokenEstimate"/> need (the handler reads the request
    /// body). The policy calls it only when it needs them: a token budget, a remembered daily cap, a trace listener,
    /// or an attempt that failed. Called at most once per call, before they are read.
    /// </summary>
    public virtual ValueTask DescribeAsync(CancellationToken cancellationToken) => default;

    /// <summary>The model the call asks for, when it names one and can be re-sent with another.</summary>
    public virtual string? RequestedModel => null;

    /// <summary>Tokens to charge the token budget per attempt.</summary>
    public virtual int TokenEstimate => 1;

    /// <summary>Sends one attempt, with <paramref name="model"/> in place of <see cref="RequestedModel"/> when they differ.</summary>
    public abstract Task<T> SendAsync(string? model, CancellationToken cancellationToken);

    /// <summary>Judges a result that arrived.</summary>
    public abstract ValueTask<Classification> ClassifyAsync(T result, CancellationToken cancellationToken);

    /// <summary>Judges a failure; <see langword="null"/> for one the policy must not handle (it is rethrown).</summary>
    public virtual Classification? ClassifyException(Exception exception) => ExceptionClassifier.Classify(exception);

    /// <summary>Called with the result that goes back to the caller.</summary>
    public virtual ValueTask OnServedAsync(T result, string? model, CancellationToken cancellationToken) => default;

    /// <summary>Server text with this call's secrets (and anything key-shaped) redacted.</summary>
    public virtual string Redact(string? text) => KeyRedactor.RedactText(text);
}
