using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace RetryGuard.Runtime.Tests;

/// <summary>
/// Daily caps remembered across requests, the first attempt sent as the caller made it, and the one-timer bucket:
/// against the loopback gateway, on a fake clock.
/// </summary>
public class RememberedCapAndFastPathTests : IClassFixture<Gateway>
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);
    private readonly Gateway _gateway;

    public RememberedCapAndFastPathTests(Gateway gateway) => _gateway = gateway;

    private static HttpRequestMessage Chat(string model = "gpt-4o") => new(HttpMethod.Post, "v1/chat/completions")
    {
        Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
    };

    /// <summary>Records the content object of every request on its way to the socket.</summary>
    private sealed class ContentSpy : DelegatingHandler
    {
        public ContentSpy()
            : base(new SocketsHttpHandler())
        {
        }

        public List<HttpContent?> Contents { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Contents)
            {
                Contents.Add(request.Content);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task After_a_daily_cap_the_next_request_fails_at_once_without_reaching_the_server_until_the_reset()
    {
        FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 28, 22, 0, 0, TimeSpan.Zero));
        DateTimeOffset resetsAt = clock.GetUtcNow().AddHours(1);
        Scenario scenario = _gateway.Script(clock, (seen, context) =>
            seen.ArrivedAt < resetsAt ? Replies.DailyCap(context, ("Retry-After", "3600")) : Replies.Ok(context, seen));
        using HttpClient client = new(new RetryGuardHandler(new RetryGuardOptions { TimeProvider = clock }, new SocketsHttpHandler()))
        {
            BaseAddress = scenario.BaseAddress,
        };

        DailyTokenCapExceededException told = await Assert.ThrowsAsync<DailyTokenCapExceededException>(() => client.SendAsync(Chat()));
        Assert.Equal(resetsAt, told.ResetsAt);
        Assert.Equal(1, scenario.Count);

        DailyTokenCapExceededException remembered = await Assert.ThrowsAsync<DailyTokenCapExceededException>(() => client.SendAsync(Chat()));
        Assert.Equal(1, scenario.Count);
        Assert.Equal(resetsAt, remembered.ResetsAt);
        Assert.Equal(TimeSpan.FromHours(1), remembered.RetryAfter);
        Assert.Contains("was not sent", remembered.Message);

        clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromTicks(1));
        await Assert.ThrowsAsync<DailyTokenCapExceededException>(() => client.SendAsync(Chat()));
        Assert.Equal(1, scenario.Count);

        clock.Advance(TimeSpan.FromTicks(1));
        using HttpResponseMessage afterReset = await client.SendAsync(Chat());
        Assert.Equal(HttpStatusCode.OK, afterReset.StatusCode);
        Assert.Equal(2, scenario.Count);
    }

    [Fact]
    public async Task A_remembered_cap_stops_only_its_model_and_sends_the_next_request_straight_to_the_fallback()
    {
        FakeTimeProvider clock = new();
        Scenario scenario = _gateway.Script(clock, (seen, context) =>
            seen.Model == "gpt-4o" ? Replies.DailyCap(context, ("Retry-After", "7200")) : Replies.Ok(context, seen));
        RetryGuardOptions withFallback = new() { TimeProvider = clock };
        withFallback.FallbackModels["gpt-4o"] = new List<string> { "gpt-4o-mini" };
        using HttpClient client = new(new RetryGuardHandler(withFallback, new SocketsHttpHandler())) { BaseAddress = scenario.BaseAddress };

        using (HttpResponseMessage first = await client.SendAsync(Chat()))
        {
            Assert.Equal("gpt-4o-mini", first.Headers.GetValues(RetryGuardHandler.ServedModelHeader).Single());
        }

        using (HttpResponseMessage second = await client.SendAsync(Chat()))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal("gpt-4o-mini", second.Headers.GetValues(RetryGuardHandler.ServedModelHeader).Single());
        }

        // The capped model was asked once; the second request went to the fallback without trying it again.
        Assert.Equal(new[] { "gpt-4o", "gpt-4o-mini", "gpt-4o-mini" }, scenario.Seen.Select(s => s.Model));

        // Another model of the same client is not stopped by that model's cap.
        using HttpResponseMessage other = await client.SendAsync(Chat("o3-mini"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(4, scenario.Count);
    }

    [Fact]
    public async Task A_burst_429_is_not_remembered_as_a_cap_and_another_client_does_not_share_the_memory()
    {
        FakeTimeProvider clock = new();
        Scenario scenario = _gateway.Script(clock, (seen, context) => seen.Index switch
        {
            1 => Replies.RateLimited(context),
            2 => Replies.DailyCap(context),
            _ => Replies.Ok(context, seen),
        });
        using HttpClient first = new(new RetryGuardHandler(new RetryGuardOptions { TimeProvider = clock, MaxRetries = 0 }, new SocketsHttpHandler()))
        {
            BaseAddress = scenario.BaseAddress,
        };

        using (HttpResponseMessage limited = await first.SendAsync(Chat()))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        }

        // The burst 429 named no cap: the next request is sent, and meets the cap itself.
        await Assert.ThrowsAsync<DailyTokenCapExceededException>(() => first.SendAsync(Chat()));
        Assert.Equal(2, scenario.Count);

        // A handler with its own options (another key) does not inherit the cap.
        using HttpClient second = new(new RetryGuardHandler(new RetryGuardOptions { TimeProvider = clock }, new SocketsHttpHandler()))
        {
            BaseAddress = scenario.BaseAddress,
        };
        using HttpResponseMessage ok = await second.SendAsync(Chat());
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(3, scenario.Count);
    }

    [Fact]
    public async Task Requests_queued_in_the_bucket_fail_at_once_when_a_cap_is_remembered_and_are_never_sent()
    {
        CountingClock clock = new();
        TaskCompletionSource answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Scenario scenario = _gateway.Script(clock, async (seen, context) =>
        {
            // The first answer waits until the other two requests queue behind the bucket.
            await answer.Task;
            await Replies.DailyCap(context, ("Retry-After", "600"));
        });
        // 10 RPM at 0.5: 5 a minute with a burst of 1, so the second and third requests queue for 12 s each.
        RetryGuardHandler handler = new(new RetryGuardOptions { TimeProvider = clock, RequestsPerMinute = 10, Headroom = 0.5 }, new SocketsHttpHandler());
        using HttpClient client = new(handler) { BaseAddress = scenario.BaseAddress };
        DateTimeOffset started = clock.GetUtcNow();

        Task<HttpResponseMessage> first = client.SendAsync(Chat());
        await Drive.Eventually(() => scenario.Count == 1, "the first request should be sent");
        Task<HttpResponseMessage> second = client.SendAsync(Chat());
        Task<HttpResponseMessage> third = client.SendAsync(Chat());
        await Drive.Eventually(() => handler.Pipeline.Limiter.Waiting == 2, "two requests should queue");
        answer.SetResult();

        await Assert.ThrowsAsync<DailyTokenCapExceededException>(() => first);
        await Assert.ThrowsAsync<DailyTokenCapExceededException>(() => second);
        await Assert.ThrowsAsync<DailyTokenCapExceededException>(() => third);
        Assert.Equal(1, scenario.Count);
        Assert.Equal(started, clock.GetUtcNow());
        Assert.Equal(0, handler.Pipeline.Limiter.Waiting);
    }

    [Fact]
    public async Task The_first_attempt_sends_the_callers_content_object_and_a_retry_sends_the_same_bytes()
    {
        FakeTimeProvider clock = new();
        Scenario scenario = _gateway.Script(clock, (seen, context) => seen.Index == 2 ? Replies.Status(context, 503) : Replies.Ok(context, seen));
        ContentSpy spy = new();
        using HttpClient client = new(new RetryGuardHandler(new RetryGuardOptions { TimeProvider = clock, Random = new Random(1) }, spy))
        {
            BaseAddress = scenario.BaseAddress,
        };

        HttpRequestMessage succeeds = Chat();
        HttpContent callers = succeeds.Content!;
        using (HttpResponseMessage ok = await client.SendAsync(succeeds))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Same(callers, Assert.Single(spy.Contents));

        HttpRequestMessage retried = Chat();
        HttpContent retriedContent = retried.Content!;
        using (HttpResponseMessage ok = await Drive.Until(clock, client.SendAsync(retried), Step))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Equal(3, spy.Contents.Count);
        Assert.Same(retriedContent, spy.Contents[1]);
        Assert.NotSame(retriedContent, spy.Contents[2]);
        Assert.Equal(scenario.Seen[1].Body, scenario.Seen[2].Body);
    }

    [Fact]
    public async Task A_stream_body_is_sent_as_the_callers_content_and_still_re_sent_byte_for_byte()
    {
        FakeTimeProvider clock = new();
        Scenario scenario = _gateway.Script(clock, (seen, context) => seen.Index == 1 ? Replies.Status(context, 502) : Replies.Ok(context, seen));
        ContentSpy spy = new();
        using HttpClient client = new(new RetryGuardHandler(new RetryGuardOptions { TimeProvider = clock, Random = new Random(1) }, spy))
        {
            BaseAddress = scenario.BaseAddress,
        };
        byte[] body = Encoding.UTF8.GetBytes("""{"model":"gpt-4o","input":"stream"}""");
        StreamContent content = new(new ForwardOnlyStream(body));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using HttpResponseMessage response = await Drive.Until(clock, client.PostAsync("v1/responses", content), Step);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Same(content, spy.Contents[0]);
        Assert.Equal(body, scenario.Seen[0].Body);
        Assert.Equal(body, scenario.Seen[1].Body);
    }

    [Fact]
    public async Task Rate_limit_headers_of_a_success_still_pause_the_client_without_a_bucket()
    {
        FakeTimeProvider clock = new();
        Scenario scenario = _gateway.Script(clock, (seen, context) => seen.Index == 1
            ? Replies.Ok(context, seen, ("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "20s"))
            : Replies.Ok(context, seen));
        RetryGuardHandler handler = new(new RetryGuardOptions { TimeProvider = clock }, new SocketsHttpHandler());
        using HttpClient client = new(handler) { BaseAddress = scenario.BaseAddress };

        (await client.SendAsync(Chat())).Dispose();
        (await Drive.WhileWaiting(clock, client.SendAsync(Chat()), TimeSpan.FromSeconds(1), handler)).Dispose();

        Assert.Equal(TimeSpan.FromSeconds(20), scenario.Seen[1].ArrivedAt - scenario.Seen[0].ArrivedAt);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenAIs_full_rate_limit_header_set_on_a_success_pauses_the_client_for_the_used_up_budget(bool bucket)
    {
        // All six headers on every response, names as a proxy may re-case them; the first says the token budget is
        // used up for 7 s, the others that plenty is left. These options take the handler's fast path.
        (string, string)[] Headers(string remainingTokens) =>
        [
            ("X-RateLimit-Limit-Requests", "10000"), ("X-RateLimit-Limit-Tokens", "2000000"),
            ("X-RateLimit-Remaining-Requests", "9999"), ("X-RateLimit-Remaining-Tokens", remainingTokens),
            ("X-RateLimit-Reset-Requests", "6ms"), ("X-RateLimit-Reset-Tokens", "7s"),
        ];
        FakeTimeProvider clock = new();
        Scenario scenario = _gateway.Script(clock, (seen, context) => Replies.Ok(context, seen, Headers(seen.Index == 1 ? "0" : "1999000")));
        RetryGuardHandler handler = new(new RetryGuardOptions { TimeProvider = clock, RequestsPerMinute = bucket ? 10_000 : null }, new SocketsHttpHandler());
        using HttpClient client = new(handler) { BaseAddress = scenario.BaseAddress };

        for (int i = 0; i < 3; i++)
        {
            (await Drive.WhileWaiting(clock, client.SendAsync(Chat()), TimeSpan.FromSeconds(1), handler)).Dispose();
        }

        Assert.Equal(TimeSpan.FromSeconds(7), scenario.Seen[1].ArrivedAt - scenario.Seen[0].ArrivedAt);
        Assert.Equal(TimeSpan.Zero, scenario.Seen[2].ArrivedAt - scenario.Seen[1].ArrivedAt);
    }

    [Fact]
    public async Task The_bucket_refills_on_one_timer_and_serves_waiters_oldest_first()
    {
        CountingClock clock = new();
        // 60 RPM at 0.5: 30 a minute (one every 2 s), burst 3.
        using ProactiveLimiter limiter = new(new RetryGuardOptions { TimeProvider = clock, RequestsPerMinute = 60, Headroom = 0.5 });
        for (int i = 0; i < 3; i++)
        {
            Assert.True(limiter.AcquireAsync(1, CancellationToken.None).IsCompletedSuccessfully);
        }

        List<int> order = new();
        using CancellationTokenSource leaves = new();
        Task[] waiters = Enumerable.Range(0, 5).Select(i => Wait(i, i == 1 ? leaves.Token : CancellationToken.None)).ToArray();
        Assert.Equal(5, limiter.Waiting);
        Assert.Equal(1, clock.Timers);

        leaves.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiters[1]);

        clock.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromMilliseconds(1));
        Assert.Empty(Granted());
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await waiters[0];
        clock.Advance(TimeSpan.FromSeconds(2));
        await waiters[2];
        clock.Advance(TimeSpan.FromSeconds(2));
        await waiters[3];
        Assert.False(waiters[4].IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(2));
        await waiters[4];

        Assert.Equal(new[] { 0, 2, 3, 4 }, Granted());
        Assert.Equal(1, clock.Timers);
        Assert.Equal(0, limiter.Waiting);

        // Refilled on demand: after a quiet minute the whole burst is there again, and no more than it.
        clock.Advance(TimeSpan.FromMinutes(1));
        for (int i = 0; i < 3; i++)
        {
            Assert.True(limiter.AcquireAsync(1, CancellationToken.None).IsCompletedSuccessfully);
        }

        Assert.False(limiter.AcquireAsync(1, CancellationToken.None).IsCompleted);

        List<int> Granted()
        {
            lock (order)
            {
                return order.ToList();
            }
        }

        async Task Wait(int index, CancellationToken cancellationToken)
        {
            await limiter.AcquireAsync(1, cancellationToken);
            lock (order)
            {
                order.Add(index);
            }
        }
    }

    /// <summary>A stream that can be read once, front to back, like a request body piped from elsewhere.</summary>
    private sealed class ForwardOnlyStream : Stream
    {
        private readonly byte[] _bytes;
        private int _position;

        public ForwardOnlyStream(byte[] bytes) => _bytes = bytes;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(count, _bytes.Length - _position);
            Buffer.BlockCopy(_bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
