using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RetryStorm;

/// <summary>The simulator's rules, identical for every strategy. Times are world times (see <see cref="WorldClock"/>).</summary>
public sealed record GatewayRules
{
    /// <summary>Requests per minute per key, over a sliding 60-second window of accepted requests.</summary>
    public int RequestsPerMinute { get; init; } = 600;

    /// <summary>Time a successful completion takes on the server.</summary>
    public TimeSpan ServiceTime { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Share of request ids that are malformed (answered 400 on every attempt).</summary>
    public double CallerErrorShare { get; init; } = 0.02;

    /// <summary>Upstream trouble: inside these windows (from the phase start) a share of attempts get 503.</summary>
    public (TimeSpan Start, TimeSpan Length)[] Bursts { get; init; } =
    [
        (TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5)),
        (TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(5)),
    ];

    public double BurstFailureShare { get; init; } = 0.5;

    /// <summary>When the key's daily token cap is reached (from the phase start); every request fails from then on.</summary>
    public TimeSpan DailyCapAt { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>World time of day when a phase starts: Retry-After of the daily cap counts down to the next midnight.</summary>
    public TimeSpan PhaseStartsAtTimeOfDay { get; init; } = TimeSpan.FromHours(21);

    public int Seed { get; init; } = 42;
}

/// <summary>What the gateway saw of one strategy's key during its phase. All times are real stopwatch times.</summary>
public sealed class KeyLedger
{
    public readonly object Gate = new();
    public readonly Queue<TimeSpan> Window = new();
    public readonly Dictionary<int, int> AttemptsById = new();
    public readonly Dictionary<int, TimeSpan> NotBeforeById = new();
    public readonly HashSet<int> CallerErrorIds = new();
    public readonly Dictionary<int, TimeSpan> FirstDailyCapById = new();
    public readonly List<TimeSpan> SuccessTimes = new();

    public WorldClock Clock = null!;
    public int Attempts;
    public int AttemptsBeforeCap;
    public int Successes;
    public int RateLimited;
    public int DailyCapped;
    public int ServerErrors;
    public int CallerErrors;
    public int EarlyRetries;
    public int CallerErrorRetries;
}

/// <summary>
/// A loopback LLM gateway on Kestrel (127.0.0.1, port 0): per-key RPM with Retry-After, 503 bursts, caller errors and
/// a daily token cap, with the bookkeeping the shoot-out reports.
/// </summary>
public sealed class Gateway : IAsyncDisposable
{
    public const string RequestIdHeader = "x-storm-request";

    /// <summary>Timers may fire a millisecond or so before their due time; a retry that early is not counted as early.</summary>
    public static readonly TimeSpan EarlyTolerance = TimeSpan.FromMilliseconds(2);

    private const string RpmBody = """{"error":{"code":"rate_limit_exceeded","message":"Rate limit reached for requests per minute. Please try again later."}}""";
    private const string DailyCapBody = """{"error":{"code":"rate_limit_exceeded","message":"Daily token cap reached"}}""";
    private const string CallerErrorBody = """{"error":{"code":"invalid_request_error","message":"'messages' must be a non-empty array"}}""";
    private const string UpstreamBody = """{"error":{"code":"upstream_unavailable","message":"The upstream provider is temporarily unavailable"}}""";
    private const string CompletionBody = """{"id":"chatcmpl-storm","object":"chat.completion","created":1767225600,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14}}""";

    private readonly WebApplication _app;
    private readonly GatewayRules _rules;
    private readonly Dictionary<string, KeyLedger> _keys = new(StringComparer.Ordinal);

    private Gateway(WebApplication app, GatewayRules rules)
    {
        _app = app;
        _rules = rules;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<Gateway> StartAsync(GatewayRules rules)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        Gateway gateway = new(app, rules);
        app.MapPost("/v1/chat/completions", gateway.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        gateway.BaseAddress = new Uri(address.TrimEnd('/') + "/v1/");
        return gateway;
    }

    /// <summary>Opens a key for one strategy's phase; its world time starts now.</summary>
    public KeyLedger OpenKey(string key, WorldClock clock)
    {
        KeyLedger ledger = new() { Clock = clock };
        lock (_keys)
        {
            _keys[key] = ledger;
        }

        return ledger;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A deterministic number in [0, 1) for (seed, a, b).</summary>
    public static double Hash(int seed, int a, int b)
    {
        ulong x = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)a * 0xBF58476D1CE4E5B9UL ^ (ulong)(uint)b * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        x *= 0xD6E8FEB86659FD93UL;
        x ^= x >> 32;
        return (x >> 11) * (1.0 / (1UL << 53));
    }

    private async Task HandleAsync(HttpContext context)
    {
        // Drain the body like a real server would.
        await context.Request.Body.CopyToAsync(Stream.Null).ConfigureAwait(false);
        string auth = context.Request.Headers.Authorization.ToString();
        string key = auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : auth;
        KeyLedger? ledger;
        lock (_keys)
        {
            _keys.TryGetValue(key, out ledger);
        }

        if (ledger is null || !int.TryParse(context.Request.Headers[RequestIdHeader], NumberStyles.None, CultureInfo.InvariantCulture, out int id))
        {
            context.Response.StatusCode = 401;
            return;
        }

        int status;
        int retryAfterSeconds = 0;
        string body;
        lock (ledger.Gate)
        {
            WorldClock clock = ledger.Clock;
            TimeSpan real = clock.RealElapsed;
            TimeSpan world = real * clock.Scale;
            int attempt = ledger.AttemptsById.TryGetValue(id, out int seen) ? seen + 1 : 1;
            ledger.AttemptsById[id] = attempt;
            ledger.Attempts++;
            if (ledger.CallerErrorIds.Contains(id))
            {
                ledger.CallerErrorRetries++;
            }

            // Early means earlier than the stated time by more than the 2 ms (real) a timer may fire ahead of its due time.
            if (ledger.NotBeforeById.TryGetValue(id, out TimeSpan notBefore) && real < notBefore - EarlyTolerance)
            {
                ledger.EarlyRetries++;
            }

            if (world >= _rules.DailyCapAt)
            {
                ledger.DailyCapped++;
                ledger.FirstDailyCapById.TryAdd(id, real);
                TimeSpan timeOfDay = _rules.PhaseStartsAtTimeOfDay + world;
                retryAfterSeconds = (int)Math.Ceiling((TimeSpan.FromDays(1) - timeOfDay).TotalSeconds);
                status = 429;
                body = DailyCapBody;
            }
            else
            {
                ledger.AttemptsBeforeCap++;
                TimeSpan minute = TimeSpan.FromMinutes(1);
                while (ledger.Window.Count > 0 && ledger.Window.Peek() <= world - minute)
                {
                    ledger.Window.Dequeue();
                }

                if (ledger.Window.Count >= _rules.RequestsPerMinute)
                {
                    ledger.RateLimited++;
                    TimeSpan frees = ledger.Window.Peek() + minute - world;
                    retryAfterSeconds = Math.Max(1, (int)Math.Ceiling(frees.TotalSeconds));
                    status = 429;
                    body = RpmBody;
                }
                else
                {
                    ledger.Window.Enqueue(world);
                    if (Hash(_rules.Seed, id, 0) < _rules.CallerErrorShare)
                    {
                        ledger.CallerErrors++;
                        ledger.CallerErrorIds.Add(id);
                        status = 400;
                        body = CallerErrorBody;
                    }
                    else if (InBurst(world) && Hash(_rules.Seed, id, attempt) < _rules.BurstFailureShare)
                    {
                        ledger.ServerErrors++;
                        status = 503;
                        body = UpstreamBody;
                    }
                    else
                    {
                        ledger.Successes++;
                        ledger.SuccessTimes.Add(world);
                        status = 200;
                        body = CompletionBody;
                    }
                }
            }

            if (retryAfterSeconds > 0)
            {
                // The request may come back once the stated time has passed (in real time on this clock).
                ledger.NotBeforeById[id] = real + clock.ToReal(TimeSpan.FromSeconds(retryAfterSeconds));
            }
        }

        if (status == 200)
        {
            await Task.Delay(ledger.Clock.ToReal(_rules.ServiceTime)).ConfigureAwait(false);
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (retryAfterSeconds > 0)
        {
            context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        await context.Response.WriteAsync(body).ConfigureAwait(false);
    }

    private bool InBurst(TimeSpan world)
    {
        foreach ((TimeSpan start, TimeSpan length) in _rules.Bursts)
        {
            if (world >= start && world < start + length)
            {
                return true;
            }
        }

        return false;
    }
}
