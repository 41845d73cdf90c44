using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace RetryGuard.Sample;

/// <summary>
/// A chat client written the way much real code is: hand-written retry loops. Each loop holds mistakes that RetryGuard
/// reports; the comments name the rules. Building the sample shows the warnings.
/// </summary>
public sealed class NaiveChatClient(HttpClient http, GatewaySettings settings)
{
    private const int MaxAttempts = 5;

    /// <summary>Exponential backoff around every failure.</summary>
    public async Task<string> CompleteAsync(ChatRequest body, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            try
            {
                using var response = await SendAsync(body, cancellationToken);
                response.EnsureSuccessStatusCode();
                return await ChatResponses.ReadAnswerAsync(response, cancellationToken);
            }
            catch (HttpRequestException) when (attempt < MaxAttempts - 1)
            {
                // RG0001: 100 ms, 200 ms, 400 ms ... in every client alike.
                // RG0002: EnsureSuccessStatusCode throws for 400, 401, 403 and 422 too, and they are retried.
                // RG0003: a 429 is retried after this delay, not after the server's Retry-After.
                await Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt)), cancellationToken);
            }
        }

        throw new InvalidOperationException("Unreachable: the last attempt's exception is not caught.");
    }

    /// <summary>Does what the server says after a 429, and nothing else.</summary>
    public async Task<string> CompleteHonouringRetryAfterAsync(ChatRequest body, CancellationToken cancellationToken)
    {
        // RG0005: nothing ends this loop while the server keeps answering 429.
        while (true)
        {
            using var response = await SendAsync(body, cancellationToken);
            if (response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                response.EnsureSuccessStatusCode();
                return await ChatResponses.ReadAnswerAsync(response, cancellationToken);
            }

            // RG0007: however long the server asks for; a daily-cap 429 asks to wait until midnight UTC.
            await Task.Delay(response.Headers.RetryAfter!.Delta!.Value, cancellationToken);
        }
    }

    private Task<HttpResponseMessage> SendAsync(ChatRequest body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.ApiKey);
        return http.SendAsync(request, cancellationToken);
    }
}
