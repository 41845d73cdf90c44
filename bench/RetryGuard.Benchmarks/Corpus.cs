using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace RetryGuard.Benchmarks;

/// <summary>
/// A generated C# code base for the analyzer benchmark: thousands of files of ordinary application code (records,
/// services, LINQ, string work, switch statements, loops over collections, single HTTP calls, polling and batch loops),
/// and, in every third file, one of the retry shapes the rules know (for/while/do/foreach retries, goto, recursion,
/// catch-and-retry, Retry-After reads, jittered and unjittered delays, caller-error status sets, unbounded loops).
/// Deterministic: the same arguments give the same text.
/// </summary>
public static class Corpus
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Globalization;
        using System.Linq;
        using System.Net;
        using System.Net.Http;
        using System.Text;
        using System.Threading;
        using System.Threading.Tasks;
        using System.ClientModel;
        using Microsoft.Extensions.Http.Resilience;
        using OpenAI.Chat;
        using Polly;
        using Polly.Retry;

        """;

    /// <summary>Parsed files and their total line count.</summary>
    public sealed record Files(IReadOnlyList<SyntaxTree> Trees, int Lines, int RetryShapes);

    public static Files Build(int fileCount)
    {
        CSharpParseOptions parse = new(LanguageVersion.Latest);
        List<SyntaxTree> trees = new(fileCount);
        int lines = 0;
        int shapes = 0;
        for (int i = 0; i < fileCount; i++)
        {
            string text = File(i, out bool hasShape);
            shapes += hasShape ? 1 : 0;
            lines += CountLines(text);
            trees.Add(CSharpSyntaxTree.ParseText(text, parse, path: $"Corpus/File{i:D5}.cs", encoding: Encoding.UTF8));
        }

        return new Files(trees, lines, shapes);
    }

    public static string File(int i, out bool hasShape)
    {
        StringBuilder text = new(Usings);
        text.Append(Ordinary(i));
        hasShape = i % 3 == 0;
        if (hasShape)
        {
            text.Append(Shape(i / 3, i));
        }

        return text.ToString();
    }

    private static int CountLines(string text)
    {
        int count = 1;
        foreach (char c in text)
        {
            if (c == '\n')
            {
                count++;
            }
        }

        return count;
    }

    private static string N(int i) => i.ToString(CultureInfo.InvariantCulture);

    /// <summary>About 75 lines of code that has nothing to do with retries (a few loops, awaits and delays included).</summary>
    private static string Ordinary(int i) => $$"""
        namespace Corpus.Area{{N(i / 100)}}
        {
            public sealed record Order{{N(i)}}(int Id, string Customer, decimal Amount, DateTime Placed);

            public enum Stage{{N(i)}} { Draft, Submitted, Approved, Shipped, Closed }

            public sealed class Service{{N(i)}}
            {
                private readonly Dictionary<int, Order{{N(i)}}> _orders = new();
                private readonly HttpClient _http;
                private int _version;

                public Service{{N(i)}}(HttpClient http) => _http = http;

                public string Name { get; set; } = "service-{{N(i)}}";

                public int Count => _orders.Count;

                public void Add(Order{{N(i)}} order)
                {
                    if (order.Amount < 0) throw new ArgumentOutOfRangeException(nameof(order));
                    _orders[order.Id] = order;
                    _version++;
                }

                public decimal Total(string customer) =>
                    _orders.Values.Where(o => o.Customer == customer).Sum(o => o.Amount);

                public IReadOnlyList<string> TopCustomers(int take) => _orders.Values
                    .GroupBy(o => o.Customer)
                    .OrderByDescending(g => g.Sum(o => o.Amount))
                    .Take(take)
                    .Select(g => g.Key)
                    .ToList();

                public static string Describe(Stage{{N(i)}} stage) => stage switch
                {
                    Stage{{N(i)}}.Draft => "draft",
                    Stage{{N(i)}}.Submitted => "submitted",
                    Stage{{N(i)}}.Approved => "approved",
                    _ => stage.ToString().ToLowerInvariant(),
                };

                public string Report()
                {
                    var text = new StringBuilder();
                    foreach (var order in _orders.Values.OrderBy(o => o.Placed))
                    {
                        text.Append(order.Id.ToString(CultureInfo.InvariantCulture)).Append(';')
                            .Append(order.Customer).Append(';')
                            .AppendLine(order.Amount.ToString("F2", CultureInfo.InvariantCulture));
                    }
                    return text.ToString();
                }

                public int Checksum(string input)
                {
                    int hash = 17, index = 0;
                    while (index < input.Length)
                    {
                        hash = unchecked(hash * 31 + input[index]);
                        index++;
                    }
                    return hash ^ _version;
                }

                public async Task<string> FetchOnceAsync(string path, CancellationToken cancellationToken)
                {
                    using var response = await _http.GetAsync(path, cancellationToken);
                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync(cancellationToken);
                }

                public async Task<HttpResponseMessage> PollAsync(string location, CancellationToken cancellationToken)
                {
                    while (true)
                    {
                        var response = await _http.GetAsync(location, cancellationToken);
                        if (response.StatusCode == HttpStatusCode.Accepted)
                        {
                            await Task.Delay(2000, cancellationToken);
                            continue;
                        }
                        return response;
                    }
                }

                public async Task SendAllAsync(string[] prompts)
                {
                    foreach (var prompt in prompts)
                    {
                        var response = await _http.PostAsync("/v1/completions", new StringContent(prompt));
                        if (!response.IsSuccessStatusCode) Console.WriteLine("failed: " + prompt);
                        await Task.Delay(100);
                    }
                }
            }
        }

        """;

    /// <summary>One retry shape per call, rotating through every shape the rules know (flagged and clean ones).</summary>
    private static string Shape(int which, int i)
    {
        string body = (which % 18) switch
        {
            // RG0001 + RG0003: fixed exponential delay without jitter, 429 in the status set.
            0 => """
                async Task<HttpResponseMessage> Send(HttpClient http)
                {
                    for (int attempt = 0; attempt < 5; attempt++)
                    {
                        var response = await http.GetAsync("/v1/models");
                        if (response.IsSuccessStatusCode) return response;
                        await Task.Delay(1000 * (1 << attempt));
                    }
                    throw new HttpRequestException("gave up");
                }
                """,

            // Clean: jitter, transient statuses only, Retry-After honoured with a cap.
            1 => """
                async Task<HttpResponseMessage> Send(HttpClient http)
                {
                    for (int attempt = 0; attempt < 5; attempt++)
                    {
                        var response = await http.GetAsync("/v1/models");
                        if ((int)response.StatusCode < 500 && response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                        var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(Random.Shared.Next(1000 << attempt));
                        await Task.Delay(wait < TimeSpan.FromSeconds(60) ? wait : TimeSpan.FromSeconds(60));
                    }
                    throw new HttpRequestException("gave up");
                }
                """,

            // RG0002: retries caller errors (any non-success).
            2 => """
                async Task<HttpResponseMessage> Send(HttpClient http)
                {
                    int attempt = 0;
                    while (attempt < 3)
                    {
                        var response = await http.PostAsync("/v1/chat", new StringContent("{}"));
                        if (!response.IsSuccessStatusCode)
                        {
                            attempt++;
                            await Task.Delay(Random.Shared.Next(500, 1500));
                            continue;
                        }
                        return response;
                    }
                    throw new HttpRequestException("gave up");
                }
                """,

            // RG0005: unbounded do/while retry.
            3 => """
                async Task<string> Send(HttpClient http)
                {
                    HttpResponseMessage response;
                    do
                    {
                        response = await http.GetAsync("/v1/models");
                        if (response.StatusCode == HttpStatusCode.ServiceUnavailable) await Task.Delay(Random.Shared.Next(2000));
                    }
                    while (response.StatusCode == HttpStatusCode.ServiceUnavailable);
                    return await response.Content.ReadAsStringAsync();
                }
                """,

            // goto retry with a counter.
            4 => """
                async Task<HttpResponseMessage> Send(HttpClient http)
                {
                    int attempts = 0;
                retry:
                    var response = await http.GetAsync("/");
                    if (!response.IsSuccessStatusCode && attempts++ < 3)
                    {
                        await Task.Delay(500 * attempts);
                        goto retry;
                    }
                    return response;
                }
                """,

            // Recursion in a catch after EnsureSuccessStatusCode.
            5 => """
                async Task<string> Send(HttpClient http, int retries = 3)
                {
                    try
                    {
                        var response = await http.GetAsync("/v1/models");
                        response.EnsureSuccessStatusCode();
                        return await response.Content.ReadAsStringAsync();
                    }
                    catch (HttpRequestException) when (retries > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(2));
                        return await Send(http, retries - 1);
                    }
                }
                """,

            // Catch-and-retry once with a fixed wait.
            6 => """
                async Task<string> Send(HttpClient http, string url)
                {
                    try { return await http.GetStringAsync(url); }
                    catch (HttpRequestException)
                    {
                        await Task.Delay(2000);
                        return await http.GetStringAsync(url);
                    }
                }
                """,

            // RG0007: Retry-After slept without a cap.
            7 => """
                async Task<HttpResponseMessage> Send(HttpClient http)
                {
                    for (int attempt = 0; attempt < 4; attempt++)
                    {
                        var response = await http.GetAsync("/v1/chat");
                        if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                        var delay = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                        await Task.Delay(delay);
                    }
                    throw new HttpRequestException("rate limited");
                }
                """,

            // Thread.Sleep in a synchronous retry with a status switch.
            8 => """
                HttpResponseMessage SendSync(HttpClient http)
                {
                    for (int attempt = 1; ; attempt++)
                    {
                        var response = http.Send(new HttpRequestMessage(HttpMethod.Get, "/"));
                        switch (response.StatusCode)
                        {
                            case HttpStatusCode.BadGateway:
                            case HttpStatusCode.GatewayTimeout:
                                if (attempt >= 4) return response;
                                Thread.Sleep(250 * attempt);
                                break;
                            default:
                                return response;
                        }
                    }
                }
                """,

            // foreach over attempt delays.
            9 => """
                static readonly TimeSpan[] Delays = { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4) };

                async Task<HttpResponseMessage> Send(HttpClient http)
                {
                    foreach (var delay in Delays)
                    {
                        var response = await http.GetAsync("/v1/embeddings");
                        if ((int)response.StatusCode < 500) return response;
                        await Task.Delay(delay);
                    }
                    return await http.GetAsync("/v1/embeddings");
                }
                """,

            // Catch with status filter inside a loop, jittered.
            10 => """
                async Task<string> Send(HttpClient http)
                {
                    for (int attempt = 0; attempt < 3; attempt++)
                    {
                        try { return await http.GetStringAsync("/"); }
                        catch (HttpRequestException e) when ((int?)e.StatusCode >= 500 || e.StatusCode == HttpStatusCode.TooManyRequests)
                        {
                            await Task.Delay(Random.Shared.Next(1000));
                        }
                    }
                    return "";
                }
                """,

            // Helper predicate that admits caller errors.
            11 => """
                static bool ShouldRetry(HttpResponseMessage r) => (int)r.StatusCode >= 400;

                async Task<HttpResponseMessage> Send(HttpClient http)
                {
                    for (int i = 0; i < 3; i++)
                    {
                        var response = await http.GetAsync("/");
                        if (ShouldRetry(response))
                        {
                            await Task.Delay(Random.Shared.Next(1000));
                            continue;
                        }
                        return response;
                    }
                    throw new HttpRequestException();
                }
                """,

            // Delegate retry with a deadline.
            12 => """
                async Task<T> Run<T>(Func<Task<T>> operation, TimeSpan budget)
                {
                    var deadline = DateTime.UtcNow + budget;
                    while (true)
                    {
                        try { return await operation(); }
                        catch (TimeoutException) when (DateTime.UtcNow < deadline)
                        {
                            await Task.Delay(TimeSpan.FromMilliseconds(200 + Random.Shared.Next(300)));
                        }
                    }
                }
                """,

            // Polly v8: exponential without jitter over 429 and 5xx, no Retry-After.
            14 => """
                static ResiliencePipeline<HttpResponseMessage> Build() => new ResiliencePipelineBuilder<HttpResponseMessage>()
                    .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                    {
                        ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                            .Handle<HttpRequestException>()
                            .HandleResult(r => r.StatusCode == HttpStatusCode.TooManyRequests || (int)r.StatusCode >= 500),
                        BackoffType = DelayBackoffType.Exponential,
                        MaxRetryAttempts = 4,
                        Delay = TimeSpan.FromSeconds(1),
                    })
                    .Build();
                """,

            // The resilience handler's retry options with Retry-After turned off.
            15 => """
                static HttpRetryStrategyOptions Options() => new()
                {
                    MaxRetryAttempts = 5,
                    ShouldRetryAfterHeader = false,
                    UseJitter = false,
                    BackoffType = DelayBackoffType.Exponential,
                };
                """,

            // Polly v7: WaitAndRetry without jitter.
            16 => """
                static IAsyncPolicy<HttpResponseMessage> Build() => Policy
                    .HandleResult<HttpResponseMessage>(r => !r.IsSuccessStatusCode)
                    .Or<HttpRequestException>()
                    .WaitAndRetryAsync(3, attempt => TimeSpan.FromSeconds(Math.Pow(2, attempt)));
                """,

            // A hand-written retry around an SDK client that already retries (RG0006).
            17 => """
                async Task<string> Ask(ChatClient chat, string prompt)
                {
                    for (int attempt = 0; attempt < 3; attempt++)
                    {
                        try
                        {
                            ClientResult<ChatCompletion> result = await chat.CompleteChatAsync(new UserChatMessage(prompt));
                            return result.Value.Content[0].Text;
                        }
                        catch (ClientResultException e) when (e.Status == 429 || e.Status >= 500)
                        {
                            await Task.Delay(Random.Shared.Next(1000 << attempt));
                        }
                    }
                    throw new TimeoutException();
                }
                """,

            // Switch-expression helper over statuses, linear delay.
            _ => """
                static bool Retryable(HttpStatusCode code) => code switch
                {
                    HttpStatusCode.TooManyRequests => true,
                    HttpStatusCode.BadRequest => true,
                    >= HttpStatusCode.InternalServerError => true,
                    _ => false,
                };

                async Task<HttpResponseMessage> Send(HttpClient http)
                {
                    for (int i = 0; i < 3; i++)
                    {
                        var response = await http.GetAsync("/");
                        if (Retryable(response.StatusCode))
                        {
                            await Task.Delay(1000 * i);
                            continue;
                        }
                        return response;
                    }
                    throw new HttpRequestException();
                }
                """,
        };

        StringBuilder text = new();
        text.Append("namespace Corpus.Retries").Append(N(i / 100)).AppendLine();
        text.AppendLine("{");
        text.Append("    public sealed class Retry").Append(N(i)).AppendLine();
        text.AppendLine("    {");
        foreach (string line in body.Split('\n'))
        {
            text.Append("        ").AppendLine(line.TrimEnd('\r'));
        }

        text.AppendLine("    }");
        text.AppendLine("}");
        return text.ToString();
    }
}
