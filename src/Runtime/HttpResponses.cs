using System;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace RetryGuard;

/// <summary>Judging responses: shared by the handler and by policies whose delegates return responses.</summary>
internal static class HttpResponses
{
    /// <summary>Error bodies are read up to this size for classification; the rest still reaches the caller.</summary>
    private const int MaxErrorBodyBytes = 64 * 1024;

    /// <summary>Success bodies up to this size are read for <c>usage</c> when a token budget is set.</summary>
    private const long MaxUsageBodyBytes = 1024 * 1024;

    public static async ValueTask<Classification> ClassifyAsync(HttpResponseMessage response, RetryPipeline pipeline,
        Func<string?, string> redact, CancellationToken cancellationToken)
    {
        pipeline.Limiter.Observe(response);
        int status = (int)response.StatusCode;
        if (IsFinal(status))
        {
            return Classification.Return(status);
        }

        DateTimeOffset now = pipeline.Time.GetUtcNow();
        if (HttpStatusPolicy.IsTransient(status))
        {
            return Classification.Transient(status, RetryReason.TransientStatus, RetryAfter.GetDelay(response, now));
        }

        string? body = await ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
        TimeSpan? delay = status == 429 ? RetryAfter.GetServerDelay(response, now) : null;
        return Classification.FromStatus(status, delay, body, redact(ErrorBody.Message(body)));
    }

    /// <summary>A status the caller gets as it is, whatever the body says: a success or a caller error (not 402 or 429).</summary>
    public static bool IsFinal(int status) => status < 400 || (status != 429 && status != 402 && !HttpStatusPolicy.IsTransient(status));

    /// <summary>
    /// Reads the first 64 KiB of an error body for classification and puts an equivalent content back, so the
    /// caller still reads the whole body, byte for byte. Read failures count as "no body".
    /// </summary>
    public static async ValueTask<string?> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        HttpContent? content = response.Content;
        if (content is null)
        {
            return null;
        }

        try
        {
#if NET5_0_OR_GREATER
            Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
#else
            Stream stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
#endif
            byte[] buffer = new byte[MaxErrorBodyBytes];
            int filled = 0;
            while (filled < buffer.Length)
            {
#if NET5_0_OR_GREATER
                int read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
#else
                int read = await stream.ReadAsync(buffer, filled, buffer.Length - filled, cancellationToken).ConfigureAwait(false);
#endif
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }

            byte[] head = new byte[filled];
            Buffer.BlockCopy(buffer, 0, head, 0, filled);
            bool complete = filled < buffer.Length;
            HttpContent replacement = complete
                ? new ByteArrayContent(head)
                : new StreamContent(new PrefixedStream(head, stream));
            CopyHeaders(content, replacement);
            response.Content = replacement;
            if (complete)
            {
                content.Dispose();
            }

            return Decode(head, content);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or ObjectDisposedException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Tokens a JSON success body reports in <c>usage</c> (<c>total_tokens</c>, or input + output); null when the body
    /// is streamed, large, not JSON or has no usage. Reading buffers the body, which the caller reads unchanged.
    /// </summary>
    public static async ValueTask<long?> ReadUsageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        HttpContent? content = response.Content;
        string? mediaType = content?.Headers.ContentType?.MediaType;
        if (content is null || content.Headers.ContentLength is not { } length || length > MaxUsageBodyBytes ||
            mediaType is null || mediaType.IndexOf("json", StringComparison.OrdinalIgnoreCase) < 0)
        {
            return null;
        }

        try
        {
            // The length was checked above; the read buffers the content, so the caller reads the same bytes after us.
#if NET5_0_OR_GREATER
            byte[] body = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
#else
            cancellationToken.ThrowIfCancellationRequested();
            byte[] body = await content.ReadAsByteArrayAsync().ConfigureAwait(false);
#endif
            using JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("usage", out JsonElement usage) || usage.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (Number(usage, "total_tokens") is { } total)
            {
                return total;
            }

            long? input = Number(usage, "prompt_tokens") ?? Number(usage, "input_tokens");
            long? output = Number(usage, "completion_tokens") ?? Number(usage, "output_tokens");
            return input is null && output is null ? null : input.GetValueOrDefault() + output.GetValueOrDefault();
        }
        catch (Exception ex) when (ex is JsonException or IOException or HttpRequestException or InvalidOperationException)
        {
            return null;
        }
    }

    public static void CopyHeaders(HttpContent from, HttpContent to)
    {
        foreach (var header in from.Headers)
        {
            if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                to.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
    }

    private static long? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number)
            ? number
            : null;

    private static string Decode(byte[] bytes, HttpContent content)
    {
        Encoding encoding = Encoding.UTF8;
        string? charset = content.Headers.ContentType?.CharSet?.Trim('"');
        if (!string.IsNullOrEmpty(charset))
        {
            try
            {
                encoding = Encoding.GetEncoding(charset!);
            }
            catch (ArgumentException)
            {
                // Unknown charset: UTF-8 is what gateways send.
            }
        }

        return encoding.GetString(bytes);
    }

    /// <summary>Bytes already read, then the rest of the original stream.</summary>
    private sealed class PrefixedStream : Stream
    {
        private readonly byte[] _prefix;
        private readonly Stream _rest;
        private int _position;

        public PrefixedStream(byte[] prefix, Stream rest)
        {
            _prefix = prefix;
            _rest = rest;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position < _prefix.Length)
            {
                int n = Math.Min(count, _prefix.Length - _position);
                Buffer.BlockCopy(_prefix, _position, buffer, offset, n);
                _position += n;
                return n;
            }

            return _rest.Read(buffer, offset, count);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (_position < _prefix.Length)
            {
                return Task.FromResult(Read(buffer, offset, count));
            }

            return _rest.ReadAsync(buffer, offset, count, cancellationToken);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _rest.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
