using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace RetryGuard.Sample;

/// <summary>One request as the gateway saw it.</summary>
public sealed record GatewayRequest(TimeSpan At, string User, HttpStatusCode Status);

/// <summary>
/// An OpenAI-compatible <c>POST …/chat/completions</c> endpoint inside the process, so the sample needs no network and
/// no key. Its upstream provider is down for <paramref name="outage"/> from the first request on: until then every
/// call gets 503, the transient a real gateway passes on. It records when each request arrived.
/// </summary>
public sealed class FakeGateway(TimeSpan outage) : HttpMessageHandler
{
    private readonly Stopwatch _clock = new();
    private readonly ConcurrentQueue<GatewayRequest> _requests = new();
    private int _completions;

    public IReadOnlyList<GatewayRequest> Requests => [.. _requests.OrderBy(request => request.At)];

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

        if (at < outage)
        {
            _requests.Enqueue(new GatewayRequest(at, chat.User ?? "anonymous", HttpStatusCode.ServiceUnavailable));
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            {
                Content = JsonContent.Create(new { error = new { message = "Upstream provider unavailable", code = "upstream_unavailable" } }),
            };
        }

        _requests.Enqueue(new GatewayRequest(at, chat.User ?? "anonymous", HttpStatusCode.OK));
        var prompt = chat.Messages[^1].Content;
        var completion = new ChatCompletion(
            $"chatcmpl-{Interlocked.Increment(ref _completions)}",
            chat.Model,
            [new ChatChoice(0, new ChatMessage("assistant", $"Summary: {prompt.Replace("Summarise ", "", StringComparison.Ordinal)} is resolved."))]);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = JsonContent.Create(completion) };
    }
}
