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
/// Request bodies are read once and re-sent byte for byte. A success is returned as soon as its headers arrive
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
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        RequestBody? body = await RequestBody.ReadAsync(request.Content, cancellationToken).ConfigureAwait(false);
        HttpAttempt attempt = new(this, request, body);
        return await _pipeline.ExecuteAsync(attempt, cancellationToken).ConfigureAwait(false);
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

    private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    private sealed class HttpAttempt : AttemptStrategy<HttpResponseMessage>
    {
        private readonly RetryGuardHandler _handler;
        private readonly HttpRequestMessage _request;
        private readonly RequestBody? _body;
        private string[]? _secrets;

        public HttpAttempt(RetryGuardHandler handler, HttpRequestMessage request, RequestBody? body)
        {
            _handler = handler;
            _request = request;
            _body = body;
        }

        public override string? RequestedModel => _body?.Model;

        public override int TokenEstimate => _body?.TokenEstimate ?? 1;

        public override Task<HttpResponseMessage> SendAsync(string? model, CancellationToken cancellationToken)
        {
            if (_body is not null)
            {
                // A fresh content per attempt: the same bytes every time, whatever the previous attempt did to its content.
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
