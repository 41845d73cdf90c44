using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace RetryGuard.ClientModel.Tests;

/// <summary>
/// A scripted LLM gateway behind the real <see cref="HttpClientPipelineTransport"/>: each attempt gets the reply the
/// script gives for its number (0-based), and the gateway records when (on the fake clock) and what was sent.
/// </summary>
public sealed class ScriptedGateway : HttpMessageHandler
{
    public const string DailyCapBody =
        """{"error":{"code":"rate_limit_exceeded","message":"Daily token cap reached for gpt-4o. Resets at midnight UTC."}}""";

    public const string BurstBody =
        """{"error":{"code":"rate_limit_exceeded","message":"Rate limit reached for requests. Please try again shortly."}}""";

    public const string QuotaBody =
        """{"error":{"type":"insufficient_quota","code":"insufficient_quota","message":"You exceeded your current quota."}}""";

    private readonly TimeProvider _clock;
    private readonly Func<int, HttpRequestMessage, HttpResponseMessage> _script;
    private readonly List<(DateTimeOffset At, string? Body)> _sent = new();
    private readonly object _gate = new();

    public ScriptedGateway(TimeProvider clock, Func<int, HttpRequestMessage, HttpResponseMessage> script)
    {
        _clock = clock;
        _script = script;
    }

    public ScriptedGateway(TimeProvider clock, Func<int, HttpResponseMessage> script)
        : this(clock, (n, _) => script(n))
    {
    }

    public int Attempts
    {
        get
        {
            lock (_gate)
            {
                return _sent.Count;
            }
        }
    }

    public IReadOnlyList<(DateTimeOffset At, string? Body)> Sent
    {
        get
        {
            lock (_gate)
            {
                return _sent.ToList();
            }
        }
    }

    /// <summary>Called (on the sending thread) after each attempt is recorded.</summary>
    public Action<int>? OnAttempt { get; set; }

    public static HttpResponseMessage Reply(int status, string? body = null, params (string Name, string Value)[] headers)
    {
        HttpResponseMessage response = new((HttpStatusCode)status)
        {
            Content = new StringContent(body ?? string.Empty, Encoding.UTF8, "application/json"),
        };
        foreach ((string name, string value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    public static HttpResponseMessage ChatCompletion(string model = "gpt-4o") => Reply(200,
        $$$"""{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"{{{model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}""");

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Record(request, request.Content?.ReadAsStringAsync(cancellationToken).GetAwaiter().GetResult());

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Record(request, request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken));

    private HttpResponseMessage Record(HttpRequestMessage request, string? body)
    {
        int n;
        lock (_gate)
        {
            n = _sent.Count;
            _sent.Add((_clock.GetUtcNow(), body));
        }

        OnAttempt?.Invoke(n);
        return _script(n, request);
    }
}

/// <summary>Pipelines and options the tests share.</summary>
public static class Setup
{
    public static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    public static RetryGuardOptions Options(TimeProvider clock, int maxRetries = 3) => new()
    {
        TimeProvider = clock,
        MaxRetries = maxRetries,
        Random = new Random(7),
    };

    public static HttpClientPipelineTransport Transport(ScriptedGateway gateway) => new(new HttpClient(gateway));

    /// <summary>A real <see cref="ClientPipeline"/> whose retry layer is RetryGuard and whose transport reaches the gateway.</summary>
    public static ClientPipeline Pipeline(ScriptedGateway gateway, RetryGuardOptions options)
    {
        ClientPipelineOptions pipelineOptions = new ClientPipelineOptions { Transport = Transport(gateway) }.UseRetryGuard(options);
        return ClientPipeline.Create(pipelineOptions, ReadOnlySpan<PipelinePolicy>.Empty, ReadOnlySpan<PipelinePolicy>.Empty,
            ReadOnlySpan<PipelinePolicy>.Empty);
    }

    public static PipelineMessage Message(ClientPipeline pipeline, string body = """{"model":"gpt-4o","messages":[]}""",
        CancellationToken cancellationToken = default, bool buffer = true)
    {
        PipelineMessage message = pipeline.CreateMessage();
        message.Request.Method = "POST";
        message.Request.Uri = new Uri("http://gateway.test/v1/chat/completions");
        message.Request.Headers.Set("Content-Type", "application/json");
        message.Request.Headers.Set("Authorization", "Bearer sk-test-0123456789abcdefghij");
        message.Request.Content = BinaryContent.Create(BinaryData.FromString(body));
        message.BufferResponse = buffer;
        message.Apply(new RequestOptions { CancellationToken = cancellationToken });
        return message;
    }
}

/// <summary>Moves the fake clock while work waits for it; the work's own timers decide when it goes on.</summary>
public static class Drive
{
    public static async Task<T> Until<T>(FakeTimeProvider clock, Task<T> work, TimeSpan step)
    {
        await Until(clock, (Task)work, step);
        return await work;
    }

    public static async Task Until(FakeTimeProvider clock, Task work, TimeSpan step)
    {
        // A bound on the loop, not on the policy: a hung test fails instead of hanging the run.
        for (int i = 0; i < 20_000 && !work.IsCompleted; i++)
        {
            await Task.WhenAny(work, Task.Delay(1));
            if (!work.IsCompleted)
            {
                clock.Advance(step);
            }
        }

        Assert.True(work.IsCompleted, "the work did not finish while the fake clock advanced");
        await work;
    }
}

/// <summary>
/// A fake clock that counts the timers started on it, so a test can move time exactly when the policy has begun a
/// wait, by exactly the wait: a re-send then happens at t0 + wait on the dot, which proves "never earlier" and
/// "not later" at once.
/// </summary>
public sealed class WaitWatchingClock : TimeProvider
{
    private int _timers;

    public FakeTimeProvider Fake { get; } = Setup.Clock();

    public int TimersStarted => Volatile.Read(ref _timers);

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = Fake.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timers);
        return timer;
    }

    /// <summary>
    /// Runs <paramref name="work"/>; each time it starts a wait, moves the clock by exactly <paramref name="waits"/>'s
    /// next entry (what the test expects the policy to wait).
    /// </summary>
    public async Task Run(Task work, params TimeSpan[] waits)
    {
        int seen = 0;
        foreach (TimeSpan wait in waits)
        {
            for (int i = 0; i < 5_000 && TimersStarted == seen && !work.IsCompleted; i++)
            {
                await Task.WhenAny(work, Task.Delay(1));
            }

            Assert.False(work.IsCompleted, $"the work ended before wait {seen + 1} ({wait})");
            Assert.True(TimersStarted > seen, $"the policy started no wait {seen + 1} ({wait})");
            seen = TimersStarted;
            Fake.Advance(wait);
        }

        await work.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
