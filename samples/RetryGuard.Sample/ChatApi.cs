using System.Text.Json;

namespace RetryGuard.Sample;

/// <summary>The part of the OpenAI-compatible chat-completions wire format this sample uses.</summary>
public sealed record ChatRequest(string Model, IReadOnlyList<ChatMessage> Messages, string? User = null);

public sealed record ChatMessage(string Role, string Content);

public sealed record ChatCompletion(string Id, string Model, IReadOnlyList<ChatChoice> Choices);

public sealed record ChatChoice(int Index, ChatMessage Message);

/// <summary>One way to ask the gateway for a completion; the sample compares two of them.</summary>
public interface IChatClient
{
    Task<string> CompleteAsync(string prompt, string user, CancellationToken cancellationToken);
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
