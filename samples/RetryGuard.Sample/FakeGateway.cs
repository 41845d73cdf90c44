using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace RetryGuard.Sample;

/// <summary>A request as the gateway sees it: when it came (from the first request on), from whom, for which model.</summary>
public sealed record GatewayCall(TimeSpan At, string User, string Model);

/// <summary>What the gateway answers.</summary>
public sealed record GatewayReply(HttpStatusCode Status, TimeSpan? RetryAfter = null, ApiErrorDetail? Error = null)
{
    public static GatewayReply Ok { get; } = new(HttpStatusCode.OK);

    public static GatewayReply UpstreamUnavailable { get; } =
        new(HttpStatusCode.ServiceUnavailable, null, new("upstream_unavailable", "Upstream provider unavailable"));

    public static GatewayReply OverRequestsPerMinute(TimeSpan retryAfter) =>
        new(HttpStatusCode.TooManyRequests, retryAfter, new("rate_limit_exceeded", "Rate limit reached for requests per minute"));

    public static GatewayReply DailyTokenCap(TimeSpan untilMidnightUtc) =>
        new(HttpStatusCode.TooManyRequests, untilMidnightUtc, new("rate_limit_exceeded", "Daily token cap reached"));

    public static GatewayReply ModelNotFound(string model) =>
        new(HttpStatusCode.BadRequest, null, new("model_not_found", $"The model '{model}' does not exist"));
}

/// <summary>One request as the gateway answered it.</summary>
public sealed record GatewayLogEntry(GatewayCall Call, GatewayReply Reply);

/// <summary>
/// An OpenAI-compatible <c>POST …/chat/completions</c> endpoint inside the process, so the sample needs no network and
/// no key. A script decides each answer; the gateway records when each request arrived and what it got.
/// </summary>
public sealed class FakeGateway(Func<GatewayCall, GatewayReply> script) : HttpMessageHandler
{
    private readonly Stopwatch _clock = new();
    private readonly ConcurrentQueue<GatewayLogEntry> _log = new();
    private int _completions;

    public IReadOnlyList<GatewayLogEntry> Log => [.. _log.OrderBy(entry => entry.Call.At)];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (_clock)
        {
            if (!_clock.IsRunning)
            {
                _clock.Start();
            }
        }

        var at = _clock.Elapsed;
        if (request.Method != HttpMethod.Post || request.RequestUri?.AbsolutePath.EndsWith("/chat/completions", StringComparison.Ordinal) != true)
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound);
        }

        if (request.Headers.Authorization?.Scheme != "Bearer")
        {
            return new HttpResponseMessage(HttpStatusCode.Unauthorized);
        }

        var chat = await request.Content!.ReadFromJsonAsync<ChatRequest>(cancellationToken)
            ?? throw new InvalidOperationException("The request has no JSON body.");
        var call = new GatewayCall(at, chat.User ?? "anonymous", chat.Model);
        var reply = script(call);
        _log.Enqueue(new GatewayLogEntry(call, reply));

        var response = new HttpResponseMessage(reply.Status);
        if (reply.RetryAfter is { } retryAfter)
        {
            // Retry-After in whole seconds, rounded up: never earlier than the server means.
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(Math.Ceiling(retryAfter.TotalSeconds)));
        }

        if (reply.Error is { } error)
        {
            response.Content = JsonContent.Create(new ApiError(error));
            return response;
        }

        var prompt = chat.Messages[^1].Content;
        response.Content = JsonContent.Create(new ChatCompletion(
            $"chatcmpl-{Interlocked.Increment(ref _completions)}",
            chat.Model,
            [new ChatChoice(0, new ChatMessage("assistant", $"Summary: {prompt.Replace("Summarise ", "", StringComparison.Ordinal)} is resolved."))]));
        return response;
    }
}
