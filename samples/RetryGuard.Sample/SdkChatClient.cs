using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAIChat = OpenAI.Chat;

namespace RetryGuard.Sample;

/// <summary>
/// OpenAI's .NET SDK pointed at the gateway, written the way much real code is: a hand-written retry loop around a
/// client that already retries, and a key written into source. The comments name the rules; `dotnet format analyzers`
/// fixes both (the SDK's own retries turned off, the key read per environment with ApiKeys.Require).
/// </summary>
public static class SdkChatClient
{
    private const int MaxAttempts = 3;

    public static async Task<string> CompleteAsync(GatewaySettings settings, HttpMessageHandler gateway, string prompt, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(gateway, disposeHandler: false);
        var options = new OpenAIClientOptions
        {
            Endpoint = settings.BaseUrl,
            Transport = new HttpClientPipelineTransport(http),
        };

        // RG0004: a key in source is the same key in every environment (and in every clone of the repository).
        var chat = new OpenAIChat.ChatClient(settings.Model, new ApiKeyCredential("gw7Qx2Vb9Lm4Tr8Nw3Zp6Kd1"), options);
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            try
            {
                // RG0006: the SDK retries 408, 429 and 5xx three times by itself; each attempt here may be four requests.
                OpenAIChat.ChatCompletion completion = await chat.CompleteChatAsync([new OpenAIChat.UserChatMessage(prompt)], cancellationToken: cancellationToken);
                return completion.Content[0].Text;
            }
            catch (ClientResultException exception) when (exception.Status >= 500 && attempt < MaxAttempts - 1)
            {
                await Task.Delay(Backoff.Exponential(attempt, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)), cancellationToken);
            }
        }

        throw new InvalidOperationException("Every attempt failed.");
    }
}
