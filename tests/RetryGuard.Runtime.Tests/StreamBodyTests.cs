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

    private sealed class CountingHandler : HttpMessageHandler
    {
        public int Sent { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Sent++;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
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
