using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace RetryGuard.Sample;

/// <summary>
/// The same loop with RetryGuard's runtime: <see cref="Backoff.Exponential"/> draws each wait uniformly from
/// [0, min(max, base × 2^attempt)], so clients that failed together come back spread out.
/// </summary>
public sealed class JitteredChatClient(HttpClient http, GatewaySettings settings) : IChatClient
{
    private const int MaxAttempts = 5;
    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

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
                await Task.Delay(Backoff.Exponential(attempt, BaseDelay, MaxDelay), cancellationToken);
            }
        }

        throw new InvalidOperationException("Unreachable: the last attempt's exception is not caught.");
    }
}
