using System;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace RetryGuard;

/// <summary>
/// A request body read once, so every attempt sends the same bytes, and the JSON <c>model</c> it names, so a
/// fallback can send the same bytes with only that value replaced.
/// </summary>
internal sealed class RequestBody
{
    private readonly byte[] _bytes;
    private readonly HttpContent _original;
    private readonly int _modelStart;
    private readonly int _modelEnd;

    private RequestBody(byte[] bytes, HttpContent original)
    {
        _bytes = bytes;
        _original = original;
        (Model, _modelStart, _modelEnd, long maxTokens) = Scan(bytes);
        long estimate = bytes.Length / 4 + maxTokens;
        TokenEstimate = (int)Math.Min(Math.Max(estimate, 1), int.MaxValue);
    }

    /// <summary>The top-level JSON <c>model</c> string, or null when the body has none (or is not JSON).</summary>
    public string? Model { get; }

    /// <summary>Rough size in tokens: body bytes / 4 plus the completion budget the body asks for.</summary>
    public int TokenEstimate { get; }

    public static async Task<RequestBody?> ReadAsync(HttpContent? content, CancellationToken cancellationToken)
    {
        if (content is null)
        {
            return null;
        }

#if NET5_0_OR_GREATER
        byte[] bytes = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
#else
        cancellationToken.ThrowIfCancellationRequested();
        byte[] bytes = await content.ReadAsByteArrayAsync().ConfigureAwait(false);
#endif
        return new RequestBody(bytes, content);
    }

    /// <summary>A fresh content with the original bytes (or with <paramref name="model"/> spliced in) and headers.</summary>
    public HttpContent CreateContent(string? model)
    {
        byte[] bytes = _bytes;
        if (model is not null && Model is not null && !string.Equals(model, Model, StringComparison.Ordinal))
        {
            byte[] value = JsonSerializer.SerializeToUtf8Bytes(model);
            bytes = new byte[_modelStart + value.Length + (_bytes.Length - _modelEnd)];
            Buffer.BlockCopy(_bytes, 0, bytes, 0, _modelStart);
            Buffer.BlockCopy(value, 0, bytes, _modelStart, value.Length);
            Buffer.BlockCopy(_bytes, _modelEnd, bytes, _modelStart + value.Length, _bytes.Length - _modelEnd);
        }

        ByteArrayContent content = new(bytes);
        HttpResponses.CopyHeaders(_original, content);
        return content;
    }

    private static (string? Model, int Start, int End, long MaxTokens) Scan(byte[] bytes)
    {
        int first = 0;
        while (first < bytes.Length && bytes[first] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)
        {
            first++;
        }

        if (first >= bytes.Length || bytes[first] != (byte)'{')
        {
            return (null, 0, 0, 0);
        }

        string? model = null;
        int start = 0, end = 0;
        long maxTokens = 0;
        try
        {
            Utf8JsonReader reader = new(bytes.AsSpan(first), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isModel = reader.ValueTextEquals("model");
                bool isBudget = reader.ValueTextEquals("max_tokens") || reader.ValueTextEquals("max_completion_tokens") ||
                                reader.ValueTextEquals("max_output_tokens");
                reader.Read();
                if (isModel && reader.TokenType == JsonTokenType.String && model is null)
                {
                    model = reader.GetString();
                    start = first + (int)reader.TokenStartIndex;
                    end = first + (int)reader.BytesConsumed;
                }
                else if (isBudget && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long budget) && budget > 0)
                {
                    maxTokens = Math.Max(maxTokens, budget);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Malformed JSON: whatever was found before the error is still right; the body is sent as it is.
            if (model is null)
            {
                return (null, 0, 0, maxTokens);
            }
        }

        return (model, start, end, maxTokens);
    }
}
