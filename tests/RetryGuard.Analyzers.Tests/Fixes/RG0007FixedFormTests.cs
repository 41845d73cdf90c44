using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.CodeFixes;

namespace RetryGuard.Analyzers.Tests.Fixes;

/// <summary>
/// The forms the Retry-After fixes write are read as capped by the model (no RG0007 on them), against the
/// configured limit; near misses still report.
/// </summary>
public class RG0007FixedFormTests
{
    private const string Loop = """
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;
        using RetryGuard;

        class C
        {
            static readonly TimeSpan Cap = TimeSpan.FromSeconds(CAP);

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    await WAIT;
                }

                throw new HttpRequestException("busy");
            }
        }
        """;

    private static string Shape(string wait, int cap = 60) => Loop.Replace("CAP", cap.ToString()).Replace("WAIT", wait);

    [Fact]
    public Task Conditional_on_a_conjunction_with_an_upper_bound_is_a_cap() => Verify<RetryAnalyzer>.AnalyzerAsync(
        Shape("Task.Delay(RetryAfter.GetDelay(response) is { } w && w <= Cap ? w : Backoff.WithJitter(TimeSpan.FromSeconds(1)))"), only: "RG0007");

    [Fact]
    public Task Bound_written_on_the_left_is_a_cap_too() => Verify<RetryAnalyzer>.AnalyzerAsync(
        Shape("Task.Delay(RetryAfter.GetDelay(response) is { } w && Cap > w ? w : Backoff.WithJitter(TimeSpan.FromSeconds(1)))"), only: "RG0007");

    [Fact]
    public Task Bound_above_the_limit_still_reports() => Verify<RetryAnalyzer>.AnalyzerAsync(
        Shape("{|RG0007:Task.Delay(RetryAfter.GetDelay(response) is { } w && w <= Cap ? w : Backoff.WithJitter(TimeSpan.FromSeconds(1)))|}", cap: 3600), only: "RG0007");

    [Fact]
    public Task Lower_bound_is_no_cap() => Verify<RetryAnalyzer>.AnalyzerAsync(
        Shape("{|RG0007:Task.Delay(RetryAfter.GetDelay(response) is { } w && w >= Cap ? w : Backoff.WithJitter(TimeSpan.FromSeconds(1)))|}"), only: "RG0007");

    [Fact]
    public Task Disjunction_is_no_cap() => Verify<RetryAnalyzer>.AnalyzerAsync(
        Shape("{|RG0007:Task.Delay(RetryAfter.GetDelay(response) is { } w || attempt > 1 ? RetryAfter.GetDelay(response)!.Value : Backoff.WithJitter(TimeSpan.FromSeconds(1)))|}"), only: "RG0007");

    [Fact]
    public Task Configured_limit_is_the_cap_and_a_local_delay_only_gets_the_guard()
    {
        const string before = """
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;

            class C
            {
                async Task<HttpResponseMessage> Send(HttpClient http)
                {
                    for (int attempt = 0; attempt < 3; attempt++)
                    {
                        var response = await http.GetAsync("/");
                        if ((int)response.StatusCode != 429) return response;
                        var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                        await {|RG0007:Task.Delay(wait)|};
                    }

                    throw new HttpRequestException("busy");
                }
            }
            """;
        const string after = """
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;
            using RetryGuard;

            class C
            {
                private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(300);

                async Task<HttpResponseMessage> Send(HttpClient http)
                {
                    for (int attempt = 0; attempt < 3; attempt++)
                    {
                        var response = await http.GetAsync("/");
                        if ((int)response.StatusCode != 429) return response;
                        var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                        if (wait > MaxRetryAfter)
                        {
                            throw new RateLimitExceededException($"The server asked to wait {wait}, longer than {MaxRetryAfter}; not waiting that long.", wait);
                        }
                        await Task.Delay(wait);
                    }

                    throw new HttpRequestException("busy");
                }
            }
            """;
        var test = new CSharpCodeFixTest<RetryAnalyzer, RG0007UncappedRetryAfterCodeFix, DefaultVerifier>
        {
            TestCode = before,
            FixedCode = after,
            ReferenceAssemblies = TestReferences.None,
        };
        Verify<RetryAnalyzer>.Focus(test, "RG0007");
        test.TestState.AdditionalReferences.AddRange(TestReferences.Net100);
        test.TestState.AdditionalReferences.Add(TestReferences.Runtime);
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\nretryguard.max_retry_after = 5m\n"));
        return test.RunAsync();
    }
}
