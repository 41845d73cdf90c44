using RetryGuard;
using RetryGuard.Sample;

// A chat-completions client meets four things a gateway really does. Each scenario runs twice against the same scripted
// fake gateway: once with hand-written retry loops (the code RetryGuard warns about when this sample builds), once
// through RetryGuardHandler. The gateway's log shows what each approach cost.

var settings = GatewaySettings.Load(Path.Combine(AppContext.BaseDirectory, "appsettings.json"));
var outage = TimeSpan.FromMilliseconds(150);
var burstWindow = TimeSpan.FromSeconds(1);

Scenario[] scenarios =
[
    new("Upstream outage: 503 for the first 150 ms, five workers asking at once",
        call => call.At < outage ? GatewayReply.UpstreamUnavailable : GatewayReply.Ok,
        naive => naive.CompleteAsync, Workers: 5),
    new("Burst over the key's requests per minute: 429 with Retry-After for the first second",
        call => call.At < burstWindow ? GatewayReply.OverRequestsPerMinute(burstWindow - call.At) : GatewayReply.Ok,
        naive => naive.CompleteAsync),
    new("A typo in the model slug: 400, which no retry can fix",
        call => call.Model == settings.Model ? GatewayReply.Ok : GatewayReply.ModelNotFound(call.Model),
        naive => naive.CompleteAsync, Model: settings.Model + "-typo"),
    new("The daily token cap: 429 with Retry-After until midnight UTC",
        _ => GatewayReply.DailyTokenCap(DateTime.UtcNow.Date.AddDays(1) - DateTime.UtcNow),
        naive => naive.CompleteHonouringRetryAfterAsync, Patience: TimeSpan.FromSeconds(1)),
];

Console.WriteLine($"RetryGuard sample: asking {settings.Model} at {settings.BaseUrl}, answered by a fake gateway inside this process.");
await WarmUpAsync();

foreach (var scenario in scenarios)
{
    Console.WriteLine();
    Console.WriteLine(scenario.Title);
    await RunAsync(scenario, "hand-written retry loop",
        transport => new HttpClient(transport) { BaseAddress = settings.BaseUrl },
        http => scenario.Naive(new NaiveChatClient(http, settings)));
    await RunAsync(scenario, "RetryGuardHandler",
        transport => GuardedChatClient.CreateHttpClient(settings, transport),
        http => new GuardedChatClient(http, settings).CompleteAsync);
}

// The OpenAI SDK's ChatClient in a hand-written retry loop (SdkChatClient.cs). The gateway's first answer is a 503.
Console.WriteLine();
Console.WriteLine("The OpenAI SDK's ChatClient inside a hand-written retry loop: the first request meets a 503");

// What ApiKeys.Require("API_KEY") reads once RG0004's fix has replaced the key written into SdkChatClient.cs.
Environment.SetEnvironmentVariable("API_KEY", settings.ApiKey);
var sdkRequests = 0;
var sdkGateway = new FakeGateway(_ => Interlocked.Increment(ref sdkRequests) == 1 ? GatewayReply.UpstreamUnavailable : GatewayReply.Ok);
var sdkAnswer = await SdkChatClient.CompleteAsync(settings, sdkGateway, "Summarise ticket #7", CancellationToken.None);
Console.WriteLine($"  OpenAI SDK ChatClient: answered, {Requests(sdkGateway.Log.Count)} to the gateway: {string.Join(", ", sdkGateway.Log.Select(Describe))}");
Console.WriteLine($"      -> {Shorten(sdkAnswer)}");

return 0;

async Task RunAsync(Scenario scenario, string approach, Func<HttpMessageHandler, HttpClient> connect, Func<HttpClient, ChatCall> chooseCall)
{
    var gateway = new FakeGateway(scenario.Script);
    using var http = connect(gateway);
    var call = chooseCall(http);
    using var patience = new CancellationTokenSource(scenario.Patience ?? TimeSpan.FromSeconds(30));

    var outcomes = await Task.WhenAll(Enumerable.Range(1, scenario.Workers).Select(async worker =>
    {
        var request = ChatRequest.Ask(scenario.Model ?? settings.Model, $"Summarise ticket #{worker}", $"worker-{worker}");
        try
        {
            return (Answered: true, Text: await call(request, patience.Token));
        }
        catch (OperationCanceledException) when (patience.IsCancellationRequested)
        {
            return (Answered: false, Text: $"still waiting after {(scenario.Patience ?? TimeSpan.Zero).TotalSeconds:0} s, cancelled");
        }
        catch (Exception exception) when (exception is HttpRequestException or RetryGuardException)
        {
            return (Answered: false, Text: $"{exception.GetType().Name}: {exception.Message}");
        }
    }));

    var log = gateway.Log;
    Console.WriteLine($"  {approach}: {outcomes.Count(outcome => outcome.Answered)} of {scenario.Workers} answered, {Requests(log.Count)} to the gateway");
    for (var worker = 1; worker <= scenario.Workers; worker++)
    {
        var requests = log.Where(entry => entry.Call.User == $"worker-{worker}").Select(Describe);
        Console.WriteLine($"    worker-{worker}: {string.Join(", ", requests)}");
        Console.WriteLine($"      -> {Shorten(outcomes[worker - 1].Text)}");
    }

    var firstRetries = log.GroupBy(entry => entry.Call.User).Select(requests => requests.ElementAtOrDefault(1)?.Call.At).OfType<TimeSpan>().ToList();
    if (firstRetries.Count > 1)
    {
        Console.WriteLine($"    the first retries reached the gateway within {(firstRetries.Max() - firstRetries.Min()).TotalMilliseconds:0} ms of one another");
    }
}

// One untimed request through each kind of client, so that JIT compilation does not skew the first timeline.
async Task WarmUpAsync()
{
    var request = ChatRequest.Ask(settings.Model, "Summarise nothing", "warm-up");
    using (var http = new HttpClient(new FakeGateway(_ => GatewayReply.Ok)) { BaseAddress = settings.BaseUrl })
    {
        await new NaiveChatClient(http, settings).CompleteAsync(request, CancellationToken.None);
    }

    using (var http = GuardedChatClient.CreateHttpClient(settings, new FakeGateway(_ => GatewayReply.Ok)))
    {
        await new GuardedChatClient(http, settings).CompleteAsync(request, CancellationToken.None);
    }
}

static string Describe(GatewayLogEntry entry) =>
    $"{(int)entry.Reply.Status}" +
    (entry.Reply.RetryAfter is { } wait ? $" (Retry-After {Math.Ceiling(wait.TotalSeconds):0} s)" : "") +
    $" at +{entry.Call.At.TotalMilliseconds:0} ms";

static string Requests(int count) => count == 1 ? "1 request" : $"{count} requests";

static string Shorten(string text) => text.Length <= 150 ? text : text[..149] + "…";

/// <summary>What the gateway does, how the hand-written client calls it, how many workers ask, and for how long.</summary>
internal sealed record Scenario(
    string Title,
    Func<GatewayCall, GatewayReply> Script,
    Func<NaiveChatClient, ChatCall> Naive,
    int Workers = 1,
    string? Model = null,
    TimeSpan? Patience = null);
