using System.ClientModel;
using Microsoft.Extensions.Time.Testing;
using OpenAI;
using OpenAI.Chat;
using static RetryGuard.ClientModel.Tests.ScriptedGateway;

namespace RetryGuard.ClientModel.Tests;

/// <summary>The real OpenAI <see cref="ChatClient"/> with RetryGuard as its retry layer.</summary>
public sealed class OpenAIClientTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    private static ChatClient Client(ScriptedGateway gateway, RetryGuardOptions options) => new(
        "gpt-4o",
        new ApiKeyCredential("sk-test-0123456789abcdefghij"),
        new OpenAIClientOptions
        {
            Endpoint = new Uri("http://gateway.test/v1"),
            Transport = Setup.Transport(gateway),
        }.UseRetryGuard(options));

    [Fact]
    public async Task One_retry_layer_a_503_gets_MaxRetries_plus_one_attempts_not_the_SDK_retries_on_top()
    {
        FakeTimeProvider clock = Setup.Clock();
        ScriptedGateway gateway = new(clock, _ => Reply(503, """{"error":{"message":"overloaded"}}"""));
        ChatClient client = Client(gateway, Setup.Options(clock, maxRetries: 2));

        ClientResultException error = await Assert.ThrowsAsync<ClientResultException>(
            () => Drive.Until(clock, client.CompleteChatAsync(new UserChatMessage("hi")), Step));

        Assert.Equal(503, error.Status);
        // The SDK's ClientRetryPolicy would add 3 retries per RetryGuard attempt: (3 + 1) × (2 + 1) = 12.
        Assert.Equal(3, gateway.Attempts);
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_waited_out_and_the_completion_is_returned()
    {
        WaitWatchingClock clock = new();
        ScriptedGateway gateway = new(clock, n => n == 0 ? Reply(429, BurstBody, ("Retry-After", "5")) : ChatCompletion());
        ChatClient client = Client(gateway, Setup.Options(clock));

        Task<ClientResult<ChatCompletion>> call = client.CompleteChatAsync(new UserChatMessage("hi"));
        await clock.Run(call, TimeSpan.FromSeconds(5));
        ChatCompletion completion = await call;

        Assert.Equal("hello", completion.Content[0].Text);
        Assert.Equal(2, gateway.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(5), gateway.Sent[1].At - gateway.Sent[0].At);
        Assert.Equal(gateway.Sent[0].Body, gateway.Sent[1].Body);
    }

    [Fact]
    public async Task A_daily_cap_is_surfaced_at_once_with_the_reset_time_and_no_key_in_the_message()
    {
        FakeTimeProvider clock = Setup.Clock();
        // A gateway that quotes the caller's key back in its error message.
        ScriptedGateway gateway = new(clock, _ => Reply(429,
            """{"error":{"code":"rate_limit_exceeded","message":"Daily token cap reached for key sk-test-0123456789abcdefghij."}}"""));
        ChatClient client = Client(gateway, Setup.Options(clock));

        DailyTokenCapExceededException error = await Assert.ThrowsAsync<DailyTokenCapExceededException>(
            () => client.CompleteChatAsync(new UserChatMessage("hi")).WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(1, gateway.Attempts);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero), error.ResetsAt);
        Assert.Contains("Daily token cap reached", error.Message);
        Assert.DoesNotContain("0123456789abcdefghij", error.Message);
    }

    [Fact]
    public async Task A_caller_error_reaches_the_caller_as_the_SDK_exception_after_one_attempt()
    {
        FakeTimeProvider clock = Setup.Clock();
        ScriptedGateway gateway = new(clock, _ => Reply(401, """{"error":{"message":"Incorrect API key provided"}}"""));
        ChatClient client = Client(gateway, Setup.Options(clock));

        ClientResultException error = await Assert.ThrowsAsync<ClientResultException>(
            () => client.CompleteChatAsync(new UserChatMessage("hi")).WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(401, error.Status);
        Assert.Equal(1, gateway.Attempts);
    }

    [Fact]
    public async Task The_synchronous_client_call_gets_the_same_single_layer()
    {
        FakeTimeProvider clock = Setup.Clock();
        ScriptedGateway gateway = new(clock, _ => Reply(500));
        ChatClient client = Client(gateway, Setup.Options(clock, maxRetries: 1));

        ClientResultException error = await Assert.ThrowsAsync<ClientResultException>(
            () => Drive.Until(clock, Task.Run(() => client.CompleteChat(new UserChatMessage("hi"))), Step));

        Assert.Equal(500, error.Status);
        Assert.Equal(2, gateway.Attempts);
    }

    [Fact]
    public async Task The_documented_shape_works_through_OpenAIClient_GetChatClient_too()
    {
        FakeTimeProvider clock = Setup.Clock();
        ScriptedGateway gateway = new(clock, n => n == 0 ? Reply(429, BurstBody, ("retry-after-ms", "800")) : ChatCompletion());
        OpenAIClientOptions options = new OpenAIClientOptions
        {
            Endpoint = new Uri("http://gateway.test/v1"),
            Transport = Setup.Transport(gateway),
        }.UseRetryGuard(new RetryGuardOptions
        {
            TimeProvider = clock,
            MaxRetries = 3,
            MaxRetryAfter = TimeSpan.FromSeconds(120),
            FallbackModels = { ["gpt-4o"] = ["gpt-4o-mini"] },
        });
        ChatClient chat = new OpenAIClient(new ApiKeyCredential("sk-test-0123456789abcdefghij"), options).GetChatClient("gpt-4o");
        using CancellationTokenSource cts = new();
        CancellationToken ct = cts.Token;

        ChatCompletion completion = await Drive.Until(clock, chat.CompleteChatAsync([new UserChatMessage("Hello")], cancellationToken: ct), Step);

        Assert.Equal("hello", completion.Content[0].Text);
        Assert.Equal(2, gateway.Attempts);
        Assert.Throws<InvalidOperationException>(() => options.UseRetryGuard(new RetryGuardOptions()));
    }
}
