using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.CodeFixes;

namespace RetryGuard.Analyzers.Tests.Fixes;

/// <summary>
/// "Use RetryGuard policy" on status-checking loops: the loop's check and its retry path go, the policy decides and
/// waits, and the attempt ends in <c>EnsureSuccessStatusCode()</c> as before, so a status the policy does not retry and
/// the last attempt's end in that exception (kept by <c>RethrowAttemptExceptions</c>). Where the caller would see
/// something else (the last failed response returned, an exception of the loop's own, statuses the loop did not retry,
/// a Retry-After wait lost), no fix. Fixed code compiled against the real runtime and re-analysed.
/// </summary>
public class UseRetryGuardPolicyStatusCheckTests
{
    private static Task Fix(string source, string fixedSource, string? only) =>
        Verify<RetryAnalyzer>.CodeFixAsync<UseRetryGuardPolicyCodeFix>(source, fixedSource, equivalenceKey: UseRetryGuardPolicyCodeFix.EquivalenceKey, only: only);

    private static Task NoFix(string source, string only) => Fix(source, source, only);

    private static string Client(string method, bool fixedUsings = false) => $$"""
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;
        {{(fixedUsings ? "using RetryGuard;\n" : "")}}
        class Client
        {
            private const int MaxAttempts = 4;
            private readonly HttpClient _http = new();
            private bool _stopping;

        {{method}}
        }
        """;

    /// <summary>A counted loop whose retry check is <paramref name="check"/> and whose retry branch <paramref name="wait"/> then continues.</summary>
    private static string CountedCheck(string check, string wait) => Client($$"""
            public async Task<string> GetAsync(CancellationToken cancellationToken)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await _http.GetAsync("chat", cancellationToken);
                    if ({{check}})
                    {
                        {{wait}}
                        continue;
                    }

                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync(cancellationToken);
                }

                throw new InvalidOperationException("Unreachable");
            }
        """);

    // ---------------------------------------------------------------------------------------------------------------
    // Offered
    // ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public Task A_retry_check_that_lets_the_last_attempt_reach_EnsureSuccessStatusCode_becomes_one_policy_call() => Fix(Client("""
            public async Task<string> GetAsync(string url, CancellationToken cancellationToken)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await _http.GetAsync(url, cancellationToken);
                    if ({|RG0002:!response.IsSuccessStatusCode|} && attempt < MaxAttempts - 1)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(Math.Pow(2, attempt)), cancellationToken);
                        continue;
                    }

                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync(cancellationToken);
                }

                throw new InvalidOperationException("Unreachable");
            }
        """), Client("""
            public async Task<string> GetAsync(string url, CancellationToken cancellationToken)
            {
                using var retryPolicy = new RetryGuardPolicy(new RetryGuardOptions { MaxRetries = MaxAttempts - 1, RethrowAttemptExceptions = true });
                return await retryPolicy.ExecuteAsync(async ct =>
                {
                    using var response = await _http.GetAsync(url, ct);
                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync(ct);
                }, cancellationToken);
            }
        """, fixedUsings: true), only: "RG0002");

    [Fact]
    public Task An_exit_check_that_returns_the_ensured_response_keeps_the_result_type() => Fix(Client("""
            public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, CancellationToken cancellationToken)
            {
                for (int attempt = 1; attempt <= MaxAttempts; attempt++)
                {
                    var response = await _http.SendAsync(build(), cancellationToken);
                    if (response.StatusCode is not (HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError) || attempt == MaxAttempts)
                    {
                        response.EnsureSuccessStatusCode();
                        return response;
                    }

                    response.Dispose();
                    await {|RG0001:Task.Delay(500 * attempt, cancellationToken)|};
                }

                throw new InvalidOperationException("Unreachable");
            }
        """), Client("""
            public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, CancellationToken cancellationToken)
            {
                using var retryPolicy = new RetryGuardPolicy(new RetryGuardOptions { MaxRetries = MaxAttempts - 1, RethrowAttemptExceptions = true });
                return await retryPolicy.ExecuteAsync(async ct =>
                {
                    var response = await _http.SendAsync(build(), ct);
                    response.EnsureSuccessStatusCode();
                    return response;
                }, cancellationToken);
            }
        """, fixedUsings: true), only: "RG0001");

    [Fact]
    public Task An_endless_status_loop_gets_the_policys_default_bound() => Fix(Client("""
            public async Task<string> GetAsync(string url)
            {
                {|RG0005:while (true)|}
                {
                    using var response = await _http.GetAsync(url);
                    if ((int)response.StatusCode >= 400)
                    {
                        await Task.Delay(1000);
                        continue;
                    }

                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync();
                }
            }
        """), Client("""
            public async Task<string> GetAsync(string url)
            {
                using var retryPolicy = new RetryGuardPolicy(new RetryGuardOptions { RethrowAttemptExceptions = true });
                return await retryPolicy.ExecuteAsync(async _ =>
                {
                    using var response = await _http.GetAsync(url);
                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync();
                });
            }
        """, fixedUsings: true), only: "RG0005");

    [Fact]
    public Task An_early_return_of_a_success_stays_in_the_attempt() => Fix(Client("""
            public async Task<HttpResponseMessage> SendAsync(CancellationToken cancellationToken)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    var response = await _http.GetAsync("chat", cancellationToken);
                    if (response.IsSuccessStatusCode) return response;
                    if ({|RG0002:(int)response.StatusCode >= 400|} && attempt + 1 < MaxAttempts)
                    {
                        await Task.Delay(100 * (attempt + 1), cancellationToken);
                        continue;
                    }

                    response.EnsureSuccessStatusCode();
                    return response;
                }

                throw new InvalidOperationException("Unreachable");
            }
        """), Client("""
            public async Task<HttpResponseMessage> SendAsync(CancellationToken cancellationToken)
            {
                using var retryPolicy = new RetryGuardPolicy(new RetryGuardOptions { MaxRetries = MaxAttempts - 1, RethrowAttemptExceptions = true });
                return await retryPolicy.ExecuteAsync(async ct =>
                {
                    var response = await _http.GetAsync("chat", ct);
                    if (response.IsSuccessStatusCode) return response;
                    response.EnsureSuccessStatusCode();
                    return response;
                }, cancellationToken);
            }
        """, fixedUsings: true), only: "RG0002");

    [Fact]
    public Task A_catching_loop_may_return_its_ensured_response_too() => Fix(Client("""
            public async Task<HttpResponseMessage> SendAsync(CancellationToken cancellationToken)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    try
                    {
                        var response = await _http.GetAsync("chat", cancellationToken);
                        response.EnsureSuccessStatusCode();
                        return response;
                    }
                    {|RG0002:catch (HttpRequestException) when (attempt < MaxAttempts - 1)|}
                    {
                        await Task.Delay(100, cancellationToken);
                    }
                }

                throw new InvalidOperationException("Unreachable");
            }
        """), Client("""
            public async Task<HttpResponseMessage> SendAsync(CancellationToken cancellationToken)
            {
                using var retryPolicy = new RetryGuardPolicy(new RetryGuardOptions { MaxRetries = MaxAttempts - 1, RethrowAttemptExceptions = true });
                return await retryPolicy.ExecuteAsync(async ct =>
                {
                    var response = await _http.GetAsync("chat", ct);
                    response.EnsureSuccessStatusCode();
                    return response;
                }, cancellationToken);
            }
        """, fixedUsings: true), only: "RG0002");

    [Fact]
    public Task Fix_all_rewrites_a_status_loop_and_a_catching_loop_of_one_document() => Fix(Client("""
            public async Task<string> FirstAsync(CancellationToken cancellationToken)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    using var response = await _http.GetAsync("a", cancellationToken);
                    if ({|RG0002:!response.IsSuccessStatusCode|} && attempt < 2)
                    {
                        await Task.Delay(200, cancellationToken);
                        continue;
                    }

                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync(cancellationToken);
                }

                throw new InvalidOperationException("Unreachable");
            }

            public async Task<string> SecondAsync()
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try
                    {
                        return await _http.GetStringAsync("b");
                    }
                    {|RG0002:catch (HttpRequestException) when (attempt < 2)|}
                    {
                        await Task.Delay(200);
                    }
                }

                throw new InvalidOperationException("Unreachable");
            }
        """), Client("""
            public async Task<string> FirstAsync(CancellationToken cancellationToken)
            {
                using var retryPolicy = new RetryGuardPolicy(new RetryGuardOptions { MaxRetries = 2, RethrowAttemptExceptions = true });
                return await retryPolicy.ExecuteAsync(async ct =>
                {
                    using var response = await _http.GetAsync("a", ct);
                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync(ct);
                }, cancellationToken);
            }

            public async Task<string> SecondAsync()
            {
                using var retryPolicy = new RetryGuardPolicy(new RetryGuardOptions { MaxRetries = 2, RethrowAttemptExceptions = true });
                return await retryPolicy.ExecuteAsync(async _ =>
                {
                    return await _http.GetStringAsync("b");
                });
            }
        """, fixedUsings: true), only: "RG0002");

    // ---------------------------------------------------------------------------------------------------------------
    // Not offered: the policy would give the caller something else
    // ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public Task No_fix_when_the_loop_returns_the_last_failed_response() => NoFix(Client("""
            public async Task<HttpResponseMessage> SendAsync(CancellationToken cancellationToken)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    var response = await _http.GetAsync("chat", cancellationToken);
                    if ({|RG0002:response.IsSuccessStatusCode|} || attempt == MaxAttempts - 1) return response;
                    await Task.Delay(100, cancellationToken);
                }

                throw new InvalidOperationException("Unreachable");
            }
        """), only: "RG0002");

    [Fact]
    public Task No_fix_when_the_loop_throws_its_own_exception_after_the_last_attempt() => NoFix(Client("""
            public async Task<string> GetAsync(CancellationToken cancellationToken)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await _http.GetAsync("chat", cancellationToken);
                    if ({|RG0002:response.IsSuccessStatusCode|}) return await response.Content.ReadAsStringAsync(cancellationToken);
                    await Task.Delay(100, cancellationToken);
                }

                throw new InvalidOperationException("The gateway kept failing.");
            }
        """), only: "RG0002");

    [Fact]
    public Task No_fix_when_the_loop_retries_fewer_statuses_than_the_policy() => NoFix(CountedCheck(
        """response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < MaxAttempts - 1""",
        """await {|RG0001:Task.Delay(100 * (attempt + 1), cancellationToken)|};"""), only: "RG0001");

    [Fact]
    public Task No_fix_when_the_wait_honours_retry_after_which_the_policy_cannot_read_from_the_exception() => NoFix(CountedCheck(
        """{|RG0002:!response.IsSuccessStatusCode|} && attempt < MaxAttempts - 1""",
        """await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), cancellationToken);"""), only: "RG0002");

    [Fact]
    public Task No_fix_when_the_check_reads_more_than_the_status_and_the_counter() => NoFix(CountedCheck(
        """{|RG0002:!response.IsSuccessStatusCode|} && attempt < MaxAttempts - 1 && !_stopping""",
        """await Task.Delay(100, cancellationToken);"""), only: "RG0002");

    [Fact]
    public Task No_fix_when_the_guard_lets_more_than_the_last_attempt_through() => NoFix(CountedCheck(
        """{|RG0002:!response.IsSuccessStatusCode|} && attempt < MaxAttempts - 2""",
        """await Task.Delay(100, cancellationToken);"""), only: "RG0002");

    [Fact]
    public Task No_fix_when_the_retry_path_does_more_than_wait() => NoFix(CountedCheck(
        """{|RG0002:!response.IsSuccessStatusCode|} && attempt < MaxAttempts - 1""",
        """Console.WriteLine($"Attempt {attempt} failed: {response.StatusCode}"); await Task.Delay(100, cancellationToken);"""), only: "RG0002");

    [Fact]
    public Task No_fix_when_the_path_past_the_check_returns_the_response_unchecked() => NoFix(Client("""
            public async Task<HttpResponseMessage> SendAsync(CancellationToken cancellationToken)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    var response = await _http.GetAsync("chat", cancellationToken);
                    if ({|RG0002:!response.IsSuccessStatusCode|} && attempt < MaxAttempts - 1)
                    {
                        response.Dispose();
                        await Task.Delay(100, cancellationToken);
                        continue;
                    }

                    return response;
                }

                throw new InvalidOperationException("Unreachable");
            }
        """), only: "RG0002");
}
