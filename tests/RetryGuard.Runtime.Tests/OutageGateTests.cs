using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace RetryGuard.Runtime.Tests;

/// <summary>
/// The client-wide hold after a 502/503 (<see cref="RetryGuardOptions.OutageHold"/>): against the loopback gateway, on a
/// fake clock that only the test moves.
/// </summary>
public class OutageGateTests : IClassFixture<Gateway>
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 22, 0, 0, TimeSpan.Zero);
    private readonly Gateway _gateway;

    public OutageGateTests(Gateway gateway) => _gateway = gateway;

    private static HttpRequestMessage Chat() => new(HttpMethod.Post, "v1/chat/completions")
    {
        Content = new StringContent("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
    };

    /// <summary>MaxRetries 0: each request's own answer goes back to its caller, so only the client-wide hold is at work.</summary>
    private static (HttpClient Client, RetryGuardHandler Handler) Client(Scenario scenario, CountingClock clock, Action<RetryGuardOptions>? configure = null)
    {
        RetryGuardOptions options = new() { TimeProvider = clock, MaxRetries = 0, Random = new Random(7) };
        configure?.Invoke(options);
        RetryGuardHandler handler = new(options, new SocketsHttpHandler());
        return (new HttpClient(handler) { BaseAddress = scenario.BaseAddress }, handler);
    }

    private static async Task Expect(Task<HttpResponseMessage> call, HttpStatusCode status)
    {
        using HttpResponseMessage response = await call;
        Assert.Equal(status, response.StatusCode);
    }

    [Fact]
    public async Task Beyond_the_queue_limit_a_request_during_the_hold_fails_fast_and_says_why()
    {
        CountingClock clock = new(Start);
        Scenario scenario = _gateway.Script(clock, async (seen, context) =>
        {
            if (seen.Index == 1)
            {
                await Replies.Status(context, 503);
                return;
            }

            await Replies.Ok(context, seen);
        });
        (HttpClient client, RetryGuardHandler handler) = Client(scenario, clock, o => o.QueueLimit = 1);
        using (client)
        {
            await Expect(client.SendAsync(Chat()), HttpStatusCode.ServiceUnavailable);

            Task<HttpResponseMessage> waiting = client.SendAsync(Chat());
            await Drive.Eventually(() => handler.Pipeline.Limiter.Waiting == 1, "one request should wait at the gate");
            var rejected = await Assert.ThrowsAsync<RateLimiterQueueFullException>(() => client.SendAsync(Chat()));
            Assert.Contains("502/503 (OutageHold)", rejected.Message);
            Assert.Equal(1, scenario.Count);

            // The waiting one is not lost: it goes when the hold ends.
            clock.Advance(TimeSpan.FromSeconds(1));
            await Expect(waiting, HttpStatusCode.OK);
            Assert.Equal(2, scenario.Count);
        }
    }

    [Fact]
    public async Task After_a_503_the_other_requests_wait_out_the_hold_then_one_goes_and_its_success_lets_the_rest_go()
    {
        CountingClock clock = new(Start);
        TaskCompletionSource probeAnswer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Scenario scenario = _gateway.Script(clock, async (seen, context) =>
        {
            if (seen.Index == 1)
            {
                await Replies.Status(context, 503);
                return;
            }

            if (seen.Index == 2)
            {
                await probeAnswer.Task;
            }

            await Replies.Ok(context, seen);
        });
        (HttpClient client, RetryGuardHandler handler) = Client(scenario, clock);
        using (client)
        {
            await Expect(client.SendAsync(Chat()), HttpStatusCode.ServiceUnavailable);

            Task<HttpResponseMessage> second = client.SendAsync(Chat());
            Task<HttpResponseMessage> third = client.SendAsync(Chat());
            await Drive.Eventually(() => handler.Pipeline.Limiter.Waiting == 2, "both requests should wait at the gate");
            clock.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
            Assert.Equal(1, scenario.Count);

            // The hold is over: exactly one request goes; the other waits for its answer.
            clock.Advance(TimeSpan.FromTicks(1));
            await Drive.Eventually(() => scenario.Count == 2, "one request should go when the hold ends");
            Assert.Equal(1, handler.Pipeline.Limiter.Waiting);
            Assert.Equal(2, scenario.Count);

            // Its success lets the next one go at once, without the clock moving.
            probeAnswer.SetResult();
            await Expect(second, HttpStatusCode.OK);
            await Expect(third, HttpStatusCode.OK);
            Assert.Equal(3, scenario.Count);
            Assert.All(scenario.Seen.Skip(1), s => Assert.Equal(Start + TimeSpan.FromSeconds(1), s.ArrivedAt));
        }
    }

    [Fact]
    public async Task A_503_of_the_request_that_went_after_the_hold_doubles_it_and_successes_halve_it_until_the_client_is_free()
    {
        CountingClock clock = new(Start);
        Scenario scenario = _gateway.Script(clock, (seen, context) =>
            seen.Index <= 2 ? Replies.Status(context, seen.Index == 1 ? 503 : 502) : Replies.Ok(context, seen));
        (HttpClient client, RetryGuardHandler handler) = Client(scenario, clock);
        using (client)
        {
            await Expect(client.SendAsync(Chat()), HttpStatusCode.ServiceUnavailable);
            Task<HttpResponseMessage> probe = client.SendAsync(Chat());
            await Drive.Eventually(() => handler.Pipeline.Limiter.Waiting == 1, "the request should wait at the gate");
            clock.Advance(TimeSpan.FromSeconds(1));
            await Expect(probe, HttpStatusCode.BadGateway);

            // Now 2 s.
            Task<HttpResponseMessage> next = client.SendAsync(Chat());
            await Drive.Eventually(() => handler.Pipeline.Limiter.Waiting == 1, "the request should wait at the gate");
            clock.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
            Assert.Equal(2, scenario.Count);
            clock.Advance(TimeSpan.FromTicks(1));
            await Expect(next, HttpStatusCode.OK);

            // Each success halves the interval (2 s → 1 s → … → 1/32 s): below 1/16 of the hold the gate opens.
            for (int i = 0; i < 4; i++)
            {
                Assert.False(handler.Pipeline.Limiter.Gate.IsOpen);
                await Expect(client.SendAsync(Chat()), HttpStatusCode.OK);
            }

            Assert.False(handler.Pipeline.Limiter.Gate.IsOpen);
            await Expect(client.SendAsync(Chat()), HttpStatusCode.OK);
            Assert.True(handler.Pipeline.Limiter.Gate.IsOpen);
            Assert.Equal(8, scenario.Count);
            Assert.Equal(Start + TimeSpan.FromSeconds(3), clock.GetUtcNow());
        }
    }

    [Fact]
    public async Task A_hold_is_logged_and_counted_when_it_begins_and_grows_and_logged_once_when_it_ends()
    {
        CountingClock clock = new(Start);
        Scenario scenario = _gateway.Script(clock, (seen, context) =>
            seen.Index <= 2 ? Replies.Status(context, seen.Index == 1 ? 503 : 502) : Replies.Ok(context, seen));
        string name = "outage-" + Guid.NewGuid().ToString("N");
        using MetricsRecorder metrics = new(name);
        ListLogger logger = new();
        RetryGuardOptions options = new() { TimeProvider = clock, MaxRetries = 0, Random = new Random(7), Name = name };
        RetryGuardHandler handler = new(options, new SocketsHttpHandler(), logger);
        using HttpClient client = new(handler) { BaseAddress = scenario.BaseAddress };

        await Expect(client.SendAsync(Chat()), HttpStatusCode.ServiceUnavailable);
        var began = Assert.Single(logger.Entries, e => e.Id.Name == "OutageHold");
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, began.Level);
        Assert.Contains("answered 503", began.Text);
        Assert.Contains("wait 1000 ms", began.Text);

        Task<HttpResponseMessage> probe = client.SendAsync(Chat());
        await Drive.Eventually(() => handler.Pipeline.Limiter.Waiting == 1, "the request should wait at the gate");
        clock.Advance(TimeSpan.FromSeconds(1));
        await Expect(probe, HttpStatusCode.BadGateway);
        Assert.Equal(2, logger.Entries.Count(e => e.Id.Name == "OutageHold"));
        Assert.Contains(logger.Entries, e => e.Id.Name == "OutageHold" && e.Text.Contains("answered 502") && e.Text.Contains("wait 2000 ms"));
        Assert.Equal(1, metrics.Sum("retryguard.outage_holds", "retryguard.kind", "began"));
        Assert.Equal(1, metrics.Sum("retryguard.outage_holds", "retryguard.kind", "extended"));

        // Successes ease the hold step by step; only the step that opens the gate is logged.
        Task<HttpResponseMessage> next = client.SendAsync(Chat());
        await Drive.Eventually(() => handler.Pipeline.Limiter.Waiting == 1, "the request should wait at the gate");
        clock.Advance(TimeSpan.FromSeconds(2));
        await Expect(next, HttpStatusCode.OK);
        Assert.DoesNotContain(logger.Entries, e => e.Id.Name == "OutageOver");
        while (!handler.Pipeline.Limiter.Gate.IsOpen)
        {
            await Expect(client.SendAsync(Chat()), HttpStatusCode.OK);
        }

        var over = Assert.Single(logger.Entries, e => e.Id.Name == "OutageOver");
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, over.Level);
        await Expect(client.SendAsync(Chat()), HttpStatusCode.OK);
        Assert.Single(logger.Entries, e => e.Id.Name == "OutageOver");
        Assert.Equal(2, metrics.Sum("retryguard.outage_holds"));
    }

    [Fact]
    public async Task Answers_to_requests_sent_before_the_hold_began_neither_lift_nor_extend_it()
    {
        CountingClock clock = new(Start);
        TaskCompletionSource<int>[] answers = Enumerable.Range(0, 3).Select(_ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        Scenario scenario = _gateway.Script(clock, async (seen, context) =>
        {
            if (seen.Index <= 3)
            {
                int status = await answers[seen.Index - 1].Task;
                await (status == 200 ? Replies.Ok(context, seen) : Replies.Status(context, status));
                return;
            }

            await Replies.Ok(context, seen);
        });
        (HttpClient client, RetryGuardHandler handler) = Client(scenario, clock);
        using (client)
        {
            Task<HttpResponseMessage>[] inFlight = Enumerable.Range(0, 3).Select(_ => client.SendAsync(Chat())).ToArray();
            await Drive.Eventually(() => scenario.Count == 3, "three requests should be on the wire");

            // The first answer is a 503: the gate closes for 1 s.
            answers[0].SetResult(503);
            await Drive.Eventually(() => inFlight.Count(t => t.IsCompleted) == 1, "the first answer should reach its caller");
            Assert.False(handler.Pipeline.Limiter.Gate.IsOpen);

            // The others were sent before that: a success does not lift the hold, a 503 does not double it.
            answers[1].SetResult(200);
            await Drive.Eventually(() => inFlight.Count(t => t.IsCompleted) == 2, "the second answer should reach its caller");
            Assert.False(handler.Pipeline.Limiter.Gate.IsOpen);
            answers[2].SetResult(503);
            HttpResponseMessage[] answered = await Task.WhenAll(inFlight);
            Assert.Equal(new[] { 200, 503, 503 }, answered.Select(r => (int)r.StatusCode).Order());
            Assert.All(answered, r => r.Dispose());
            Assert.False(handler.Pipeline.Limiter.Gate.IsOpen);

            Task<HttpResponseMessage> waiting = client.SendAsync(Chat());
            await Drive.Eventually(() => handler.Pipeline.Limiter.Waiting == 1, "the request should wait at the gate");
            clock.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
            Assert.Equal(3, scenario.Count);
            clock.Advance(TimeSpan.FromTicks(1));
            await Expect(waiting, HttpStatusCode.OK);
            Assert.Equal(Start + TimeSpan.FromSeconds(1), scenario.Seen[3].ArrivedAt);
        }
    }

    [Fact]
    public async Task A_longer_retry_after_on_a_503_holds_the_whole_client_that_long()
    {
        CountingClock clock = new(Start);
        Scenario scenario = _gateway.Script(clock, (seen, context) =>
        {
            if (seen.Index == 1)
            {
                context.Response.Headers.RetryAfter = "5";
                return Replies.Status(context, 503);
            }

            return Replies.Ok(context, seen);
        });
        (HttpClient client, RetryGuardHandler handler) = Client(scenario, clock);
        using (client)
        {
            await Expect(client.SendAsync(Chat()), HttpStatusCode.ServiceUnavailable);
            Task<HttpResponseMessage> waiting = client.SendAsync(Chat());
            await Drive.Eventually(() => handler.Pipeline.Limiter.Waiting == 1, "the request should wait at the gate");
            clock.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
            Assert.Equal(1, scenario.Count);
            clock.Advance(TimeSpan.FromTicks(1));
            await Expect(waiting, HttpStatusCode.OK);
            Assert.Equal(Start + TimeSpan.FromSeconds(5), scenario.Seen[1].ArrivedAt);
        }
    }

    [Theory]
    [InlineData(500)]
    [InlineData(504)]
    [InlineData(429)]
    [InlineData(400)]
    public async Task Other_failures_do_not_hold_the_client(int status)
    {
        CountingClock clock = new(Start);
        Scenario scenario = _gateway.Script(clock, (seen, context) =>
            seen.Index == 1 ? Replies.Status(context, status) : Replies.Ok(context, seen));
        (HttpClient client, RetryGuardHandler handler) = Client(scenario, clock);
        using (client)
        {
            (await client.SendAsync(Chat())).Dispose();
            Assert.True(handler.Pipeline.Limiter.Gate.IsOpen);
            await Expect(client.SendAsync(Chat()), HttpStatusCode.OK);
            Assert.Equal(Start, scenario.Seen[1].ArrivedAt);
        }
    }

    [Fact]
    public async Task With_OutageHold_zero_a_503_holds_nobody_else()
    {
        CountingClock clock = new(Start);
        Scenario scenario = _gateway.Script(clock, (seen, context) =>
            seen.Index == 1 ? Replies.Status(context, 503) : Replies.Ok(context, seen));
        (HttpClient client, RetryGuardHandler handler) = Client(scenario, clock, o => o.OutageHold = TimeSpan.Zero);
        using (client)
        {
            await Expect(client.SendAsync(Chat()), HttpStatusCode.ServiceUnavailable);
            Assert.True(handler.Pipeline.Limiter.Gate.IsOpen);
            await Expect(client.SendAsync(Chat()), HttpStatusCode.OK);
            Assert.Equal(Start, scenario.Seen[1].ArrivedAt);
        }
    }

    [Fact]
    public async Task A_request_waiting_at_the_gate_is_cancelled_at_once_and_never_sent()
    {
        CountingClock clock = new(Start);
        Scenario scenario = _gateway.Script(clock, (seen, context) =>
            seen.Index == 1 ? Replies.Status(context, 503) : Replies.Ok(context, seen));
        (HttpClient client, RetryGuardHandler handler) = Client(scenario, clock);
        using (client)
        {
            await Expect(client.SendAsync(Chat()), HttpStatusCode.ServiceUnavailable);
            using CancellationTokenSource cancel = new();
            Task<HttpResponseMessage> waiting = client.SendAsync(Chat(), cancel.Token);
            await Drive.Eventually(() => handler.Pipeline.Limiter.Waiting == 1, "the request should wait at the gate");
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
            Assert.Equal(0, handler.Pipeline.Limiter.Waiting);
            clock.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal(1, scenario.Count);
        }
    }

    [Fact]
    public async Task A_daily_cap_met_during_the_hold_fails_the_requests_waiting_at_the_gate_without_sending_them()
    {
        CountingClock clock = new(Start);
        TaskCompletionSource capAnswer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Scenario scenario = _gateway.Script(clock, async (seen, context) =>
        {
            if (seen.Index == 1)
            {
                await capAnswer.Task;
                await Replies.DailyCap(context, ("Retry-After", "3600"));
                return;
            }

            await (seen.Index == 2 ? Replies.Status(context, 503) : Replies.Ok(context, seen));
        });
        (HttpClient client, RetryGuardHandler handler) = Client(scenario, clock);
        using (client)
        {
            Task<HttpResponseMessage> capped = client.SendAsync(Chat());
            await Drive.Eventually(() => scenario.Count == 1, "the first request should be on the wire");
            await Expect(client.SendAsync(Chat()), HttpStatusCode.ServiceUnavailable);

            Task<HttpResponseMessage>[] waiting = { client.SendAsync(Chat()), client.SendAsync(Chat()) };
            await Drive.Eventually(() => handler.Pipeline.Limiter.Waiting == 2, "both requests should wait at the gate");
            capAnswer.SetResult();

            await Assert.ThrowsAsync<DailyTokenCapExceededException>(() => capped);
            foreach (Task<HttpResponseMessage> request in waiting)
            {
                DailyTokenCapExceededException told = await Assert.ThrowsAsync<DailyTokenCapExceededException>(() => request);
                Assert.Contains("was not sent", told.Message);
            }

            Assert.Equal(2, scenario.Count);
            Assert.Equal(Start, clock.GetUtcNow());
            Assert.Equal(0, handler.Pipeline.Limiter.Waiting);
        }
    }

    [Fact]
    public async Task Requests_granted_a_permit_during_the_hold_give_it_back_and_wait_at_the_gate()
    {
        CountingClock clock = new(Start);
        TaskCompletionSource firstAnswer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Scenario scenario = _gateway.Script(clock, async (seen, context) =>
        {
            if (seen.Index == 1)
            {
                await firstAnswer.Task;
                await Replies.Status(context, 503);
                return;
            }

            await Replies.Ok(context, seen);
        });
        // 10 RPM at 0.5: 5 a minute (one each 12 s) with a burst of 1; a 30 s hold.
        (HttpClient client, RetryGuardHandler handler) = Client(scenario, clock,
            o => (o.RequestsPerMinute, o.Headroom, o.OutageHold) = (10, 0.5, TimeSpan.FromSeconds(30)));
        using (client)
        {
            Task<HttpResponseMessage> first = client.SendAsync(Chat());
            await Drive.Eventually(() => scenario.Count == 1, "the first request should be on the wire");
            Task<HttpResponseMessage>[] queued = { client.SendAsync(Chat()), client.SendAsync(Chat()) };
            await Drive.Eventually(() => handler.Pipeline.Limiter.QueuedForRequestPermits == 2, "two requests should queue in the bucket");
            firstAnswer.SetResult();
            await Expect(first, HttpStatusCode.ServiceUnavailable);

            // A permit comes at 12 s, during the hold: it goes back to the bucket and nothing is sent.
            clock.Advance(TimeSpan.FromSeconds(12));
            await Drive.Eventually(() => handler.Pipeline.Limiter.WaitingAtGate == 2, "both requests should leave the bucket for the gate");
            Assert.Equal(0, handler.Pipeline.Limiter.QueuedForRequestPermits);
            clock.Advance(TimeSpan.FromSeconds(18) - TimeSpan.FromTicks(1));
            Assert.Equal(1, scenario.Count);

            // At 30 s one goes with the permit that was given back; after its success the other waits for the next
            // permit, 12 s later: the bucket's pace holds, no permit piled up during the hold.
            clock.Advance(TimeSpan.FromTicks(1));
            await Drive.Eventually(() => scenario.Count == 2, "one request should go when the hold ends");
            await Drive.Eventually(() => handler.Pipeline.Limiter.QueuedForRequestPermits == 1, "the other should wait for a permit");
            clock.Advance(TimeSpan.FromSeconds(12) - TimeSpan.FromTicks(1));
            Assert.Equal(2, scenario.Count);
            clock.Advance(TimeSpan.FromTicks(1));
            foreach (Task<HttpResponseMessage> request in queued)
            {
                await Expect(request, HttpStatusCode.OK);
            }

            Assert.Equal(new[] { Start, Start + TimeSpan.FromSeconds(30), Start + TimeSpan.FromSeconds(42) }, scenario.Seen.Select(s => s.ArrivedAt));
        }
    }
}
