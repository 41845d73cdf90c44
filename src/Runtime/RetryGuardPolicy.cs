using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace RetryGuard;

/// <summary>
/// The RetryGuard policy for calls that are not made through <see cref="RetryGuardHandler"/>: SDK clients
/// (OpenAI, Azure, System.ClientModel), or code that sends its own requests. Failures are judged by their status:
/// <see cref="HttpRequestException"/>'s status code, or the <c>Status</c> of <c>ClientResultException</c> /
/// <c>RequestFailedException</c>; a delegate returning an <see cref="HttpResponseMessage"/> is judged by the response.
/// One instance shares its limiter between calls; keep one per API key.
/// </summary>
public sealed class RetryGuardPolicy : IDisposable
{
    private static readonly Lazy<RetryGuardPolicy> DefaultPolicy = new(() => new RetryGuardPolicy(new RetryGuardOptions()));

    private readonly RetryPipeline _pipeline;

    /// <summary>A policy with <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists what to change.</exception>
    public RetryGuardPolicy(RetryGuardOptions options, ILogger? logger = null)
    {
        _pipeline = new RetryPipeline(options, logger);
    }

    /// <summary>A process-wide policy with the default options (no proactive limiting, no fallbacks).</summary>
    public static RetryGuardPolicy Default => DefaultPolicy.Value;

    /// <summary>
    /// Runs <paramref name="operation"/> under the policy and returns its result. Each attempt gets a token that
    /// is cancelled by <paramref name="cancellationToken"/> or by the attempt timeout.
    /// </summary>
    public Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken = default)
    {
        if (operation is null)
        {
            throw new ArgumentNullException(nameof(operation));
        }

        return _pipeline.ExecuteAsync(new DelegateAttempt<T>(operation, _pipeline), cancellationToken);
    }

    /// <summary>Runs <paramref name="operation"/> under the policy.</summary>
    public Task ExecuteAsync(Func<CancellationToken, Task> operation, CancellationToken cancellationToken = default)
    {
        if (operation is null)
        {
            throw new ArgumentNullException(nameof(operation));
        }

        return _pipeline.ExecuteAsync(new DelegateAttempt<bool>(async ct =>
        {
            await operation(ct).ConfigureAwait(false);
            return true;
        }, _pipeline), cancellationToken);
    }

    /// <summary>Stops the limiter's timers.</summary>
    public void Dispose() => _pipeline.Dispose();

    private sealed class DelegateAttempt<T> : AttemptStrategy<T>
    {
        private readonly Func<CancellationToken, Task<T>> _operation;
        private readonly RetryPipeline _pipeline;

        public DelegateAttempt(Func<CancellationToken, Task<T>> operation, RetryPipeline pipeline)
        {
            _operation = operation;
            _pipeline = pipeline;
        }

        public override Task<T> SendAsync(string? model, CancellationToken cancellationToken) => _operation(cancellationToken);

        public override ValueTask<Classification> ClassifyAsync(T result, CancellationToken cancellationToken) =>
            result is HttpResponseMessage response
                ? HttpResponses.ClassifyAsync(response, _pipeline, text => KeyRedactor.RedactText(text), cancellationToken)
                : new ValueTask<Classification>(Classification.Return(null));

        public override Classification? ClassifyException(Exception exception) => ExceptionClassifier.Classify(exception, _pipeline.Time);
    }
}
