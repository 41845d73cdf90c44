using RetryGuard.CodeFixes;
using RetryGuard.CodeFixes.Polly;
using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests.Polly;

/// <summary>
/// The hand-written-retry fixes leave Polly diagnostics alone, and the Polly fixes leave hand-written loops alone:
/// each diagnostic gets the fix written for its construct, never a second one that would not fit it.
/// </summary>
public class PollyFixIsolationTests
{
    private const string PollyCode = """
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .OrResult({|RG0002:r => r.StatusCode == HttpStatusCode.BadRequest|})
                    .OrResult(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync({|RG0005:int.MaxValue|}, {|RG0003:(attempt, outcome, context) => TimeSpan.FromSeconds(Math.Pow(2, attempt)) + TimeSpan.FromMilliseconds(Random.Shared.Next(100))|}, (o, d, a, c) => Task.CompletedTask);

            ISyncPolicy Q() => Policy.Handle<HttpRequestException>().{|RG0005:RetryForever|}();

            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests),
                DelayGenerator = {|RG0007:args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta)|},
                UseJitter = true,
            };
        }
        """;

    [Fact]
    public Task Loop_fix_for_RG0002_offers_nothing_on_polly() => PollyFixVerify.NoFix<RG0002NonRetryableStatusLoopFix>(Only(PollyCode, "RG0002"), "RG0002");

    [Fact]
    public Task Loop_fix_for_RG0003_offers_nothing_on_polly() => PollyFixVerify.NoFix<RG0003IgnoresRetryAfterLoopFix>(Only(PollyCode, "RG0003"), "RG0003");

    [Fact]
    public Task Loop_fix_for_RG0005_offers_nothing_on_polly() => PollyFixVerify.NoFix<RG0005UnboundedLoopFix>(Only(PollyCode, "RG0005"), "RG0005");

    [Fact]
    public Task Loop_fix_for_RG0007_offers_nothing_on_polly() => PollyFixVerify.NoFix<RG0007UncappedRetryAfterLoopFix>(Only(PollyCode, "RG0007"), "RG0007");

    private const string LoopCode = """
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http, string url)
            {
                for (int attempt = 0; attempt < int.MaxValue; attempt++)
                {
                    var response = await http.GetAsync(url);
                    if ({|RG0002:response.StatusCode != HttpStatusCode.BadRequest && (int)response.StatusCode >= 400|})
                    {
                        await {|RG0001:Task.Delay(1000 * (attempt + 1))|};
                        continue;
                    }

                    return response;
                }

                throw new HttpRequestException("gave up");
            }
        }
        """;

    [Fact]
    public Task Polly_fix_for_RG0001_offers_nothing_on_loops() =>
        Verify<RetryAnalyzer>.CodeFixAsync<RG0001NoJitterPollyCodeFix>(Only(LoopCode, "RG0001"), Only(LoopCode, "RG0001"), only: "RG0001");

    [Fact]
    public Task Polly_fix_for_RG0002_offers_nothing_on_loops() =>
        Verify<RetryAnalyzer>.CodeFixAsync<RG0002NonRetryablePollyCodeFix>(Only(LoopCode, "RG0002"), Only(LoopCode, "RG0002"), only: "RG0002");

    /// <summary>The markup of one rule kept, the others' markup dropped (their rules are off in the test).</summary>
    private static string Only(string code, string id)
    {
        foreach (var other in new[] { "RG0001", "RG0002", "RG0003", "RG0005", "RG0007" })
        {
            if (other == id)
            {
                continue;
            }

            while (code.IndexOf("{|" + other + ":", StringComparison.Ordinal) is var start and >= 0)
            {
                int end = FindClose(code, start + 2 + other.Length + 1);
                code = code.Substring(0, start) + code.Substring(start + 2 + other.Length + 1, end - start - 3 - other.Length) + code.Substring(end + 2);
            }
        }

        return code;
    }

    /// <summary>The <c>|}</c> that closes the markup opened before <paramref name="from"/> (markup may nest).</summary>
    private static int FindClose(string code, int from)
    {
        int depth = 0;
        for (int i = from; i < code.Length - 1; i++)
        {
            if (code[i] == '{' && code[i + 1] == '|')
            {
                depth++;
            }
            else if (code[i] == '|' && code[i + 1] == '}')
            {
                if (depth == 0)
                {
                    return i;
                }

                depth--;
            }
        }

        throw new ArgumentException("unclosed markup");
    }
}
