using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace RetryGuard.Runtime.Tests;

public class SecretsAndIntegrationTests : IClassFixture<Gateway>
{
    private const string CanaryKey = "sk-proj-Zq9Wv4Lk8Tn2Rb6Yc1Hd5Fm3Pj7Qa";
    private const string CanaryQuery = "Xu4Kp8Ws2Nd6Lf0Gh98765";

    private readonly Gateway _gateway;

    public SecretsAndIntegrationTests(Gateway gateway) => _gateway = gateway;

    [Fact]
    public async Task A_canary_key_never_reaches_logs_exceptions_metrics_traces_events_or_ToString()
    {
        CountingClock clock = new();
        Scenario scenario = _gateway.Script(clock, (seen, context) =>
        {
            string echo = $"Incorrect or throttled key {seen.Key} for query {context.Request.QueryString}";
            return context.Request.Query["case"].ToString() switch
            {
                "long" => Replies.Json(context, 429, new { error = new { code = "rate_limit_exceeded", message = echo } }, ("Retry-After", "9999")),
                "cap" => Replies.Json(context, 429, new { error = new { code = "rate_limit_exceeded", message = "Daily token cap reached. " + echo } }),
                "credits" => Replies.Json(context, 402, new { error = new { code = "insufficient_credits", message = echo } }),
                "plain" => Replies.Text(context, 429, echo, ("Retry-After", "9999")),
                _ => Replies.Json(context, 503, new { error = new { message = echo } }),
            };
        });

        string name = Guid.NewGuid().ToString("N");
        ListLogger logger = new();
        List<string> texts = new();
        List<Activity> activities = new();
        using ActivityListener listener = new()
        {
            ShouldListenTo = source => source.Name == "RetryGuard",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) { activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);
        using MetricsRecorder metrics = new(name);
        RetryGuardOptions options = new()
        {
            TimeProvider = clock,
            Name = name,
            MaxRetries = 1,
            OnRetry = i => texts.Add(i.ToString()),
            OnFallback = i => texts.Add(i.ToString()),
        };
        using HttpClient client = new(new RetryGuardHandler(options, new SocketsHttpHandler(), logger)) { BaseAddress = scenario.BaseAddress };

        foreach (string kind in new[] { "long", "credits", "plain", "flaky", "cap" })
        {
            HttpRequestMessage request = new(HttpMethod.Post, $"v1/chat?case={kind}&key={CanaryQuery}")
            {
                Content = new StringContent("""{"model":"gpt-4o"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + CanaryKey);
            request.Headers.TryAddWithoutValidation("x-api-key", CanaryKey);
            try
            {
                using HttpResponseMessage response = await Drive.Until(clock, client.SendAsync(request), TimeSpan.FromMilliseconds(250));
                texts.Add(response.StatusCode.ToString());
            }
            catch (Exception ex)
            {
                texts.Add(ex.ToString());
            }
        }

        texts.Add(options.ToString());
        texts.AddRange(logger.Entries.Select(e => e.Text));
        texts.AddRange(metrics.Measurements.SelectMany(m => m.Tags.Select(t => $"{m.Instrument} {t.Key}={t.Value}")));
        lock (activities)
        {
            texts.AddRange(activities.SelectMany(a => a.TagObjects.Select(t => $"{t.Key}={t.Value}")
                .Concat(a.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name} {t.Key}={t.Value}")))
                .Append(a.DisplayName).Append(a.StatusDescription ?? "")));
        }

        string all = string.Join("\n", texts);
        Assert.Contains("RateLimitExceededException", all);
        Assert.Contains("DailyTokenCapExceededException", all);
        Assert.Contains("InsufficientCreditsException", all);
        Assert.Contains("Server said", all);
        Assert.Contains("Bearer sk-…7Qa", all);
        Assert.DoesNotContain("Zq9Wv4Lk8", all);
        Assert.DoesNotContain("Tn2Rb6Yc1Hd5", all);
        Assert.DoesNotContain("Xu4Kp8Ws", all);
        Assert.Equal(6, scenario.Count); // long, cap, credits, plain: one attempt each; flaky: two (MaxRetries = 1)
    }

    [Fact]
    public async Task AddRetryGuard_binds_configuration_names_the_client_and_serves_through_the_factory()
    {
        CountingClock clock = new();
        Scenario scenario = _gateway.Script(clock, (seen, context) =>
            seen.Model == "gpt-4o" ? Replies.DailyCap(context) : Replies.Ok(context, seen));
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RetryGuard:MaxRetries"] = "2",
            ["RetryGuard:BaseDelay"] = "00:00:00.5",
            ["RetryGuard:MaxRetryAfter"] = "00:01:00",
            ["RetryGuard:RequestsPerMinute"] = "120",
            ["RetryGuard:Headroom"] = "0.5",
            ["RetryGuard:QueueLimit"] = "7",
            ["RetryGuard:AttemptTimeout"] = "00:00:30",
            ["RetryGuard:FallbackModels:gpt-4o:0"] = "gpt-4o-mini",
            ["RetryGuard:FallbackModels:gpt-4o:1"] = "gpt-3.5-turbo",
        }).Build();
        ServiceCollection services = new();
        ListLogger logger = new();
        services.AddSingleton<ILoggerFactory>(new LoggerFactoryOf(logger));
        services.AddHttpClient("llm", c => c.BaseAddress = scenario.BaseAddress)
            .AddRetryGuard(configuration.GetSection("RetryGuard"), o => o.TimeProvider = clock);
        using ServiceProvider provider = services.BuildServiceProvider();

        RetryGuardOptions options = provider.GetRequiredService<IOptionsMonitor<RetryGuardOptions>>().Get("llm");
        Assert.Equal(("llm", 2, TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(1), 120, 0.5, 7, TimeSpan.FromSeconds(30)),
            (options.Name, options.MaxRetries, options.BaseDelay, options.MaxRetryAfter, options.RequestsPerMinute, options.Headroom, options.QueueLimit, options.AttemptTimeout));
        Assert.Equal(new[] { "gpt-4o-mini", "gpt-3.5-turbo" }, options.FallbackModels["GPT-4O"]);
        Assert.Same(clock, options.TimeProvider);

        HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("llm");
        using HttpResponseMessage response = await client.PostAsync("v1/chat/completions",
            new StringContent("""{"model":"gpt-4o"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gpt-4o-mini", response.Headers.GetValues(RetryGuardHandler.ServedModelHeader).Single());
        Assert.Contains(logger.Entries, e => e.Id.Name == "Fallback" && e.Text.Contains("llm"));
    }

    [Fact]
    public void AddRetryGuard_rejects_invalid_configuration_with_the_fix_in_the_message()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Headroom"] = "1.5",
        }).Build();
        ServiceCollection services = new();
        services.AddHttpClient("bad").AddRetryGuard(configuration);
        using ServiceProvider provider = services.BuildServiceProvider();

        ArgumentException error = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("bad"));
        Assert.Contains("Headroom is 1.5", error.Message);
    }

    [Fact]
    public async Task The_handlers_of_one_named_client_share_one_limiter()
    {
        CountingClock clock = new();
        Scenario scenario = _gateway.Script(clock, (seen, context) => Replies.Ok(context, seen));
        ServiceCollection services = new();
        services.AddHttpClient("shared", c => c.BaseAddress = scenario.BaseAddress)
            .AddRetryGuard(o =>
            {
                o.TimeProvider = clock;
                o.RequestsPerMinute = 2;
                o.Headroom = 0.5;
                o.QueueLimit = 0;
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        using ServiceProvider provider = services.BuildServiceProvider();

        // Build the client's handler chain twice, as the factory does when it rotates handlers.
        HttpClientFactoryOptions factoryOptions = provider.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>().Get("shared");
        HttpMessageHandler Chain()
        {
            HttpMessageHandlerBuilder builder = provider.GetRequiredService<HttpMessageHandlerBuilder>();
            builder.Name = "shared";
            foreach (Action<HttpMessageHandlerBuilder> action in factoryOptions.HttpMessageHandlerBuilderActions)
            {
                action(builder);
            }

            return builder.Build();
        }

        using HttpClient first = new(Chain()) { BaseAddress = scenario.BaseAddress };
        using HttpClient second = new(Chain()) { BaseAddress = scenario.BaseAddress };
        Assert.NotSame(GetRetryGuard(first), GetRetryGuard(second));
        Assert.Same(GetRetryGuard(first).Pipeline, GetRetryGuard(second).Pipeline);

        // One bucket for both: 2 RPM at 0.5 allows one request, and the queue is 0.
        (await first.GetAsync("a")).Dispose();
        await Assert.ThrowsAsync<RateLimiterQueueFullException>(() => second.GetAsync("b"));
        Assert.Equal(1, scenario.Count);
    }

    private static RetryGuardHandler GetRetryGuard(HttpClient client)
    {
        System.Reflection.FieldInfo field = typeof(HttpMessageInvoker).GetField("_handler", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        for (HttpMessageHandler? current = (HttpMessageHandler?)field.GetValue(client); current is DelegatingHandler delegating; current = delegating.InnerHandler)
        {
            if (delegating is RetryGuardHandler guard)
            {
                return guard;
            }
        }

        throw new InvalidOperationException("No RetryGuardHandler in the chain.");
    }
}
