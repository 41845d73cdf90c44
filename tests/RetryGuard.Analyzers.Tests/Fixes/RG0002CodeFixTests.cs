using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.CodeFixes;

namespace RetryGuard.Analyzers.Tests.Fixes;

/// <summary>
/// The RG0002 fix for hand-written retries: the HttpRequestException catch is narrowed to retryable statuses
/// (network failures, which carry no status, stay retried). Fixed code compiled against the real runtime and
/// re-analysed; Fix All runs in document, project and solution scope.
/// </summary>
public class RG0002CodeFixTests
{
    private static Task Fix(string source, string fixedSource) =>
        Verify<RetryAnalyzer>.CodeFixAsync<RG0002NonRetryableStatusCodeFix>(source, fixedSource, only: "RG0002");

    [Fact]
    public Task Sample_shape_keeps_the_attempt_filter_and_adds_the_status_check() => Fix("""
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            private const int MaxAttempts = 5;

            async Task<string> Get(HttpClient http, CancellationToken ct)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    try
                    {
                        using var response = await http.GetAsync("/", ct);
                        response.EnsureSuccessStatusCode();
                        return await response.Content.ReadAsStringAsync(ct);
                    }
                    {|RG0002:catch (HttpRequestException) when (attempt < MaxAttempts - 1)|}
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt)), ct);
                    }
                }

                throw new InvalidOperationException("Unreachable");
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;
        using RetryGuard;

        class C
        {
            private const int MaxAttempts = 5;

            async Task<string> Get(HttpClient http, CancellationToken ct)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    try
                    {
                        using var response = await http.GetAsync("/", ct);
                        response.EnsureSuccessStatusCode();
                        return await response.Content.ReadAsStringAsync(ct);
                    }
                    catch (HttpRequestException e) when (attempt < MaxAttempts - 1 && (e.StatusCode is null || HttpStatusPolicy.IsRetryable(e.StatusCode.Value)))
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt)), ct);
                    }
                }

                throw new InvalidOperationException("Unreachable");
            }
        }
        """);

    [Fact]
    public Task Catch_that_continues_before_the_break_is_narrowed() => Fix("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http, string url)
            {
                string text = "";
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { text = await http.GetStringAsync(url); }
                    {|RG0002:catch (HttpRequestException)|} { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    break;
                }

                return text;
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;
        using RetryGuard;

        class C
        {
            async Task<string> Get(HttpClient http, string url)
            {
                string text = "";
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { text = await http.GetStringAsync(url); }
                    catch (HttpRequestException e) when (e.StatusCode is null || HttpStatusPolicy.IsRetryable(e.StatusCode.Value)) { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    break;
                }

                return text;
            }
        }
        """);

    [Fact]
    public Task No_catch_fix_when_failed_statuses_also_fall_through_the_try() => Fix(FallThrough, FallThrough);

    private const string FallThrough = """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Client
        {
            async Task<string> GetAsync(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try
                    {
                        using var response = await http.GetAsync("/");
                        if (response.IsSuccessStatusCode) return await response.Content.ReadAsStringAsync();
                    }
                    {|RG0002:catch (HttpRequestException) when (attempt < 2)|} { }

                    await Task.Delay(Random.Shared.Next(100 * (attempt + 1)));
                }

                throw new InvalidOperationException();
            }
        }
        """;
}
