using System.Net;
using System.Text;
using static RetryGuard.Runtime.Tests.ScriptedHandler;

namespace Azure
{
    /// <summary>Shaped like Azure.Core's exception: recognised by name, read through its public members.</summary>
    public class RequestFailedException : Exception
    {
        private readonly FakeResponse? _response;

        public RequestFailedException(int status, string message, params (string Name, string Value)[] headers)
            : base(message)
        {
            Status = status;
            _response = new FakeResponse(headers);
        }

        public int Status { get; }

        public FakeResponse? GetRawResponse() => _response;
    }

    public sealed class FakeResponse
    {
        public FakeResponse((string Name, string Value)[] headers) => Headers = new FakeHeaders(headers);

        public FakeHeaders Headers { get; }
    }

    public sealed class FakeHeaders
    {
        private readonly (string Name, string Value)[] _headers;

        public FakeHeaders((string Name, string Value)[] headers) => _headers = headers;

        public bool TryGetValue(string name, out string? value)
        {
            value = _headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;
            return value is not null;
        }
    }
}

namespace System.ClientModel
{
    /// <summary>Shaped like System.ClientModel's exception (OpenAI SDK): a status without a readable response.</summary>
    public class ClientResultException : Exception
    {
        public ClientResultException(int status, string message)
            : base(message) => Status = status;

        public int Status { get; }
    }
}

namespace RetryGuard.Runtime.Tests
{
    /// <summary>The policy for delegates and SDK clients, on a fake clock.</summary>
    public class PolicyTests
    {
        private static RetryGuardPolicy Policy(CountingClock clock, Action<RetryGuardOptions>? configure = null)
        {
            RetryGuardOptions options = new() { TimeProvider = clock, Random = new Random(5) };
            configure?.Invoke(options);
            return new RetryGuardPolicy(options);
        }

        [Fact]
        public async Task HttpRequestException_statuses_follow_the_table()
        {
            CountingClock clock = new();
            using RetryGuardPolicy policy = Policy(clock);
            int calls = 0;
            string result = await Drive.Until(clock, policy.ExecuteAsync(_ => ++calls < 3
                ? throw new HttpRequestException("bad gateway", null, HttpStatusCode.BadGateway)
                : Task.FromResult("ok")), TimeSpan.FromMilliseconds(100));
            Assert.Equal(("ok", 3), (result, calls));

            int badRequests = 0;
            HttpRequestException error = await Assert.ThrowsAsync<HttpRequestException>(() => policy.ExecuteAsync<string>(_ =>
            {
                badRequests++;
                throw new HttpRequestException("bad request", null, HttpStatusCode.BadRequest);
            }));
            Assert.Equal((HttpStatusCode.BadRequest, 1), (error.StatusCode, badRequests));
        }

        [Fact]
        public async Task An_azure_429_waits_exactly_its_retry_after_read_from_the_raw_response()
        {
            CountingClock clock = new();
            using RetryGuardPolicy policy = Policy(clock);
            List<DateTimeOffset> attempts = new();
            Task<int> call = policy.ExecuteAsync(_ =>
            {
                attempts.Add(clock.GetUtcNow());
                return attempts.Count == 1
                    ? throw new Azure.RequestFailedException(429, "Too many requests", ("retry-after-ms", "4500"))
                    : Task.FromResult(42);
            });

            await Drive.Eventually(() => clock.Timers == 1, "the policy should wait");
            clock.Advance(TimeSpan.FromMilliseconds(4499));
            Assert.Single(attempts);
            clock.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(42, await call);
            Assert.Equal(TimeSpan.FromMilliseconds(4500), attempts[1] - attempts[0]);
        }

        [Fact]
        public async Task SDK_exceptions_for_daily_caps_credits_and_caller_errors_are_told_apart()
        {
            CountingClock clock = new();
            using RetryGuardPolicy policy = Policy(clock);

            InsufficientCreditsException credits = await Assert.ThrowsAsync<InsufficientCreditsException>(() => policy.ExecuteAsync(
                _ => Task.FromException(new Azure.RequestFailedException(402, "Payment required"))));
            Assert.IsType<Azure.RequestFailedException>(credits.InnerException);

            int calls = 0;
            await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() => policy.ExecuteAsync(_ =>
            {
                calls++;
                return Task.FromException(new System.ClientModel.ClientResultException(401, "Unauthorized"));
            }));
            Assert.Equal(1, calls);

            // Last: after a daily cap the policy sends nothing more until the reset.
            DailyTokenCapExceededException cap = await Assert.ThrowsAsync<DailyTokenCapExceededException>(() => policy.ExecuteAsync(
                _ => Task.FromException(new System.ClientModel.ClientResultException(429,
                    "HTTP 429 (rate_limit_exceeded) Daily token cap reached for this key"))));
            Assert.Equal(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero), cap.ResetsAt);
            Assert.IsType<System.ClientModel.ClientResultException>(cap.InnerException);
            Assert.Equal(0, clock.Timers);
        }

        [Fact]
        public async Task Unknown_exceptions_are_not_retried_and_connection_failures_are()
        {
            CountingClock clock = new();
            using RetryGuardPolicy policy = Policy(clock, o => o.MaxRetries = 1);
            int calls = 0;
            await Assert.ThrowsAsync<InvalidOperationException>(() => policy.ExecuteAsync<int>(_ =>
            {
                calls++;
                throw new InvalidOperationException("a bug, not a transient");
            }));
            Assert.Equal(1, calls);

            int sdkCalls = 0;
            await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() => Drive.Until(clock, policy.ExecuteAsync(_ =>
            {
                sdkCalls++;
                return Task.FromException(new System.ClientModel.ClientResultException(0, "connection reset"));
            }), TimeSpan.FromMilliseconds(100)));
            Assert.Equal(2, sdkCalls);
        }

        [Fact]
        public async Task Delegates_returning_responses_are_judged_by_their_status()
        {
            CountingClock clock = new();
            using RetryGuardPolicy policy = Policy(clock);
            int calls = 0;
            using HttpResponseMessage response = await Drive.Until(clock, policy.ExecuteAsync(_ =>
                Task.FromResult(++calls == 1 ? Reply(503) : Reply(200, "done"))), TimeSpan.FromMilliseconds(100));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(2, calls);

            await Assert.ThrowsAsync<RateLimitExceededException>(() => policy.ExecuteAsync(_ =>
                Task.FromResult(Reply(429, RateLimitBody, ("Retry-After", "86400")))));
        }

        [Fact]
        public async Task Cancellation_stops_the_policy_and_an_attempt_timeout_is_retried()
        {
            CountingClock clock = new();
            using RetryGuardPolicy policy = Policy(clock, o => o.AttemptTimeout = TimeSpan.FromSeconds(2));
            using CancellationTokenSource cancel = new();
            cancel.Cancel();
            int calls = 0;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => policy.ExecuteAsync(_ => Task.FromResult(++calls), cancel.Token));
            Assert.Equal(0, calls);

            int attempts = 0;
            int value = await Drive.Until(clock, policy.ExecuteAsync(async ct =>
            {
                if (++attempts == 1)
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }

                return 7;
            }), TimeSpan.FromMilliseconds(250));
            Assert.Equal((7, 2), (value, attempts));
        }

        [Fact]
        public async Task An_sdk_network_timeout_is_retried_and_the_callers_cancellation_is_not()
        {
            CountingClock clock = new();
            using RetryGuardPolicy policy = Policy(clock, o => o.MaxRetries = 2);

            // System.ClientModel's NetworkTimeout surfaces as a TaskCanceledException over another cancellation,
            // with the caller's token untouched: a timeout inside the attempt.
            int attempts = 0;
            int value = await Drive.Until(clock, policy.ExecuteAsync(_ =>
                ++attempts == 1
                    ? Task.FromException<int>(new TaskCanceledException("network timeout", new OperationCanceledException()))
                    : Task.FromResult(11)), TimeSpan.FromMilliseconds(100));
            Assert.Equal((11, 2), (value, attempts));

            using CancellationTokenSource cancel = new();
            int calls = 0;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => policy.ExecuteAsync<int>(ct =>
            {
                calls++;
                cancel.Cancel();
                ct.ThrowIfCancellationRequested();
                return Task.FromResult(0);
            }, cancel.Token));
            Assert.Equal(1, calls);
        }

        [Fact]
        public async Task The_default_policy_runs_delegates()
        {
            Assert.Same(RetryGuardPolicy.Default, RetryGuardPolicy.Default);
            Assert.Equal(5, await RetryGuardPolicy.Default.ExecuteAsync(_ => Task.FromResult(5)));
            await Assert.ThrowsAsync<ArgumentNullException>(() => RetryGuardPolicy.Default.ExecuteAsync<int>(null!));
            await RetryGuardPolicy.Default.ExecuteAsync(_ => Task.CompletedTask);
        }
    }
}
