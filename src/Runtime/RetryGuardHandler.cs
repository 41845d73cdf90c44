using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace RetryGuard;

/// <summary>
/// An HTTP handler that applies the RetryGuard policy to every request: proactive limiting, Retry-After with a cap,
/// jittered backoff for transient failures, no retries of caller errors, daily-cap and 402 detection, model fallback.
/// </summary>
/// <remarks>
/// The first attempt sends the caller's content as it is; retries and fallbacks re-send its bytes (a stream is buffered
/// first so it can be). A daily cap is remembered until its reset: later requests for that model are not sent. A
/// success is returned as soon as its headers arrive
/// (streaming with <see cref="HttpCompletionOption.ResponseHeadersRead"/> works) and is never retried.
/// </remarks>
public sealed class RetryGuardHandler : DelegatingHandler
{
    /// <summary>Response header naming the model that served a request that fell back to another model.</summary>
    public const string ServedModelHeader = "x-retryguard-model";

    /// <summary>Response header naming the model the request asked for, set together with <see cref="ServedModelHeader"/>.</summary>
    public const string RequestedModelHeader = "x-retryguard-requested-model";

    private static readonly string[] KeyHeaders = { "Authorization", "api-key", "x-api-key", "x-goog-api-key", "Ocp-Apim-Subscription-Key" };

    private readonly RetryPipeline _pipeline;
    private readonly bool _ownsPipeline;

    /// <summary>A handler whose inner handler is set later (as <c>IHttpClientFactory</c> does).</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists what to change.</exception>
    public RetryGuardHandler(RetryGuardOptions options)
        : this(options, (ILogger?)null)
    {
    }

    /// <summary>A handler that logs through <paramref name="logger"/>.</summary>
    public RetryGuardHandler(RetryGuardOptions options, ILogger? logger)
    {
        _pipeline = new RetryPipeline(options, logger);
        _ownsPipeline = true;
    }

    /// <summary>A handler in front of <paramref name="innerHandler"/>.</summary>
    public RetryGuardHandler(RetryGuardOptions options, HttpMessageHandler innerHandler)
        : this(options, innerHandler, null)
    {
    }

    /// <summary>A handler in front of <paramref name="innerHandler"/> that logs through <paramref name="logger"/>.</summary>
    public RetryGuardHandler(RetryGuardOptions options, HttpMessageHandler innerHandler, ILogger? logger)
        : base(innerHandler)
    {
        _pipeline = new RetryPipeline(options, logger);
        _ownsPipeline = true;
    }

    /// <summary>A handler over a pipeline shared by every handler of one named client.</summary>
    internal RetryGuardHandler(RetryPipeline pipeline)
    {
        _pipeline = pipeline;
        _ownsPipeline = false;
    }

    internal RetryPipeline Pipeline => _pipeline;

    /// <inheritdoc />
    /// <remarks>
    /// When nothing needs to wait or read the body (a request permit at hand, no pause, no token budget, no remembered
    /// daily cap, no attempt timeout, nobody tracing) the first attempt goes straight to the inner handler with the caller's request and content untouched,
    /// and a final response (a success, a caller error) comes back without any further work. The body is read only
    /// when something needs it: a token budget, a remembered daily cap, or a failed attempt (fallbacks, retries).
    /// </remarks>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        // An already-cancelled call takes the full path, which throws before taking a permit it would not use.
        // The epoch is the outage gate's when this request passed it: a 502/503 of this attempt closes the gate only if
        // no hold began since, and a hold that began after it passed does not take its answer for that hold's probe.
        int epoch = 0;
        if (request.Content is { } content && !IsReplayable(content))
        {
            return BufferThenExecuteAsync(request, content, cancellationToken);
        }

        if (cancellationToken.IsCancellationRequested || !_pipeline.TrySendDirectly(out epoch))
        {
            return _pipeline.ExecuteAsync(new HttpAttempt(this, request, firstSent: false), cancellationToken);
        }

        Task<HttpResponseMessage> sent;
        try
        {
            sent = base.SendAsync(request, cancellationToken);
        }
        catch (Exception ex)
        {
            // Judged below like a failure that arrived through the task.
            sent = Task.FromException<HttpResponseMessage>(ex);
        }

        if (sent.Status == TaskStatus.RanToCompletion && _pipeline.TryFinishDirectly(sent.Result))
        {
            return sent;
        }

        return sent.IsCompleted
            ? _pipeline.ExecuteAsync(new HttpAttempt(this, request, firstSent: true), cancellationToken, sent, epoch)
            : AwaitFirstAttemptAsync(sent, request, epoch, cancellationToken);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsPipeline)
        {
            _pipeline.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Content that sends the same bytes every time it is serialized, so the first attempt can use it as it is.</summary>
    private static bool IsReplayable(HttpContent content) =>
#if NET5_0_OR_GREATER
        content is ByteArrayContent or ReadOnlyMemoryContent;
#else
        content is ByteArrayContent;
#endif

    /// <summary>
    /// Content that may not serialize twice (a stream) is buffered in place before anything else, so a retry can re-send
    /// it: with the caller's token only. An attempt's timeout must not cut the caller's own stream short (the part
    /// read would be lost and no retry could send the body), so the policy, and any attempt timer, start after it.
    /// </summary>
    private async Task<HttpResponseMessage> BufferThenExecuteAsync(HttpRequestMessage request, HttpContent content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
#if NET5_0_OR_GREATER
        // Buffers the content in place, reading the stream with the caller's token (the copy it returns is dropped).
        _ = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
#else
        // netstandard2.0 has no way to hand the token to the stream: the wait for the read ends when the caller
        // cancels, the read itself runs on until its stream ends (its failure then goes unobserved, not thrown); the
        // request is over by then, so nothing else reads the content.
        Task load = content.LoadIntoBufferAsync();
        if (!load.IsCompleted && cancellationToken.CanBeCanceled)
        {
            var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(true), cancelled))
            {
                if (await Task.WhenAny(load, cancelled.Task).ConfigureAwait(false) != load)
                {
                    _ = load.ContinueWith(static abandoned => _ = abandoned.Exception, CancellationToken.None,
                        TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }

        await load.ConfigureAwait(false);
#endif
        return await _pipeline.ExecuteAsync(new HttpAttempt(this, request, firstSent: false), cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> AwaitFirstAttemptAsync(Task<HttpResponseMessage> sent, HttpRequestMessage request, int epoch,
        CancellationToken cancellationToken)
    {
        try
        {
            HttpResponseMessage response = await sent.ConfigureAwait(false);
            if (_pipeline.TryFinishDirectly(response))
            {
                return response;
            }
        }
        catch (Exception) when (sent.IsFaulted || sent.IsCanceled)
        {
            // The policy judges the failure: it awaits the same task again.
        }

        return await _pipeline.ExecuteAsync(new HttpAttempt(this, request, firstSent: true), cancellationToken, sent, epoch).ConfigureAwait(false);
    }

    private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    private sealed class HttpAttempt : AttemptStrategy<HttpResponseMessage>
    {
        private readonly RetryGuardHandler _handler;
        private readonly HttpRequestMessage _request;
        private readonly HttpContent? _content;
        private RequestBody? _body;
        private bool _described;
        private int _sends;
        private string[]? _secrets;

        public HttpAttempt(RetryGuardHandler handler, HttpRequestMessage request, bool firstSent)
        {
            _handler = handler;
            _request = request;
            _content = request.Content;
            _sends = firstSent ? 1 : 0;
        }

        public override string? RequestedModel => _body?.Model;

        public override int TokenEstimate => _body?.TokenEstimate ?? 1;

        public override async ValueTask DescribeAsync(CancellationToken cancellationToken)
        {
            if (_described)
            {
                return;
            }

            _described = true;
            try
            {
                _body = await RequestBody.ReadAsync(_content, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or System.IO.IOException)
            {
                // The content cannot be read again (disposed or consumed by the inner handler): its model is not
                // known, and a retry sends it as it is.
            }
        }

        public override Task<HttpResponseMessage> SendAsync(string? model, CancellationToken cancellationToken)
        {
            bool first = _sends++ == 0;
            if (_body is not null && (!first || !string.Equals(model, _body.Model, StringComparison.Ordinal)))
            {
                // A retry or a fallback: a fresh content with the same bytes (or another model), whatever the previous
                // attempt did to its content. The first attempt sends the caller's own content.
                _request.Content = _body.CreateContent(model);
            }

            return _handler.SendOnceAsync(_request, cancellationToken);
        }

        public override ValueTask<Classification> ClassifyAsync(HttpResponseMessage result, CancellationToken cancellationToken) =>
            HttpResponses.ClassifyAsync(result, _handler._pipeline, Redact, cancellationToken);

        public override Classification? ClassifyException(Exception exception) => exception switch
        {
            // From the inner handler an HttpRequestException means no response arrived.
            HttpRequestException => Classification.Transient(null, RetryReason.ConnectionFailure),
            _ => ExceptionClassifier.Classify(exception, _handler._pipeline.Time),
        };

        public override async ValueTask OnServedAsync(HttpResponseMessage result, string? model, CancellationToken cancellationToken)
        {
            if (model is not null && !string.Equals(model, RequestedModel, StringComparison.Ordinal))
            {
                result.Headers.TryAddWithoutValidation(ServedModelHeader, model);
                result.Headers.TryAddWithoutValidation(RequestedModelHeader, RequestedModel);
            }

            ProactiveLimiter limiter = _handler._pipeline.Limiter;
            if (limiter.LimitsTokens && result.IsSuccessStatusCode &&
                await HttpResponses.ReadUsageAsync(result, cancellationToken).ConfigureAwait(false) is { } used)
            {
                limiter.ChargeExtraTokens(used - Math.Min(TokenEstimate, limiter.TokenLimit));
            }
        }

        public override string Redact(string? text) => KeyRedactor.RedactText(text, _secrets ??= CollectSecrets());

        private string[] CollectSecrets()
        {
            List<string> secrets = new();
            foreach (string name in KeyHeaders)
            {
                if (_request.Headers.TryGetValues(name, out IEnumerable<string>? values))
                {
                    foreach (string value in values)
                    {
                        int space = value.IndexOf(' ');
                        secrets.Add(space > 0 ? value.Substring(space + 1).Trim() : value.Trim());
                    }
                }
            }

            string query = _request.RequestUri?.IsAbsoluteUri == true ? _request.RequestUri.Query : string.Empty;
            secrets.AddRange(query.TrimStart('?').Split('&')
                .Select(pair => pair.Split(new[] { '=' }, 2))
                .Where(pair => pair.Length == 2 && pair[1].Length >= 8)
                .Select(pair => Uri.UnescapeDataString(pair[1])));
            return secrets.ToArray();
        }
    }
}
