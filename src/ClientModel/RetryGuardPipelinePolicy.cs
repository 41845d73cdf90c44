using System;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace RetryGuard.ClientModel;

/// <summary>
/// The RetryGuard policy as the retry policy of a System.ClientModel pipeline (OpenAI .NET SDK clients and every other
/// <see cref="ClientPipeline"/>-based client). Install it as <see cref="ClientPipelineOptions.RetryPolicy"/> (see
/// <see cref="RetryGuardClientPipelineOptionsExtensions.UseRetryGuard{T}(T, RetryGuardOptions)"/>): it then takes the
/// place of the SDK's <see cref="ClientRetryPolicy"/>, so each request is retried by exactly one layer.
/// </summary>
/// <remarks>
/// <para>
/// Each attempt runs the rest of the pipeline (per-try policies such as authentication, then the transport), so the
/// request is re-sent by the SDK's own machinery. Responses are judged with the runtime's table: 2xx and caller errors
/// (400, 401, 403, 404, 422, …) are returned untouched; 408/500/502/503/504 and transport failures back off with full
/// jitter; a 429 waits exactly as long as <c>retry-after-ms</c>, <c>Retry-After</c> or <c>x-ratelimit-reset-*</c> say
/// when that is within <see cref="RetryGuardOptions.MaxRetryAfter"/>, and otherwise fails at once with
/// <see cref="RateLimitExceededException"/>; a daily-cap 429 fails at once with
/// <see cref="DailyTokenCapExceededException"/>; a 402 fails at once with <see cref="InsufficientCreditsException"/>.
/// When retries run out, the last response goes back to the SDK, which raises its usual
/// <see cref="ClientResultException"/>.
/// </para>
/// <para>
/// One instance shares its limiter between every request that passes it: keep one per API key, and dispose it with
/// the client. Waits use <see cref="RetryGuardOptions.TimeProvider"/> and end at once when the message's
/// <see cref="PipelineMessage.CancellationToken"/> is cancelled. <see cref="RetryGuardOptions.AttemptTimeout"/> does
/// not apply here: a System.ClientModel transport limits each attempt with
/// <see cref="ClientPipelineOptions.NetworkTimeout"/>, and an attempt that runs out is retried like a connection failure.
/// </para>
/// </remarks>
public sealed class RetryGuardPipelinePolicy : PipelinePolicy, IDisposable
{
    private static readonly string[] KeyHeaders = { "Authorization", "api-key", "x-api-key", "x-goog-api-key", "Ocp-Apim-Subscription-Key" };

    private readonly RetryPipeline _pipeline;

    /// <summary>A policy with <paramref name="options"/>; the options are copied, later changes do not apply.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists what to change.</exception>
    public RetryGuardPipelinePolicy(RetryGuardOptions options)
        : this(options, null)
    {
    }

    /// <summary>A policy with <paramref name="options"/> that logs retries, fallbacks and escalations through <paramref name="logger"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists what to change.</exception>
    public RetryGuardPipelinePolicy(RetryGuardOptions options, ILogger? logger)
    {
        _pipeline = new RetryPipeline(options, logger);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The synchronous path blocks the calling thread for each wait, as the SDK's own synchronous retry policy does.
    /// </remarks>
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        if (message is null)
        {
            throw new ArgumentNullException(nameof(message));
        }

        // Every step of the attempt runs synchronously (ProcessNext, BufferContent); only the waits are timers, and a
        // synchronous caller has to wait for them anyway.
        _pipeline.ExecuteAsync(new MessageAttempt(this, message, pipeline, currentIndex, async: false), message.CancellationToken)
            .GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        if (message is null)
        {
            throw new ArgumentNullException(nameof(message));
        }

        MessageAttempt attempt = new(this, message, pipeline, currentIndex, async: true);
        await attempt.PrepareAsync(message.CancellationToken).ConfigureAwait(false);
        await _pipeline.ExecuteAsync(attempt, message.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the limiter's timers.</summary>
    public void Dispose() => _pipeline.Dispose();

    /// <summary>One request through the rest of the pipeline, judged by the runtime's table.</summary>
    private sealed class MessageAttempt : AttemptStrategy<PipelineResponse>
    {
        private readonly RetryGuardPipelinePolicy _owner;
        private readonly PipelineMessage _message;
        private readonly IReadOnlyList<PipelinePolicy> _next;
        private readonly int _index;
        private readonly bool _async;
        private RequestBody? _body;
        private string? _sentModel;
        private int _sent;
        private string[]? _secrets;

        public MessageAttempt(RetryGuardPipelinePolicy owner, PipelineMessage message, IReadOnlyList<PipelinePolicy> next, int index, bool async)
        {
            _owner = owner;
            _message = message;
            _next = next;
            _index = index;
            _async = async;
            if (!async)
            {
                PrepareAsync(message.CancellationToken).AsTask().GetAwaiter().GetResult();
            }
        }

        private RetryPipeline Pipeline => _owner._pipeline;

        public override string? RequestedModel => _body?.Model;

        public override int TokenEstimate => _body?.TokenEstimate ?? 1;

        /// <summary>
        /// Reads the request body when the options need it (a token budget, or fallback models): its <c>model</c> and
        /// its size. Without those options the body is left alone; the SDK's content re-writes itself on each attempt.
        /// </summary>
        public async ValueTask PrepareAsync(CancellationToken cancellationToken)
        {
            RetryGuardOptions options = Pipeline.Options;
            BinaryContent? content = _message.Request.Content;
            if (content is null || (options.FallbackModels.Count == 0 && !Pipeline.Limiter.LimitsTokens))
            {
                return;
            }

            using MemoryStream copy = new();
            if (_async)
            {
                await content.WriteToAsync(copy, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                content.WriteTo(copy, cancellationToken);
            }

            using ByteArrayContent bytes = new(copy.ToArray());
            if (_message.Request.Headers.TryGetValue("Content-Type", out string? contentType) && contentType is not null)
            {
                bytes.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            _body = await RequestBody.ReadAsync(bytes, cancellationToken).ConfigureAwait(false);
            _sentModel = _body?.Model;
        }

        public override async Task<PipelineResponse> SendAsync(string? model, CancellationToken cancellationToken)
        {
            if (_sent++ > 0)
            {
                // Free the previous attempt's connection, as ClientRetryPolicy does before it re-sends.
                _message.Response?.ContentStream?.Dispose();
            }

            if (_body is not null && !string.Equals(model, _sentModel, StringComparison.Ordinal))
            {
                // A fallback: the same bytes with another top-level "model".
                using HttpContent replaced = _body.CreateContent(model);
#if NET5_0_OR_GREATER
                byte[] bytes = await replaced.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
#else
                byte[] bytes = await replaced.ReadAsByteArrayAsync().ConfigureAwait(false);
#endif
                _message.Request.Content = BinaryContent.Create(BinaryData.FromBytes(bytes));
                _sentModel = model;
            }

            if (_async)
            {
                await RetryGuardPipelinePolicy.ProcessNextAsync(_message, _next, _index).ConfigureAwait(false);
            }
            else
            {
                RetryGuardPipelinePolicy.ProcessNext(_message, _next, _index);
            }

            return _message.Response ?? throw new InvalidOperationException(
                "The pipeline after the RetryGuard policy set no response; the transport must set PipelineMessage.Response.");
        }

        public override async ValueTask<Classification> ClassifyAsync(PipelineResponse result, CancellationToken cancellationToken)
        {
            // A thin mapping onto the runtime's own judge: the status, the headers it reads, and (only for the statuses
            // whose body matters: 429 and 402) the error body, buffered so the SDK still reads all of it.
            int status = result.Status;
            using HttpResponseMessage mapped = new((HttpStatusCode)status);
            foreach (KeyValuePair<string, string> header in result.Headers)
            {
                mapped.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            if (status is 429 or 402)
            {
                BinaryData body = _async
                    ? await result.BufferContentAsync(cancellationToken).ConfigureAwait(false)
                    : result.BufferContent(cancellationToken);
                ByteArrayContent content = new(body.ToArray());
                if (result.Headers.TryGetValue("Content-Type", out string? contentType) && contentType is not null)
                {
                    content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                }

                mapped.Content = content;
            }

            return await HttpResponses.ClassifyAsync(mapped, Pipeline, Redact, cancellationToken).ConfigureAwait(false);
        }

        public override Classification? ClassifyException(Exception exception) => exception switch
        {
            // The caller did not cancel (the pipeline rethrows that before asking), so the transport's
            // NetworkTimeout ended the attempt. System.ClientModel 1.x says so with a TaskCanceledException whose inner
            // exception is another cancellation, not a TimeoutException: recognised here by the token, not the shape.
            OperationCanceledException when !_message.CancellationToken.IsCancellationRequested =>
                Classification.Transient(null, RetryReason.AttemptTimeout),
            _ => ExceptionClassifier.Classify(exception, Pipeline.Time),
        };

        public override async ValueTask OnServedAsync(PipelineResponse result, string? model, CancellationToken cancellationToken)
        {
            ProactiveLimiter limiter = Pipeline.Limiter;
            if (limiter.LimitsTokens && !result.IsError && _message.BufferResponse)
            {
                // The transport buffered the body already; reading it for "usage" costs no I/O.
                using HttpResponseMessage mapped = new((HttpStatusCode)result.Status);
                mapped.Content = new ByteArrayContent(result.Content.ToArray());
                mapped.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
                long? used = await HttpResponses.ReadUsageAsync(mapped, cancellationToken).ConfigureAwait(false);
                if (used is { } tokens)
                {
                    limiter.ChargeExtraTokens(tokens - Math.Min(TokenEstimate, limiter.TokenLimit));
                }
            }
        }

        public override string Redact(string? text) => KeyRedactor.RedactText(text, _secrets ??= CollectSecrets());

        private string[] CollectSecrets()
        {
            List<string> secrets = new();
            foreach (string name in KeyHeaders)
            {
                if (_message.Request.Headers.TryGetValue(name, out string? value) && value is not null)
                {
                    int space = value.IndexOf(' ');
                    secrets.Add(space > 0 ? value.Substring(space + 1).Trim() : value.Trim());
                }
            }

            return secrets.ToArray();
        }
    }
}
