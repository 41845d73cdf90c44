using System.Net;

namespace RetryGuard.Runtime.Tests;

/// <summary>A request body that is a stream is buffered before the first attempt (so a retry can re-send it): with the caller's token.</summary>
public class StreamBodyTests
{
    [Fact]
    public async Task Buffering_a_stream_body_stops_when_the_caller_cancels()
    {
        var inner = new CountingHandler();
        using HttpClient client = new(new RetryGuardHandler(new RetryGuardOptions(), inner)) { BaseAddress = new Uri("http://127.0.0.1:9/") };
        var stream = new StalledStream();
        using var cancel = new CancellationTokenSource();

        Task<HttpResponseMessage> send = client.PostAsync("v1/responses", new StreamContent(stream), cancel.Token);
        await stream.ReadStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        cancel.Cancel();

        // Before the fix the read ran without the token and the call never ended (the guard turns that into a failure).
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(stream.ReadCancelled);
        Assert.Equal(0, inner.Sent);
    }

    [Fact]
    public async Task A_stream_body_slower_than_the_attempt_timeout_is_read_whole_and_sent_once()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var inner = new CountingHandler();
        var options = new RetryGuardOptions { TimeProvider = clock, AttemptTimeout = TimeSpan.FromMilliseconds(200), Random = new Random(3) };
        using HttpClient client = new(new RetryGuardHandler(options, inner)) { BaseAddress = new Uri("http://127.0.0.1:9/") };
        var stream = new SlowStream("""{"model":"gpt-4o","input":"slow"}"""u8.ToArray());

        Task<HttpResponseMessage> send = client.PostAsync("v1/responses", new StreamContent(stream));
        await stream.ReadStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The caller's stream takes longer than an attempt may: that is not the attempt's time.
        clock.Advance(TimeSpan.FromSeconds(1));
        stream.Release.SetResult();
        using HttpResponseMessage response = await send.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, inner.Sent);
        Assert.Equal("""{"model":"gpt-4o","input":"slow"}""", inner.LastBody);
    }

    private sealed class CountingHandler : HttpMessageHandler
    {
        public int Sent { get; private set; }

        public string? LastBody { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Sent++;
            LastBody = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    /// <summary>A body whose source delivers its bytes only when the test releases it.</summary>
    private sealed class SlowStream : Stream
    {
        private readonly byte[] _bytes;
        private int _position;

        public SlowStream(byte[] bytes) => _bytes = bytes;

        public TaskCompletionSource ReadStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ReadStarted.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            int n = Math.Min(buffer.Length, _bytes.Length - _position);
            _bytes.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous read");
        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A body whose source never delivers a byte: a read ends only by cancellation.</summary>
    private sealed class StalledStream : Stream
    {
        public TaskCompletionSource ReadStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool ReadCancelled { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ReadStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                ReadCancelled = true;
                throw;
            }

            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous read");
        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
