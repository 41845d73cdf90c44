using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.CodeFixes;

namespace RetryGuard.Analyzers.Tests.Fixes;

/// <summary>
/// The RG0007 fix: a Retry-After above the cap is surfaced (RateLimitExceededException), not slept; shorter waits
/// are unchanged. The cap is a named field of the type, from retryguard.max_retry_after.
/// </summary>
public class RG0007CodeFixTests
{
    private static Task Fix(string source, string fixedSource) =>
        Verify<RetryAnalyzer>.CodeFixAsync<RG0007UncappedRetryAfterCodeFix>(source, fixedSource, only: "RG0007");

    private static Task NoFix(string source) => Fix(source, source);

    [Fact]
    public Task Sample_shape_reads_into_a_local_and_surfaces_longer_waits() => Fix("""
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            private const int MaxAttempts = 5;

            async Task<string> Get(HttpClient http, CancellationToken cancellationToken)
            {
                for (int attempt = 1; ; attempt++)
                {
                    using var response = await http.GetAsync("/", cancellationToken);
                    if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt >= MaxAttempts)
                    {
                        response.EnsureSuccessStatusCode();
                        return await response.Content.ReadAsStringAsync(cancellationToken);
                    }

                    // However long the server asks for.
                    await {|RG0007:Task.Delay(response.Headers.RetryAfter!.Delta!.Value, cancellationToken)|};
                }
            }
        }
        """, """
        using System;
        using System.Net;
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
                for (int attempt = 1; ; attempt++)
                {
                    using var response = await http.GetAsync("/", cancellationToken);
                    if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt >= MaxAttempts)
                    {
                        response.EnsureSuccessStatusCode();
                        return await response.Content.ReadAsStringAsync(cancellationToken);
                    }

                    // However long the server asks for.
                    var retryAfter = response.Headers.RetryAfter!.Delta!.Value;
                    if (retryAfter > MaxRetryAfter)
                    {
                        throw new RateLimitExceededException($"The server asked to wait {retryAfter}, longer than {MaxRetryAfter}; not waiting that long.", retryAfter);
                    }
                    await Task.Delay(retryAfter, cancellationToken);
                }
            }
        }
        """);
}
