using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using static RetryGuard.ClientModel.Tests.ScriptedGateway;

namespace RetryGuard.ClientModel.Tests;

public sealed class PipelinePolicyTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Success_is_returned_after_one_attempt()
    {
        FakeTimeProvider clock = Setup.Clock();
        ScriptedGateway gateway = new(clock, _ => ChatCompletion());
        ClientPipeline pipeline = Setup.Pipeline(gateway, Setup.Options(clock));
        using PipelineMessage message = Setup.Message(pipeline);

        await pipeline.SendAsync(message);

        Assert.Equal(200, message.Response!.Status);
        Assert.Equal(1, gateway.Attempts);
        Assert.Contains("chatcmpl-1", message.Response.Content.ToString());
    }

    [Theory]
    [InlineData("Retry-After", "7", 7_000)]
    [InlineData("Retry-After", "0.25", 250)]
    [InlineData("retry-after-ms", "1500", 1_500)]
    [InlineData("x-ratelimit-reset-requests", "2s", 2_000)]
    [InlineData("x-ratelimit-reset-tokens", "1m0.5s", 60_500)]
    public async Task A_429_waits_exactly_as_long_as_the_server_says(string header, string value, int waitMs)
    {
        WaitWatchingClock clock = new();
        ScriptedGateway gateway = new(clock, n => n == 0 ? Reply(429, BurstBody, (header, value)) : ChatCompletion());
        ClientPipeline pipeline = Setup.Pipeline(gateway, Setup.Options(clock));
        using PipelineMessage message = Setup.Message(pipeline);

        await clock.Run(pipeline.SendAsync(message).AsTask(), TimeSpan.FromMilliseconds(waitMs));

        Assert.Equal(200, message.Response!.Status);
        Assert.Equal(2, gateway.Attempts);
        Assert.Equal(TimeSpan.FromMilliseconds(waitMs), gateway.Sent[1].At - gateway.Sent[0].At);
    }

    [Fact]
    public async Task A_429_is_never_re_sent_before_its_Retry_After()
    {
        WaitWatchingClock clock = new();
        ScriptedGateway gateway = new(clock, n => n == 0 ? Reply(429, BurstBody, ("Retry-After", "7")) : ChatCompletion());
        ClientPipeline pipeline = Setup.Pipeline(gateway, Setup.Options(clock));
        using PipelineMessage message = Setup.Message(pipeline);

        Task sending = pipeline.SendAsync(message).AsTask();
        await WaitFor(() => clock.TimersStarted == 1);
        clock.Fake.Advance(TimeSpan.FromMilliseconds(6_999));
        await Task.Delay(100);
        Assert.Equal(1, gateway.Attempts);
        Assert.False(sending.IsCompleted);

        clock.Fake.Advance(TimeSpan.FromMilliseconds(1));
        await sending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, gateway.Attempts);
    }

    [Fact]
    public async Task A_429_with_an_http_date_waits_until_that_date()
    {
        WaitWatchingClock clock = new();
        DateTimeOffset until = clock.GetUtcNow().AddSeconds(30);
        ScriptedGateway gateway = new(clock, n => n == 0
            ? Reply(429, BurstBody, ("Retry-After", until.ToString("r", CultureInfo.InvariantCulture)))
            : ChatCompletion());
        ClientPipeline pipeline = Setup.Pipeline(gateway, Setup.Options(clock));
        using PipelineMessage message = Setup.Message(pipeline);

        await clock.Run(pipeline.SendAsync(message).AsTask(), TimeSpan.FromSeconds(30));

        Assert.Equal(2, gateway.Attempts);
        Assert.Equal(until, gateway.Sent[1].At);
    }

    [Fact]
    public async Task A_429_asking_for_more_than_MaxRetryAfter_is_surfaced_without_sleeping()
    {
        FakeTimeProvider clock = Setup.Clock();
        DateTimeOffset start = clock.GetUtcNow();
        ScriptedGateway gateway = new(clock, _ => Reply(429, BurstBody, ("Retry-After", "7200")));
        ClientPipeline pipeline = Setup.Pipeline(gateway, Setup.Options(clock));
        using PipelineMessage message = Setup.Message(pipeline);

        // No clock driving: a policy that tried to sleep would never finish.
        RateLimitExceededException error = await Assert.ThrowsAsync<RateLimitExceededException>(
            () => pipeline.SendAsync(message).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(TimeSpan.FromHours(2), error.RetryAfter);
        Assert.Equal(1, gateway.Attempts);
        Assert.Equal(start, clock.GetUtcNow());
    }

    [Theory]
    [InlineData(DailyCapBody)]
    [InlineData(QuotaBody)]
    public async Task A_daily_cap_429_is_surfaced_at_once_without_sleeping(string body)
    {
        FakeTimeProvider clock = Setup.Clock();
        ScriptedGateway gateway = new(clock, _ => Reply(429, body, ("Retry-After", "30")));
        ClientPipeline pipeline = Setup.Pipeline(gateway, Setup.Options(clock));
        using PipelineMessage message = Setup.Message(pipeline);

        DailyTokenCapExceededException error = await Assert.ThrowsAsync<DailyTokenCapExceededException>(
            () => pipeline.SendAsync(message).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(1, gateway.Attempts);
        Assert.Equal(clock.GetUtcNow().AddSeconds(30), error.ResetsAt);
    }

    [Fact]
    public async Task A_daily_cap_is_recognised_on_a_streamed_response_too()
    {
        FakeTimeProvider clock = Setup.Clock();
        ScriptedGateway gateway = new(clock, _ => Reply(429, DailyCapBody));
        ClientPipeline pipeline = Setup.Pipeline(gateway, Setup.Options(clock));
        using PipelineMessage message = Setup.Message(pipeline, buffer: false);

        DailyTokenCapExceededException error = await Assert.ThrowsAsync<DailyTokenCapExceededException>(
            () => pipeline.SendAsync(message).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(1, gateway.Attempts);
        Assert.Contains("Daily token cap", error.Message);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(422)]
    public async Task Caller_errors_are_returned_untouched_after_one_attempt(int status)
    {
        FakeTimeProvider clock = Setup.Clock();
        ScriptedGateway gateway = new(clock, _ => Reply(status, """{"error":{"message":"bad request"}}"""));
        ClientPipeline pipeline = Setup.Pipeline(gateway, Setup.Options(clock));
        using PipelineMessage message = Setup.Message(pipeline);

        await pipeline.SendAsync(message).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(status, message.Response!.Status);
        Assert.Equal(1, gateway.Attempts);
        Assert.Contains("bad request", message.Response.Content.ToString());
    }

    [Fact]
    public async Task A_402_is_not_retried_and_says_the_account_is_out_of_credits()
    {
        FakeTimeProvider clock = Setup.Clock();
        ScriptedGateway gateway = new(clock, _ => Reply(402, """{"error":{"message":"Insufficient credits"}}"""));
        ClientPipeline pipeline = Setup.Pipeline(gateway, Setup.Options(clock));
        using PipelineMessage message = Setup.Message(pipeline);

        InsufficientCreditsException error = await Assert.ThrowsAsync<InsufficientCreditsException>(
            () => pipeline.SendAsync(message).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(1, gateway.Attempts);
        Assert.Contains("Insufficient credits", error.Message);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task Transient_statuses_are_retried_MaxRetries_times_then_the_last_response_is_returned(int status)
    {
        FakeTimeProvider clock = Setup.Clock();
        ScriptedGateway gateway = new(clock, _ => Reply(status));
        ClientPipeline pipeline = Setup.Pipeline(gateway, Setup.Options(clock, maxRetries: 2));
        using PipelineMessage message = Setup.Message(pipeline);

        await Drive.Until(clock, pipeline.SendAsync(message).AsTask(), Step);

        Assert.Equal(status, message.Response!.Status);
        Assert.Equal(3, gateway.Attempts);
    }

    [Fact]
    public async Task Backoff_waits_are_jittered_within_the_exponential_windows()
    {
        FakeTimeProvider clock = Setup.Clock();
        List<TimeSpan> delays = new();
        RetryGuardOptions options = Setup.Options(clock);
        options.OnRetry = info => delays.Add(info.Delay);
        ScriptedGateway gateway = new(clock, _ => Reply(503));
        ClientPipeline pipeline = Setup.Pipeline(gateway, options);
        using PipelineMessage message = Setup.Message(pipeline);

        await Drive.Until(clock, pipeline.SendAsync(message).AsTask(), Step);

        Assert.Equal(4, gateway.Attempts);
        Assert.Equal(3, delays.Count);
        for (int retry = 0; retry < delays.Count; retry++)
        {
            TimeSpan window = TimeSpan.FromTicks(options.BaseDelay.Ticks << retry);
            Assert.InRange(delays[retry], TimeSpan.Zero, window);
            Assert.True(gateway.Sent[retry + 1].At - gateway.Sent[retry].At >= delays[retry], "re-sent before the backoff ended");
        }
    }

    [Fact]
    public async Task A_transport_failure_is_retried_and_the_same_body_is_sent_again()
    {
        FakeTimeProvider clock = Setup.Clock();
        ScriptedGateway gateway = new(clock, n => n == 0 ? throw new HttpRequestException("connection reset") : ChatCompletion());
        ClientPipeline pipeline = Setup.Pipeline(gateway, Setup.Options(clock));
        const string body = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""";
        using PipelineMessage message = Setup.Message(pipeline, body);

        await Drive.Until(clock, pipeline.SendAsync(message).AsTask(), Step);

        Assert.Equal(200, message.Response!.Status);
        Assert.Equal(2, gateway.Attempts);
        Assert.All(gateway.Sent, sent => Assert.Equal(body, sent.Body));
    }

    [Fact]
    public async Task An_attempt_that_runs_past_the_network_timeout_is_retried_like_a_connection_failure()
    {
        FakeTimeProvider clock = Setup.Clock();
        SlowFirstAttempt slow = new();
        ClientPipelineOptions options = new ClientPipelineOptions
        {
            Transport = new HttpClientPipelineTransport(new HttpClient(slow)),
            NetworkTimeout = TimeSpan.FromMilliseconds(200),
        }.UseRetryGuard(Setup.Options(clock));
        ClientPipeline pipeline = ClientPipeline.Create(options, ReadOnlySpan<PipelinePolicy>.Empty,
            ReadOnlySpan<PipelinePolicy>.Empty, ReadOnlySpan<PipelinePolicy>.Empty);
        using PipelineMessage message = Setup.Message(pipeline);

        await Drive.Until(clock, pipeline.SendAsync(message).AsTask(), Step);

        Assert.Equal(200, message.Response!.Status);
        Assert.Equal(2, slow.Attempts);
    }

    /// <summary>The first attempt never answers (until its token is cancelled); later ones succeed.</summary>
    private sealed class SlowFirstAttempt : HttpMessageHandler
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _attempts) == 1)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return ChatCompletion();
        }
    }

    [Fact]
    public async Task Cancellation_ends_a_Retry_After_wait_at_once_and_nothing_more_is_sent()
    {
        FakeTimeProvider clock = Setup.Clock();
        using CancellationTokenSource cancel = new();
        ScriptedGateway gateway = new(clock, _ => Reply(429, BurstBody, ("Retry-After", "60")));
        ClientPipeline pipeline = Setup.Pipeline(gateway, Setup.Options(clock));
        using PipelineMessage message = Setup.Message(pipeline, cancellationToken: cancel.Token);

        Task sending = pipeline.SendAsync(message).AsTask();
        await WaitFor(() => gateway.Attempts == 1);
        await Task.Delay(50);
        Assert.False(sending.IsCompleted, "the policy must be waiting out the Retry-After");
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending.WaitAsync(TimeSpan.FromSeconds(10)));
        clock.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(50);
        Assert.Equal(1, gateway.Attempts);
    }

    [Fact]
    public async Task The_synchronous_path_applies_the_same_policy()
    {
        WaitWatchingClock clock = new();
        List<TimeSpan> delays = new();
        RetryGuardOptions options = Setup.Options(clock);
        options.OnRetry = info => delays.Add(info.Delay);
        ScriptedGateway gateway = new(clock, n => n switch
        {
            0 => Reply(503),
            1 => Reply(429, BurstBody, ("Retry-After", "3")),
            _ => ChatCompletion(),
        });
        ClientPipeline pipeline = Setup.Pipeline(gateway, options);
        using PipelineMessage message = Setup.Message(pipeline);

        // The first wait is jittered: move the clock by the whole window (1 s); the timer fires once its share passed.
        await clock.Run(Task.Run(() => pipeline.Send(message)), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));

        Assert.Equal(200, message.Response!.Status);
        Assert.Equal(3, gateway.Attempts);
        Assert.InRange(delays[0], TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(3), gateway.Sent[2].At - gateway.Sent[1].At);
    }

    [Fact]
    public void The_synchronous_path_surfaces_a_daily_cap_and_does_not_retry_caller_errors()
    {
        FakeTimeProvider clock = Setup.Clock();
        ScriptedGateway capped = new(clock, _ => Reply(429, DailyCapBody));
        ClientPipeline pipeline = Setup.Pipeline(capped, Setup.Options(clock));
        using PipelineMessage first = Setup.Message(pipeline);
        Assert.Throws<DailyTokenCapExceededException>(() => pipeline.Send(first));
        Assert.Equal(1, capped.Attempts);

        ScriptedGateway refused = new(clock, _ => Reply(422));
        ClientPipeline other = Setup.Pipeline(refused, Setup.Options(clock));
        using PipelineMessage second = Setup.Message(other);
        other.Send(second);
        Assert.Equal(422, second.Response!.Status);
        Assert.Equal(1, refused.Attempts);
    }

    [Fact]
    public async Task A_daily_cap_falls_back_to_the_configured_model_with_the_rest_of_the_body_unchanged()
    {
        FakeTimeProvider clock = Setup.Clock();
        RetryGuardOptions options = Setup.Options(clock);
        options.FallbackModels["gpt-4o"] = new List<string> { "gpt-4o-mini" };
        ScriptedGateway gateway = new(clock, n => n == 0 ? Reply(429, DailyCapBody) : ChatCompletion("gpt-4o-mini"));
        ClientPipeline pipeline = Setup.Pipeline(gateway, options);
        using PipelineMessage message = Setup.Message(pipeline, """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""");

        await pipeline.SendAsync(message).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(200, message.Response!.Status);
        Assert.Equal(2, gateway.Attempts);
        Assert.Equal("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", gateway.Sent[1].Body);
    }

    [Fact]
    public void UseRetryGuard_replaces_the_SDK_retry_policy_and_validates_the_options()
    {
        ClientPipelineOptions options = new ClientPipelineOptions().UseRetryGuard(new RetryGuardOptions());
        Assert.IsType<RetryGuardPipelinePolicy>(options.RetryPolicy);

        ArgumentException error = Assert.Throws<ArgumentException>(
            () => new ClientPipelineOptions().UseRetryGuard(new RetryGuardOptions { MaxRetries = -1 }));
        Assert.Contains("MaxRetries", error.Message);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        for (int i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
