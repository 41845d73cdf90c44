using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace RetryGuard.Sample;

/// <summary>
/// A chat client written the way much real code is: a hand-written retry loop with exponential backoff. Every process
/// that fails at the same moment waits exactly as long as the others, so their retries arrive together.
/// </summary>
public sealed class NaiveChatClient(HttpClient http, GatewaySettings settings) : IChatClient
{
    private const int MaxAttempts = 5;

    public async Task<string> CompleteAsync(string prompt, string user, CancellationToken cancellationToken)
    {
        var body = new ChatRequest(settings.Model, [new ChatMessage("user", prompt)], user);

        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = JsonContent.Create(body) };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.ApiKey);
                using var response = await http.SendAsync(request, cancellationToken);
                response.EnsureSuccessStatusCode();

                var completion = await response.Content.ReadFromJsonAsync<ChatCompletion>(cancellationToken);
                return completion!.Choices[0].Message.Content;
            }
            catch (HttpRequestException) when (attempt < MaxAttempts - 1)
            {
                // RG0001: 200 ms, 400 ms, 800 ms ... in every client alike.
                await Task.Delay(TimeSpan.FromMilliseconds(200 * Math.Pow(2, attempt)), cancellationToken);
            }
        }

        throw new InvalidOperationException("Unreachable: the last attempt's exception is not caught.");
    }
}
