using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.CodeFixes;

namespace RetryGuard.Analyzers.Tests.Fixes;

/// <summary>
/// The RG0003 fix: the wait takes the server's Retry-After when it is within the cap, else the existing backoff
/// (jittered when it was not). The response must be in view at the wait, or received in the try of the catch that waits.
/// </summary>
public class RG0003CodeFixTests
{
    private static Task Fix(string source, string fixedSource) =>
        Verify<RetryAnalyzer>.CodeFixAsync<RG0003IgnoresRetryAfterCodeFix>(source, fixedSource, only: "RG0003");

    private static Task NoFix(string source) => Fix(source, source);

    [Fact]
    public Task Sample_shape_reads_retry_after_in_the_try_and_waits_for_it_in_the_catch() => Fix("""
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            private const int MaxAttempts = 5;

            async Task<string> Get(HttpClient http, CancellationToken cancellationToken)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    try
                    {
                        using var response = await http.GetAsync("/", cancellationToken);
                        response.EnsureSuccessStatusCode();
                        return await response.Content.ReadAsStringAsync(cancellationToken);
                    }
                    catch (HttpRequestException) when (attempt < MaxAttempts - 1)
                    {
                        // A 429 is retried after this delay.
                        await {|RG0003:Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt)), cancellationToken)|};
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
            private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(120);
            private const int MaxAttempts = 5;

            async Task<string> Get(HttpClient http, CancellationToken cancellationToken)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    TimeSpan? retryAfter = null;
                    try
                    {
                        using var response = await http.GetAsync("/", cancellationToken);
                        retryAfter = RetryAfter.GetDelay(response);
                        response.EnsureSuccessStatusCode();
                        return await response.Content.ReadAsStringAsync(cancellationToken);
                    }
                    catch (HttpRequestException) when (attempt < MaxAttempts - 1)
                    {
                        // A 429 is retried after this delay.
                        await Task.Delay(retryAfter is { } serverDelay && serverDelay <= MaxRetryAfter ? serverDelay : Backoff.WithJitter(TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt))), cancellationToken);
                    }
                }

                throw new InvalidOperationException("Unreachable");
            }
        }
        """);

    [Fact]
    public Task Status_loop_waits_for_the_response_in_view_and_keeps_a_jittered_backoff() => Fix("""
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int attempt = 0; attempt < 4; attempt++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    await {|RG0003:Task.Delay(TimeSpan.FromSeconds(Random.Shared.Next(1, 4)))|};
                }

                throw new HttpRequestException("Still rate limited");
            }
        }
        """, """
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;
        using RetryGuard;

        class C
        {
            private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(120);

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int attempt = 0; attempt < 4; attempt++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    await Task.Delay(RetryAfter.GetDelay(response) is { } retryAfter && retryAfter <= MaxRetryAfter ? retryAfter : TimeSpan.FromSeconds(Random.Shared.Next(1, 4)));
                }

                throw new HttpRequestException("Still rate limited");
            }
        }
        """);

    [Fact]
    public Task No_fix_without_a_response_in_view() => NoFix("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 4; attempt++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) { await {|RG0003:Task.Delay(TimeSpan.FromSeconds(Random.Shared.Next(1, 4)))|}; }
                }

                throw new InvalidOperationException();
            }
        }
        """);
}
