using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace RetryGuard.Runtime.Tests;

/// <summary>
/// Which outage hold a request's answer speaks to: the one in force when the request passed the gate. A 503 of another
/// request that lands just after a request passed the open gate (and before it is sent) begins a hold this request was
/// not the probe of: its 502/503 must not double that hold, and its other answers must not ease it. The 503 is made to
/// land exactly there by a clock that completes the other request when the limiter next reads a timestamp; no sleeps,
/// no real I/O.
/// </summary>
public class OutageGateEpochTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 22, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(1);

    public enum SendPath
    {
        /// <summary>The handler's fast path: the gate check and the permit in one step, then straight to the inner handler.</summary>
        Direct,

        /// <summary>The policy loop (a stream body is buffered first), which takes the permit itself.</summary>
        Policy,

        /// <summary>The policy loop after the request waited in the limiter (behind a pause the server asked for).</summary>
        AfterWaiting,
    }

    [Theory]
    [InlineData(SendPath.Direct, 503)]
    [InlineData(SendPath.Direct, 500)]
    [InlineData(SendPath.Policy, 503)]
    [InlineData(SendPath.Policy, 500)]
    [InlineData(SendPath.AfterWaiting, 502)]
    [InlineData(SendPath.AfterWaiting, 500)]
    public async Task A_request_that_passed_the_open_gate_just_before_a_503_is_not_the_new_holds_probe(SendPath path, int answer)
    {
        HookClock clock = new(Start);
        TaskCompletionSource<HttpResponseMessage> outage = new();
        Inner inner = new(clock, role => role switch
        {
            "outage" => outage.Task,
            "pause" => Task.FromResult(Reply(200, ("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "5s"))),
            "late" => Task.FromResult(Reply(answer)),
            _ => Task.FromResult(Reply(200)),
        });

        // With a request bucket (far from empty) the limiter reads a timestamp right after the gate check on the
        // direct and policy paths; after a wait it reads one when the wait ends, after its last gate check.
        RetryGuardOptions options = new()
        {
            TimeProvider = clock,
            MaxRetries = 0,
            OutageHold = Hold,
            RequestsPerMinute = path == SendPath.AfterWaiting ? null : 1_000_000,
        };
        RetryGuardHandler handler = new(options, inner);
        using HttpMessageInvoker invoker = new(handler);
        ProactiveLimiter limiter = handler.Pipeline.Limiter;

        // Another request is on the wire; its answer, a 503, comes when the clock is next read.
        Task<HttpResponseMessage> other = invoker.SendAsync(Request("outage"), CancellationToken.None);
        Assert.False(other.IsCompleted);
        void OutageArrives()
        {
            // Its handler's continuation runs here (off the test framework's synchronization context, which would queue
            // it), so the gate is closed before the late request goes on.
            SynchronizationContext? context = SynchronizationContext.Current;
            SynchronizationContext.SetSynchronizationContext(null);
            try
            {
                outage.SetResult(Reply(503));
            }
            finally
            {
                SynchronizationContext.SetSynchronizationContext(context);
            }

            Assert.False(limiter.Gate.IsOpen, "the other request's 503 should close the gate before the late request goes on");
        }

        Task<HttpResponseMessage> late;
        if (path == SendPath.AfterWaiting)
        {
            // The server says the budget is used up for 5 s: the late request waits that out, then passes the open gate.
            using (HttpResponseMessage paused = await invoker.SendAsync(Request("pause"), CancellationToken.None))
            {
                Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
            }

            late = invoker.SendAsync(Request("late"), CancellationToken.None);
            Assert.Equal(1, limiter.Waiting);
            clock.OnNextTimestamp(OutageArrives);
            clock.Advance(TimeSpan.FromSeconds(5));
        }
        else
        {
            clock.OnNextTimestamp(OutageArrives);
            late = invoker.SendAsync(Request("late", stream: path == SendPath.Policy), CancellationToken.None);
        }

        await Drive.Eventually(() => late.IsCompleted, "the late request should be answered");
        using (HttpResponseMessage lateAnswer = await late)
        {
            Assert.Equal(answer, (int)lateAnswer.StatusCode);
        }

        using (HttpResponseMessage outageAnswer = await other)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, outageAnswer.StatusCode);
        }

        // The hold is the one the other request's 503 began: neither doubled (a 502/503 of its probe) nor eased (any
        // other answer of its probe, which would let the next request go at once).
        DateTimeOffset holdEnds = clock.GetUtcNow() + Hold;
        Assert.False(limiter.Gate.IsOpen);
        Task<HttpResponseMessage> next = invoker.SendAsync(Request("next"), CancellationToken.None);
        Assert.False(next.IsCompleted, "the next request should wait out the hold");
        Assert.Equal(1, limiter.WaitingAtGate);
        clock.Advance(Hold - TimeSpan.FromTicks(1));
        Assert.False(next.IsCompleted);
        clock.Advance(TimeSpan.FromTicks(1));
        await Drive.Eventually(() => next.IsCompleted, "the next request should go when the hold ends");
        using (HttpResponseMessage nextAnswer = await next)
        {
            Assert.Equal(HttpStatusCode.OK, nextAnswer.StatusCode);
        }

        Assert.Equal(holdEnds, inner.Arrivals["next"]);
    }

    private static HttpRequestMessage Request(string role, bool stream = false)
    {
        HttpRequestMessage request = new(stream ? HttpMethod.Post : HttpMethod.Get, "http://gateway.test/v1/chat/completions");
        request.Headers.Add("x-role", role);
        if (stream)
        {
            request.Content = new StreamContent(new MemoryStream("""{"model":"gpt-4o"}"""u8.ToArray()));
        }

        return request;
    }

    private static HttpResponseMessage Reply(int status, params (string Name, string Value)[] headers)
    {
        HttpResponseMessage response = new((HttpStatusCode)status);
        foreach ((string name, string value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    /// <summary>A fake clock that runs an action (once) the next time someone reads its timestamp.</summary>
    private sealed class HookClock : FakeTimeProvider
    {
        private Action? _next;

        public HookClock(DateTimeOffset start)
            : base(start)
        {
        }

        public void OnNextTimestamp(Action action) => Volatile.Write(ref _next, action);

        public override long GetTimestamp()
        {
            Interlocked.Exchange(ref _next, null)?.Invoke();
            return base.GetTimestamp();
        }
    }

    /// <summary>
    /// Answers by the request's <c>x-role</c> header with the task the script gives, as it is (no async state machine
    /// of its own: completing a pending answer runs the handler's continuation at once), and notes when each role arrived.
    /// </summary>
    private sealed class Inner : HttpMessageHandler
    {
        private readonly TimeProvider _clock;
        private readonly Func<string, Task<HttpResponseMessage>> _reply;

        public Inner(TimeProvider clock, Func<string, Task<HttpResponseMessage>> reply)
        {
            _clock = clock;
            _reply = reply;
        }

        public ConcurrentDictionary<string, DateTimeOffset> Arrivals { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string role = request.Headers.GetValues("x-role").Single();
            Arrivals[role] = _clock.GetUtcNow();
            return _reply(role);
        }
    }
}
