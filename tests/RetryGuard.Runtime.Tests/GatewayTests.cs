using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace RetryGuard.Runtime.Tests;

/// <summary>The handler against a real HTTP server on 127.0.0.1 playing an LLM gateway.</summary>
public class GatewayTests : IClassFixture<Gateway>
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);
    private readonly Gateway _gateway;

    public GatewayTests(Gateway gateway) => _gateway = gateway;

    private static HttpClient Client(Scenario scenario, RetryGuardOptions options, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        Client(scenario, options, out _, logger);

    private static HttpClient Client(Scenario scenario, RetryGuardOptions options, out RetryGuardHandler handler,
        Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        handler = new RetryGuardHandler(options, new SocketsHttpHandler(), logger);
        return new HttpClient(handler) { BaseAddress = scenario.BaseAddress };
    }

    private static HttpRequestMessage Chat(string model = "gpt-4o", string? id = null, string key = "Bearer sk-test-key-0001")
    {
        HttpRequestMessage request = new(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent($$"""{"model": "{{model}}", "messages":[{"role":"user","content":"héllo"}], "temperature":0.2}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", key);
        request.Headers.TryAddWithoutValidation("x-request-id", id ?? Guid.NewGuid().ToString("N"));
        return request;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Per_key_rpm_429s_are_obeyed_and_no_retry_comes_before_the_servers_time(bool milliseconds)
    {
        CountingClock clock = new(new DateTimeOffset(2026, 11, 28, 10, 0, 30, TimeSpan.Zero));
        ConcurrentQueue<GatewayScripts.Rejection> rejections = new();
        Scenario scenario = _gateway.Script(clock, GatewayScripts.PerKeyRpm(3, clock, rejections, milliseconds));
        using HttpClient client = Client(scenario, new RetryGuardOptions { TimeProvider = clock, MaxRetries = 5 }, out RetryGuardHandler handler);

        for (int i = 0; i < 5; i++)
        {
            using HttpResponseMessage response = await Drive.WhileWaiting(clock, client.SendAsync(Chat(id: $"r{i}")), Step, handler);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.NotEmpty(rejections);
        foreach (GatewayScripts.Rejection rejection in rejections)
        {
            SeenRequest next = scenario.Seen.First(s => s.RequestId == rejection.RequestId && s.ArrivedAt > rejection.At);
            Assert.True(next.ArrivedAt - rejection.At >= rejection.Wait, $"retried {next.ArrivedAt - rejection.At} after a 429 asking {rejection.Wait}");
            Assert.True(next.ArrivedAt - rejection.At < rejection.Wait + Step, "and not later than the next step of the fake clock");
        }

        Assert.Equal(5, scenario.Seen.Select(s => s.RequestId).Distinct().Count());
        Assert.Equal(5 + rejections.Count, scenario.Count);
    }

    [Fact]
    public async Task Transient_5xx_bursts_are_retried_with_byte_identical_bodies()
    {
        FakeTimeProvider clock = new();
        Scenario scenario = _gateway.Script(clock, (seen, context) => seen.Index switch
        {
            1 => Replies.Status(context, 502),
            2 => Replies.Status(context, 503),
            3 => Replies.Text(context, 500, "<html>upstream exploded</html>"),
            _ => Replies.Ok(context, seen),
        });
        using HttpClient client = Client(scenario, new RetryGuardOptions { TimeProvider = clock, Random = new Random(3) });

        using HttpResponseMessage response = await Drive.Until(clock, client.SendAsync(Chat()), Step);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4, scenario.Count);
        byte[] first = scenario.Seen[0].Body;
        Assert.All(scenario.Seen, s => Assert.Equal(first, s.Body));
        Assert.Contains("héllo", Encoding.UTF8.GetString(first));
    }

    [Fact]
    public async Task A_daily_cap_falls_back_to_the_next_model_at_once_and_says_which_model_served()
    {
        FakeTimeProvider clock = new();
        Scenario scenario = _gateway.Script(clock, (seen, context) =>
            seen.Model == "gpt-4o" ? Replies.DailyCap(context, ("Retry-After", "7200")) : Replies.Ok(context, seen));
        List<RetryGuardFallbackInfo> fallbacks = new();
        RetryGuardOptions options = new() { TimeProvider = clock, OnFallback = fallbacks.Add };
        options.FallbackModels["gpt-4o"] = new List<string> { "gpt-4o-mini" };
        using HttpClient client = Client(scenario, options);
        DateTimeOffset started = clock.GetUtcNow();

        using HttpResponseMessage response = await client.SendAsync(Chat());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new[] { "gpt-4o", "gpt-4o-mini" }, scenario.Seen.Select(s => s.Model));
        Assert.Equal("gpt-4o-mini", response.Headers.GetValues(RetryGuardHandler.ServedModelHeader).Single());
        Assert.Equal("gpt-4o", response.Headers.GetValues(RetryGuardHandler.RequestedModelHeader).Single());
        Assert.Equal(started, clock.GetUtcNow());
        RetryGuardFallbackInfo fallback = Assert.Single(fallbacks);
        Assert.Equal(("gpt-4o", "gpt-4o-mini", FallbackReason.DailyTokenCap), (fallback.FromModel, fallback.ToModel, fallback.Reason));

        // Only the model changed: every other byte of the body is the same.
        string original = Encoding.UTF8.GetString(scenario.Seen[0].Body);
        Assert.Equal(original.Replace("\"gpt-4o\"", "\"gpt-4o-mini\""), Encoding.UTF8.GetString(scenario.Seen[1].Body));
    }

    [Fact]
    public async Task A_too_long_retry_after_and_exhausted_5xx_retries_walk_the_fallback_chain_in_order()
    {
        FakeTimeProvider clock = new();
        Scenario scenario = _gateway.Script(clock, (seen, context) => seen.Model switch
        {
            "gpt-4o" => Replies.RateLimited(context, ("Retry-After", "900")),
            "gpt-4o-mini" => Replies.Status(context, 503),
            _ => Replies.Ok(context, seen),
        });
        List<RetryGuardFallbackInfo> fallbacks = new();
        RetryGuardOptions options = new() { TimeProvider = clock, MaxRetries = 1, OnFallback = fallbacks.Add };
        options.FallbackModels["GPT-4o"] = new List<string> { "gpt-4o-mini", "gpt-3.5-turbo" };
        using HttpClient client = Client(scenario, options);

        using HttpResponseMessage response = await Drive.Until(clock, client.SendAsync(Chat()), Step);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new[] { "gpt-4o", "gpt-4o-mini", "gpt-4o-mini", "gpt-3.5-turbo" }, scenario.Seen.Select(s => s.Model));
        Assert.Equal(new[] { FallbackReason.RetryAfterTooLong, FallbackReason.RetriesExhausted }, fallbacks.Select(f => f.Reason));
        Assert.Equal("gpt-3.5-turbo", response.Headers.GetValues(RetryGuardHandler.ServedModelHeader).Single());
    }

    [Fact]
    public async Task Without_a_fallback_a_daily_cap_fails_at_once_and_4xx_never_falls_back()
    {
        FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 28, 23, 59, 0, TimeSpan.Zero));
        Scenario scenario = _gateway.Script(clock, (seen, context) => seen.Model switch
        {
            "capped" => Replies.DailyCap(context),
            _ => Replies.Status(context, 422, "invalid_request"),
        });
        RetryGuardOptions options = new() { TimeProvider = clock };
        options.FallbackModels["gpt-4o"] = new List<string> { "gpt-4o-mini" };
        using HttpClient client = Client(scenario, options);

        DailyTokenCapExceededException cap = await Assert.ThrowsAsync<DailyTokenCapExceededException>(() => client.SendAsync(Chat("capped")));
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero), cap.ResetsAt);

        using HttpResponseMessage invalid = await client.SendAsync(Chat("gpt-4o"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Contains("invalid_request", await invalid.Content.ReadAsStringAsync());
        Assert.Equal(new[] { "capped", "gpt-4o" }, scenario.Seen.Select(s => s.Model));
    }

    [Fact]
    public async Task A_402_from_the_server_is_a_distinct_error_after_one_attempt()
    {
        FakeTimeProvider clock = new();
        Scenario scenario = _gateway.Script(clock, (_, context) => Replies.Status(context, 402, "insufficient_credits"));
        using HttpClient client = Client(scenario, new RetryGuardOptions { TimeProvider = clock });
        await Assert.ThrowsAsync<InsufficientCreditsException>(() => client.SendAsync(Chat()));
        Assert.Equal(1, scenario.Count);
    }

    [Fact]
    public async Task A_streamed_success_is_returned_at_its_headers_and_never_retried()
    {
        FakeTimeProvider clock = new();
        TaskCompletionSource finish = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Scenario scenario = _gateway.Script(clock, async (seen, context) =>
        {
            if (seen.Index == 1)
            {
                await Replies.RateLimited(context, ("retry-after-ms", "40"));
                return;
            }

            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: {\"delta\":\"first\"}\n\n");
            await context.Response.Body.FlushAsync();
            await finish.Task;
            context.Abort(); // the stream breaks after the first chunk
        });
        using HttpClient client = Client(scenario, new RetryGuardOptions { TimeProvider = clock });

        using HttpResponseMessage response = await Drive.Until(clock,
            client.SendAsync(Chat(), HttpCompletionOption.ResponseHeadersRead), TimeSpan.FromMilliseconds(20));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentLength);

        using StreamReader reader = new(await response.Content.ReadAsStreamAsync());
        Assert.Equal("data: {\"delta\":\"first\"}", await reader.ReadLineAsync());
        finish.SetResult();
        await Assert.ThrowsAnyAsync<Exception>(async () => await reader.ReadToEndAsync());

        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(2, scenario.Count);
    }

    [Fact]
    public async Task A_slow_attempt_times_out_and_is_retried()
    {
        FakeTimeProvider clock = new();
        Scenario scenario = _gateway.Script(clock, async (seen, context) =>
        {
            if (seen.Index == 1)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
                return;
            }

            await Replies.Ok(context, seen);
        });
        using HttpClient client = Client(scenario, new RetryGuardOptions { TimeProvider = clock, AttemptTimeout = TimeSpan.FromSeconds(10) });
        DateTimeOffset started = clock.GetUtcNow();

        using HttpResponseMessage response = await Drive.Until(clock, client.SendAsync(Chat()), Step);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, scenario.Count);
        Assert.True(scenario.Seen[1].ArrivedAt - started >= TimeSpan.FromSeconds(10), "the first attempt had its full 10 s");
    }

    [Fact]
    public async Task After_the_caller_cancels_the_server_sees_no_further_request()
    {
        CountingClock clock = new();
        Scenario scenario = _gateway.Script(clock, (_, context) => Replies.RateLimited(context, ("Retry-After", "30")));
        using HttpClient client = Client(scenario, new RetryGuardOptions { TimeProvider = clock });
        using CancellationTokenSource cancel = new();

        Task<HttpResponseMessage> call = client.SendAsync(Chat(), cancel.Token);
        await Drive.Eventually(() => clock.Timers >= 1, "the client should be waiting out the Retry-After");
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        clock.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(100); // give a wrongly scheduled retry the chance to reach the server
        Assert.Equal(1, scenario.Count);
    }

    [Fact]
    public async Task Remaining_budget_headers_slow_the_client_down_before_a_429()
    {
        CountingClock clock = new();
        Scenario scenario = _gateway.Script(clock, (seen, context) => seen.Index switch
        {
            1 => Replies.Ok(context, seen, ("x-ratelimit-limit-requests", "100"), ("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "20s")),
            2 => Replies.Ok(context, seen, ("x-ratelimit-limit-requests", "100"), ("x-ratelimit-remaining-requests", "5"), ("x-ratelimit-reset-requests", "1m0s")),
            _ => Replies.Ok(context, seen, ("x-ratelimit-limit-requests", "100"), ("x-ratelimit-remaining-requests", "90"), ("x-ratelimit-reset-requests", "1m0s")),
        });
        using HttpClient client = Client(scenario, new RetryGuardOptions { TimeProvider = clock }, out RetryGuardHandler handler);

        for (int i = 0; i < 4; i++)
        {
            (await Drive.WhileWaiting(clock, client.SendAsync(Chat()), Step, handler)).Dispose();
        }

        IReadOnlyList<SeenRequest> seen = scenario.Seen;
        Assert.True(seen[1].ArrivedAt - seen[0].ArrivedAt >= TimeSpan.FromSeconds(20), "budget used up: wait for its reset");
        Assert.True(seen[2].ArrivedAt - seen[1].ArrivedAt >= TimeSpan.FromSeconds(10), "5 left of 100: spread them over the reset window");
        Assert.True(seen[2].ArrivedAt - seen[1].ArrivedAt < TimeSpan.FromSeconds(10) + Step, "and not longer");
        Assert.Equal(TimeSpan.Zero, seen[3].ArrivedAt - seen[2].ArrivedAt);
        Assert.Equal(0, seen.Count(s => s.Index > 4));
    }

    [Fact]
    public async Task The_token_budget_charges_what_the_response_reports()
    {
        CountingClock clock = new();
        Scenario scenario = _gateway.Script(clock, (seen, context) =>
            Replies.Json(context, 200, new { id = "x", usage = new { prompt_tokens = 90, completion_tokens = 100 } }));
        // 1000 TPM at 0.8: 800 a minute (13.3 a second), burst 200.
        RetryGuardHandler handler = new(new RetryGuardOptions { TimeProvider = clock, TokensPerMinute = 1000 }, new SocketsHttpHandler());
        using HttpClient client = new(handler) { BaseAddress = scenario.BaseAddress };

        HttpRequestMessage Small() => new(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("""{"model":"m","max_tokens":100,"x":"ab"}""", Encoding.UTF8, "application/json"),
        };
        (await Drive.WhileWaiting(clock, client.SendAsync(Small()), TimeSpan.FromMilliseconds(100), handler)).Dispose();
        (await Drive.WhileWaiting(clock, client.SendAsync(Small()), TimeSpan.FromMilliseconds(100), handler)).Dispose();

        // The body is 39 bytes: 9 + 100 = 109 tokens charged before sending; 200 - 109 = 91 left. The response
        // reported 190, so 81 more are charged: 10 left, and the next 109 wait until 99 more have refilled
        // (99 / 800 of a minute = 7.425 s). Without the correction 91 would have been enough: no wait at all.
        TimeSpan gap = scenario.Seen[1].ArrivedAt - scenario.Seen[0].ArrivedAt;
        Assert.InRange(gap, TimeSpan.FromSeconds(7.4), TimeSpan.FromSeconds(7.6));
    }
}
