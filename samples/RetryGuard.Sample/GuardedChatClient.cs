using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace RetryGuard.Sample;

/// <summary>
/// The same call with RetryGuard's runtime: no loop here. The <see cref="RetryGuardHandler"/> under the
/// <see cref="HttpClient"/> retries 408, 429 and 5xx with capped, jittered backoff, waits exactly as long as a 429's
/// Retry-After says (up to <see cref="RetryGuardOptions.MaxRetryAfter"/>), never retries caller errors, and fails at
/// once with <see cref="DailyTokenCapExceededException"/> when the daily token cap is used up.
/// </summary>
public sealed class GuardedChatClient(HttpClient http, GatewaySettings settings)
{
    /// <summary>An <see cref="HttpClient"/> over <paramref name="transport"/> with RetryGuard in front of it.</summary>
    public static HttpClient CreateHttpClient(GatewaySettings settings, HttpMessageHandler transport)
    {
        var options = new RetryGuardOptions
        {
            MaxRetries = 4,
            BaseDelay = TimeSpan.FromMilliseconds(100),
            MaxDelay = TimeSpan.FromSeconds(2),
        };
        return new HttpClient(new RetryGuardHandler(options, transport)) { BaseAddress = settings.BaseUrl };
    }

    public async Task<string> CompleteAsync(ChatRequest body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.ApiKey);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var error = await response.Content.ReadFromJsonAsync<ApiError>(cancellationToken);
            throw new HttpRequestException($"{(int)response.StatusCode} {error?.Error.Code}: {error?.Error.Message}", null, response.StatusCode);
        }

        return await ChatResponses.ReadAnswerAsync(response, cancellationToken);
    }
}
