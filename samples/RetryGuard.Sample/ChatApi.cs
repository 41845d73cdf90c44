using System.Net.Http.Json;
using System.Text.Json;

namespace RetryGuard.Sample;

/// <summary>The part of the OpenAI-compatible chat-completions wire format this sample uses.</summary>
public sealed record ChatRequest(string Model, IReadOnlyList<ChatMessage> Messages, string? User = null)
{
    public static ChatRequest Ask(string model, string prompt, string user) => new(model, [new ChatMessage("user", prompt)], user);
}

public sealed record ChatMessage(string Role, string Content);

public sealed record ChatCompletion(string Id, string Model, IReadOnlyList<ChatChoice> Choices);

public sealed record ChatChoice(int Index, ChatMessage Message);

/// <summary>An API error body: <c>{"error": {"code": …, "message": …}}</c>.</summary>
public sealed record ApiError(ApiErrorDetail Error);

public sealed record ApiErrorDetail(string Code, string Message);

/// <summary>One way of asking the gateway for a completion; the sample runs each scenario with two of them.</summary>
public delegate Task<string> ChatCall(ChatRequest request, CancellationToken cancellationToken);

internal static class ChatResponses
{
    public static async Task<string> ReadAnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var completion = await response.Content.ReadFromJsonAsync<ChatCompletion>(cancellationToken)
            ?? throw new InvalidOperationException("The gateway answered 200 with an empty body.");
        return completion.Choices[0].Message.Content;
    }
}

/// <summary>Where the gateway is and which model to ask, from appsettings.json as a real app would read it.</summary>
public sealed record GatewaySettings(Uri BaseUrl, string Model, string ApiKeyVariable)
{
    public static GatewaySettings Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var gateway = document.RootElement.GetProperty("Gateway");
        return new GatewaySettings(
            new Uri(gateway.GetProperty("BaseUrl").GetString()!),
            gateway.GetProperty("Model").GetString()!,
            gateway.GetProperty("ApiKeyVariable").GetString()!);
    }

    /// <summary>The key from the environment; the fake gateway accepts any, so the sample runs without one.</summary>
    public string ApiKey => Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } key ? key : "no-key-needed-for-the-fake-gateway";
}
