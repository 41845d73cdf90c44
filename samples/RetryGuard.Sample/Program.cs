using RetryGuard.Sample;

// Five workers ask the gateway for a completion at the same moment, while its upstream provider is briefly down.
// The same retry loop runs twice: once with plain exponential backoff, once with RetryGuard's jittered backoff.
// The fake gateway prints when each request arrived, which is what the server side of a stampede sees.

const int Workers = 5;
var outage = TimeSpan.FromMilliseconds(150);
var settings = GatewaySettings.Load(Path.Combine(AppContext.BaseDirectory, "appsettings.json"));

Console.WriteLine($"{Workers} workers ask {settings.Model} at {settings.BaseUrl} for a summary at the same moment.");
Console.WriteLine($"The gateway is a fake inside this process; its upstream is down (503) for the first {outage.TotalMilliseconds:0} ms.");

var failed = 0;
failed += await RunAsync("Hand-written retry, exponential backoff without jitter (RG0001)",
    http => new NaiveChatClient(http, settings));
failed += await RunAsync("The same retry with RetryGuard's Backoff.Exponential (full jitter)",
    http => new JitteredChatClient(http, settings));
return failed == 0 ? 0 : 1;

async Task<int> RunAsync(string title, Func<HttpClient, IChatClient> createClient)
{
    // One untimed request through the same kind of client first, so that JIT compilation does not skew the timeline.
    using (var warmUp = new HttpClient(new FakeGateway(TimeSpan.Zero)) { BaseAddress = settings.BaseUrl })
    {
        await createClient(warmUp).CompleteAsync("Summarise nothing", "warm-up", CancellationToken.None);
    }

    var gateway = new FakeGateway(outage);
    using var http = new HttpClient(gateway) { BaseAddress = settings.BaseUrl };
    var client = createClient(http);
    using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

    var answers = await Task.WhenAll(Enumerable.Range(1, Workers).Select(async worker =>
    {
        try
        {
            return await client.CompleteAsync($"Summarise ticket #{worker}", $"worker-{worker}", deadline.Token);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
        {
            Console.WriteLine($"  worker-{worker} gave up: {exception.Message}");
            return null;
        }
    }));

    Console.WriteLine();
    Console.WriteLine(title);
    var byWorker = gateway.Requests.GroupBy(request => request.User).OrderBy(group => group.Key, StringComparer.Ordinal).ToList();
    foreach (var requests in byWorker)
    {
        Console.WriteLine($"  {requests.Key}: " + string.Join(", ", requests.Select(request => $"{(int)request.Status} at +{request.At.TotalMilliseconds:0} ms")));
    }

    var firstRetries = byWorker.Select(requests => requests.ElementAtOrDefault(1)).OfType<GatewayRequest>().Select(request => request.At).ToList();
    if (firstRetries.Count > 1)
    {
        Console.WriteLine($"  The first retries reached the gateway within {(firstRetries.Max() - firstRetries.Min()).TotalMilliseconds:0} ms of one another.");
    }

    var answered = answers.Count(answer => answer is not null);
    Console.WriteLine($"  {answered} of {Workers} workers got an answer ({answers.FirstOrDefault(answer => answer is not null)} …) with {gateway.Requests.Count} requests.");
    return Workers - answered;
}
