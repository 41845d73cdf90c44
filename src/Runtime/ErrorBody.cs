using System;
using System.Text.Json;

namespace RetryGuard;

/// <summary>
/// Reads gateway error bodies: <c>{"error": {"code": "rate_limit_exceeded", "message": "Daily token cap reached …"}}</c>,
/// the same fields at the top level, or OpenAI's <c>insufficient_quota</c>. Anything that is not such JSON is
/// read as plain text; nothing here throws.
/// </summary>
internal static class ErrorBody
{
    /// <summary>True when the body (or an SDK exception's message) describes a daily token cap or a used-up quota.</summary>
    public static bool IsDailyCap(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        (string? code, string? type, string? message) = Parse(text!);
        if (code is not null || type is not null || message is not null)
        {
            if (Is(code, "insufficient_quota") || Is(type, "insufficient_quota"))
            {
                return true;
            }

            return (Is(code, "rate_limit_exceeded") || Is(type, "rate_limit_exceeded") || code is null) &&
                   Mentions(message, "Daily token cap");
        }

        // Not JSON (or an SDK exception message that quotes the body): look for the same signals in the text.
        return text!.IndexOf("insufficient_quota", StringComparison.OrdinalIgnoreCase) >= 0 ||
               Mentions(text, "Daily token cap");
    }

    /// <summary>The error message a body carries, or the body itself (trimmed and shortened) when it has none.</summary>
    public static string? Message(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        string? message = Parse(text!).Message ?? text;
        message = message!.Trim();
        return message.Length <= 300 ? message : message.Substring(0, 300) + "…";
    }

    private static (string? Code, string? Type, string? Message) Parse(string text)
    {
        if (text.TrimStart().StartsWith("{", StringComparison.Ordinal))
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(text);
                JsonElement root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    JsonElement error = root.TryGetProperty("error", out JsonElement inner) && inner.ValueKind == JsonValueKind.Object
                        ? inner
                        : root;
                    string? message = String(error, "message") ??
                                      (root.TryGetProperty("error", out JsonElement plain) && plain.ValueKind == JsonValueKind.String ? plain.GetString() : null);
                    return (String(error, "code"), String(error, "type"), message);
                }
            }
            catch (JsonException)
            {
                // Not JSON after all; fall through to the plain-text reading.
            }
        }

        return (null, null, null);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Is(string? value, string expected) => string.Equals(value, expected, StringComparison.OrdinalIgnoreCase);

    private static bool Mentions(string? text, string phrase) =>
        text is not null && text.IndexOf(phrase, StringComparison.OrdinalIgnoreCase) >= 0;
}
