using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using OpenAI;
using OpenAI.Chat;
using Polly;
using Polly.Retry;
using RetryGuard;

namespace RetryStorm;

/// <summary>How one caller's call ended.</summary>
public enum Outcome
{
    Success,
    DailyCap,
    Failed,
    Cancelled,
}

/// <summary>One retry strategy, driven by every client of a phase at once (one HttpClient, one key, as one service would).</summary>
public abstract class Strategy : IDisposable
{
    private static readonly byte[] Body =
        """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello in one word."}],"max_tokens":16}"""u8.ToArray();

    protected Strategy(string name, string key, Uri baseAddress, WorldClock clock, int seed)
    {
        Name = name;
        Key = key;
        BaseAddress = baseAddress;
        Clock = clock;
        Seed = seed;
    }

    public string Name { get; }

    public string Key { get; }

    protected Uri BaseAddress { get; }

    protected WorldClock Clock { get; }

    protected int Seed { get; }

    protected static ReadOnlyMemory<byte> RequestBody => Body;

    public abstract Task<Outcome> CallAsync(int id, CancellationToken cancellationToken);

    public virtual void Dispose()
    {
    }

    protected HttpRequestMessage NewRequest(int id)
    {
        HttpRequestMessage request = new(HttpMethod.Post, new Uri(BaseAddress, "chat/completions"));
        ByteArrayContent content = new(Body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Content = content;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        request.Headers.Add(Gateway.RequestIdHeader, id.ToString(CultureInfo.InvariantCulture));
        return request;
    }

    protected static HttpClient NewHttpClient(HttpMessageHandler handler) => new(handler) { Timeout = Timeout.InfiniteTimeSpan };

    protected static SocketsHttpHandler NewTransport() => new() { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };

    protected static async Task<Outcome> JudgeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                return Outcome.Success;
            }

            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return IsDailyCap((int)response.StatusCode, body) ? Outcome.DailyCap : Outcome.Failed;
        }
    }

    protected static bool IsDailyCap(int status, string? body) =>
        status == 429 && body is not null && body.Contains("Daily token cap", StringComparison.Ordinal);

    /// <summary>A seeded, thread-safe source of [0, 1) for the policies that take one.</summary>
    protected Func<double> SeededRandom()
    {
        Random random = new(Seed);
        return () =>
        {
            lock (random)
            {
                return random.NextDouble();
            }
        };
    }
}

/// <summary>
/// What the analyzer flags (RG0001, RG0002, RG0003): retry any non-success up to 5 times, waiting 1, 2, 4, 8, 16 s
/// without jitter and without reading Retry-After.
/// </summary>
public sealed class NaiveStrategy : Strategy
{
    private readonly HttpClient _http;

    public NaiveStrategy(Uri baseAddress, WorldClock clock, int seed)
        : base("Naive exponential, no jitter", "sk-storm-naive", baseAddress, clock, seed) => _http = NewHttpClient(NewTransport());

    public override async Task<Outcome> CallAsync(int id, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            using HttpRequestMessage request = NewRequest(id);
            HttpResponseMessage response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode || attempt >= 5)
            {
                return await JudgeAsync(response, cancellationToken).ConfigureAwait(false);
            }

            response.Dispose();
            await Task.Delay(TimeSpan.FromSeconds(Math.Pow(2, attempt)), Clock, cancellationToken).ConfigureAwait(false);
        }
    }

    public override void Dispose() => _http.Dispose();
}

/// <summary>
/// Polly v8 retry as its documentation shows it for HTTP: exponential backoff with jitter over transient statuses and
/// 429, defaults otherwise (3 retries, 2 s base delay), no Retry-After.
/// </summary>
public sealed class PollyStrategy : Strategy
{
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public PollyStrategy(Uri baseAddress, WorldClock clock, int seed)
        : base("Polly v8 retry (jitter, no Retry-After)", "sk-storm-polly", baseAddress, clock, seed)
    {
        _http = NewHttpClient(NewTransport());
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .HandleResult(r => r.StatusCode == HttpStatusCode.TooManyRequests || (int)r.StatusCode >= 500),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Randomizer = SeededRandom(),
            })
            .Build();
    }

    public override async Task<Outcome> CallAsync(int id, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await _pipeline.ExecuteAsync(
            async token =>
            {
                using HttpRequestMessage request = NewRequest(id);
                return await _http.SendAsync(request, token).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return await JudgeAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose() => _http.Dispose();
}

/// <summary>
/// Microsoft.Extensions.Http.Resilience's standard handler with its defaults (rate limiter, 30 s total timeout, retry
/// with jitter and Retry-After, circuit breaker, 10 s attempt timeout), built by IHttpClientFactory. The world clock is
/// the container's TimeProvider, which the resilience pipelines use for every wait.
/// </summary>
public sealed class StandardStrategy : Strategy
{
    private readonly ServiceProvider _services;
    private readonly HttpClient _http;

    public StandardStrategy(Uri baseAddress, WorldClock clock, int seed)
        : base("Standard resilience handler", "sk-storm-standard", baseAddress, clock, seed)
    {
        ServiceCollection services = new();
        services.AddSingleton<TimeProvider>(clock);
        services.AddHttpClient("storm", c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(NewTransport)
            .RemoveAllLoggers()
            .AddStandardResilienceHandler();
        _services = services.BuildServiceProvider();
        _http = _services.GetRequiredService<IHttpClientFactory>().CreateClient("storm");
    }

    public override async Task<Outcome> CallAsync(int id, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = NewRequest(id);
        HttpResponseMessage response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await JudgeAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _http.Dispose();
        _services.Dispose();
    }
}

/// <summary>
/// The OpenAI SDK's ChatClient (protocol method, so the raw JSON of every strategy is the same) with its own retry
/// policy: System.ClientModel's ClientRetryPolicy with its default of 3 retries, which honours retry-after-ms and
/// Retry-After. Only the clock of its waits is the world clock.
/// </summary>
public sealed class OpenAiSdkStrategy : Strategy
{
    private readonly HttpClient _http;
    private readonly ChatClient _chat;

    public OpenAiSdkStrategy(Uri baseAddress, WorldClock clock, int seed)
        : base("OpenAI SDK (ClientRetryPolicy)", "sk-storm-openai", baseAddress, clock, seed)
    {
        _http = NewHttpClient(NewTransport());
        OpenAIClientOptions options = new()
        {
            Endpoint = baseAddress,
            RetryPolicy = new WorldClockRetryPolicy(clock),
            Transport = new HttpClientPipelineTransport(_http),
        };
        _chat = new ChatClient("gpt-4o-mini", new ApiKeyCredential(Key), options);
    }

    public override async Task<Outcome> CallAsync(int id, CancellationToken cancellationToken)
    {
        RequestOptions options = new() { ErrorOptions = ClientErrorBehaviors.NoThrow, CancellationToken = cancellationToken };
        options.AddHeader(Gateway.RequestIdHeader, id.ToString(CultureInfo.InvariantCulture));
        ClientResult result = await _chat.CompleteChatAsync(BinaryContent.Create(BinaryData.FromBytes(RequestBody)), options).ConfigureAwait(false);
        PipelineResponse response = result.GetRawResponse();
        if (response.Status is >= 200 and < 300)
        {
            return Outcome.Success;
        }

        return IsDailyCap(response.Status, response.Content.ToString()) ? Outcome.DailyCap : Outcome.Failed;
    }

    public override void Dispose() => _http.Dispose();

    /// <summary>ClientRetryPolicy unchanged (default retry count, delays, Retry-After handling) except the clock it waits on.</summary>
    private sealed class WorldClockRetryPolicy : ClientRetryPolicy
    {
        private readonly WorldClock _clock;

        public WorldClockRetryPolicy(WorldClock clock)
            : base(maxRetries: 3) => _clock = clock;

        protected override Task WaitAsync(TimeSpan time, CancellationToken cancellationToken) =>
            Task.Delay(time, _clock, cancellationToken);

        protected override void Wait(TimeSpan time, CancellationToken cancellationToken) =>
            Task.Delay(time, _clock, cancellationToken).GetAwaiter().GetResult();
    }
}

/// <summary>RetryGuard's handler with the key's RPM set, so its token bucket runs at 80 % (the default headroom).</summary>
public sealed class RetryGuardStrategy : Strategy
{
    private readonly HttpClient _http;

    public RetryGuardStrategy(Uri baseAddress, WorldClock clock, int seed, int requestsPerMinute)
        : base("RetryGuard (bucket at 80 % of RPM)", "sk-storm-retryguard", baseAddress, clock, seed)
    {
        RetryGuardOptions options = new()
        {
            RequestsPerMinute = requestsPerMinute,
            TimeProvider = clock,
            Random = new Random(seed),
            Name = "storm",
        };
        _http = NewHttpClient(new RetryGuardHandler(options, NewTransport()));
    }

    public override async Task<Outcome> CallAsync(int id, CancellationToken cancellationToken)
    {
        try
        {
            using HttpRequestMessage request = NewRequest(id);
            HttpResponseMessage response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return await JudgeAsync(response, cancellationToken).ConfigureAwait(false);
        }
        catch (DailyTokenCapExceededException)
        {
            return Outcome.DailyCap;
        }
    }

    public override void Dispose() => _http.Dispose();
}
