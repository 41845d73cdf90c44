using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace RetryGuard.Runtime.Tests;

/// <summary>Many callers through one handler against the real loopback gateway.</summary>
public class ConcurrencyTests : IClassFixture<Gateway>
{
    private readonly Gateway _gateway;

    public ConcurrencyTests(Gateway gateway) => _gateway = gateway;

    private static HttpRequestMessage Chat(string id)
    {
        HttpRequestMessage request = new(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","messages":[]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer sk-load-test-key");
        request.Headers.TryAddWithoutValidation("x-request-id", id);
        return request;
    }

    [Fact]
    public async Task A_thousand_concurrent_callers_stay_under_the_keys_rpm_and_each_request_is_sent_once()
    {
        CountingClock clock = new();
        ConcurrentQueue<GatewayScripts.Rejection> rejections = new();
        Scenario scenario = _gateway.Script(clock, GatewayScripts.PerKeyRpm(600, clock, rejections));
        RetryGuardHandler handler = new(new RetryGuardOptions { TimeProvider = clock, RequestsPerMinute = 600, Name = "load" },
            new SocketsHttpHandler { MaxConnectionsPerServer = 64 });
        using HttpClient client = new(handler) { BaseAddress = scenario.BaseAddress };

        Task<HttpStatusCode>[] calls = Enumerable.Range(0, 1000).Select(async i =>
        {
            using HttpResponseMessage response = await client.SendAsync(Chat($"c{i}"));
            return response.StatusCode;
        }).ToArray();
        HttpStatusCode[] statuses = await Drive.WhileWaiting(clock, Task.WhenAll(calls), TimeSpan.FromMilliseconds(200), handler);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Empty(rejections);
        IReadOnlyList<SeenRequest> seen = scenario.Seen;
        Assert.Equal(1000, seen.Count);
        Assert.Equal(1000, seen.Select(s => s.RequestId).Distinct().Count());

        // 600 RPM at 0.8: 480 a minute sustained, bursts of 48. The gateway never counted more than its limit in any
        // minute (fake time also moves while requests are on the wire, so arrivals are a little spread out).
        int busiestMinute = GatewayScripts.MaxInWindow(seen.Select(s => s.ArrivedAt), TimeSpan.FromMinutes(1));
        Assert.InRange(busiestMinute, 400, 600);
    }

    [Fact]
    public async Task A_full_queue_fails_fast_with_a_clear_error_and_nothing_is_dropped_or_duplicated()
    {
        CountingClock clock = new();
        Scenario scenario = _gateway.Script(clock, (seen, context) => Replies.Ok(context, seen));
        string name = Guid.NewGuid().ToString("N");
        using MetricsRecorder metrics = new(name);
        // 60 RPM at 0.8: bursts of 5; 10 more may wait; the other 25 are refused at once.
        RetryGuardHandler handler = new(new RetryGuardOptions { TimeProvider = clock, RequestsPerMinute = 60, QueueLimit = 10, Name = name },
            new SocketsHttpHandler());
        using HttpClient client = new(handler) { BaseAddress = scenario.BaseAddress };

        Task<HttpResponseMessage>[] calls = Enumerable.Range(0, 40).Select(i => client.SendAsync(Chat($"q{i}"))).ToArray();
        await Drive.WhileWaiting(clock, Task.WhenAll(calls).ContinueWith(_ => 0), TimeSpan.FromMilliseconds(250), handler);

        RateLimiterQueueFullException[] refused = calls.Where(c => c.IsFaulted).Select(c => Assert.IsType<RateLimiterQueueFullException>(c.Exception!.InnerException)).ToArray();
        HttpResponseMessage[] responses = await Task.WhenAll(calls.Where(c => c.IsCompletedSuccessfully));
        string[] served = responses.Select(r => r.RequestMessage!.Headers.GetValues("x-request-id").Single()).ToArray();
        Assert.Equal(25, refused.Length);
        Assert.Equal(15, served.Length);
        Assert.Contains("QueueLimit", refused[0].Message);
        Assert.Equal(served.OrderBy(s => s), scenario.Seen.Select(s => s.RequestId!).OrderBy(s => s));
        Assert.Equal(25, metrics.Sum("retryguard.limiter.rejected"));
        foreach (HttpResponseMessage response in responses)
        {
            response.Dispose();
        }
    }
}
