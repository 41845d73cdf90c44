using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.CodeFixes;

namespace RetryGuard.Analyzers.Tests.Fixes;

/// <summary>
/// The RG0002 fix for status checks of hand-written loops: a caller error takes the path the code already takes for a
/// failure it does not retry (the last attempt's path, <c>EnsureSuccessStatusCode()</c>, <c>return response;</c>, the code
/// after a loop that ends by its condition). Fixed code compiled against the real runtime and re-analysed (RG0002 gone);
/// Fix All runs in document, project and solution scope. Where no such path exists, no fix.
/// </summary>
public class RG0002StatusCheckCodeFixTests
{
    private static Task Fix(string source, string fixedSource) =>
        Verify<RetryAnalyzer>.CodeFixAsync<RG0002NonRetryableStatusCodeFix>(source, fixedSource, equivalenceKey: RG0002NonRetryableStatusCodeFix.EquivalenceKey, only: "RG0002");

    private static Task NoFix(string source) => Fix(source, source);

    private const string Usings = """
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    private const string FixedUsings = """
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;
        using RetryGuard;

        """;

    private static string Class(string members, bool fixedUsings = false) => (fixedUsings ? FixedUsings : Usings) + $$"""
        class C
        {
            private const int MaxAttempts = 3;

        {{members}}
        }
        """;

    // ---------------------------------------------------------------------------------------------------------------
    // Offered
    // ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public Task A_retry_check_guarded_against_the_last_attempt_sends_caller_errors_to_EnsureSuccessStatusCode() => Fix(Class("""
            async Task<string> Get(HttpClient http, CancellationToken ct)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await http.GetAsync("/", ct);
                    if ({|RG0002:!response.IsSuccessStatusCode|} && attempt < MaxAttempts - 1)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(attempt + 1), ct);
                        continue;
                    }

                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync(ct);
                }

                throw new InvalidOperationException("Unreachable");
            }
        """), Class("""
            async Task<string> Get(HttpClient http, CancellationToken ct)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await http.GetAsync("/", ct);
                    if (!response.IsSuccessStatusCode && attempt < MaxAttempts - 1 && HttpStatusPolicy.IsRetryable(response.StatusCode))
                    {
                        await Task.Delay(TimeSpan.FromSeconds(attempt + 1), ct);
                        continue;
                    }

                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync(ct);
                }

                throw new InvalidOperationException("Unreachable");
            }
        """, fixedUsings: true));

    [Fact]
    public Task An_exit_check_that_the_last_attempt_takes_returns_a_caller_error_at_once() => Fix(Class("""
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int attempt = 1; attempt <= MaxAttempts; attempt++)
                {
                    var response = await http.GetAsync("/");
                    if ({|RG0002:response.IsSuccessStatusCode|} || attempt == MaxAttempts)
                    {
                        return response;
                    }

                    response.Dispose();
                    await Task.Delay(200 * attempt);
                }

                throw new InvalidOperationException("Unreachable");
            }
        """), Class("""
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int attempt = 1; attempt <= MaxAttempts; attempt++)
                {
                    var response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode || attempt == MaxAttempts || !HttpStatusPolicy.IsRetryable(response.StatusCode))
                    {
                        return response;
                    }

                    response.Dispose();
                    await Task.Delay(200 * attempt);
                }

                throw new InvalidOperationException("Unreachable");
            }
        """, fixedUsings: true));

    [Fact]
    public Task A_status_set_followed_by_EnsureSuccessStatusCode_is_narrowed_with_its_pattern_kept() => Fix(Class("""
            async Task<string> Get(HttpClient http)
            {
                while (true)
                {
                    using var response = await http.GetAsync("/");
                    if ({|RG0002:response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError|})
                    {
                        await Task.Delay(1000);
                        continue;
                    }

                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync();
                }
            }
        """), Class("""
            async Task<string> Get(HttpClient http)
            {
                while (true)
                {
                    using var response = await http.GetAsync("/");
                    if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError && HttpStatusPolicy.IsRetryable(response.StatusCode))
                    {
                        await Task.Delay(1000);
                        continue;
                    }

                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync();
                }
            }
        """, fixedUsings: true));

    [Fact]
    public Task The_exit_the_last_attempt_takes_inside_the_retry_branch_takes_caller_errors_too() => Fix(Class("""
            async Task<string> Get(HttpClient http, CancellationToken ct)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await http.GetAsync("/", ct);
                    if ({|RG0002:(int)response.StatusCode >= 400|})
                    {
                        if (attempt == MaxAttempts - 1)
                        {
                            throw new HttpRequestException("Gave up: " + response.StatusCode);
                        }

                        await Task.Delay(500, ct);
                        continue;
                    }

                    return await response.Content.ReadAsStringAsync(ct);
                }

                throw new InvalidOperationException("Unreachable");
            }
        """), Class("""
            async Task<string> Get(HttpClient http, CancellationToken ct)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await http.GetAsync("/", ct);
                    if ((int)response.StatusCode >= 400)
                    {
                        if (attempt == MaxAttempts - 1 || !HttpStatusPolicy.IsRetryable(response.StatusCode))
                        {
                            throw new HttpRequestException("Gave up: " + response.StatusCode);
                        }

                        await Task.Delay(500, ct);
                        continue;
                    }

                    return await response.Content.ReadAsStringAsync(ct);
                }

                throw new InvalidOperationException("Unreachable");
            }
        """, fixedUsings: true));

    [Fact]
    public Task A_success_exit_of_a_counted_loop_gets_a_break_to_the_code_after_it() => Fix(Class("""
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await http.GetAsync("/");
                    if ({|RG0002:response.IsSuccessStatusCode|}) return await response.Content.ReadAsStringAsync();
                    await Task.Delay(100);
                }

                throw new HttpRequestException("The service kept failing.");
            }
        """), Class("""
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode) return await response.Content.ReadAsStringAsync();
                    if (!HttpStatusPolicy.IsRetryable(response.StatusCode)) break;
                    await Task.Delay(100);
                }

                throw new HttpRequestException("The service kept failing.");
            }
        """, fixedUsings: true));

    [Fact]
    public Task A_retry_branch_of_a_while_loop_with_its_own_counter_gets_a_break_first() => Fix(Class("""
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                HttpResponseMessage last = null;
                int attempt = 0;
                while (attempt++ < MaxAttempts)
                {
                    last = await http.GetAsync("/");
                    if ({|RG0002:!last.IsSuccessStatusCode|})
                    {
                        await Task.Delay(250);
                        continue;
                    }

                    return last;
                }

                return last;
            }
        """), Class("""
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                HttpResponseMessage last = null;
                int attempt = 0;
                while (attempt++ < MaxAttempts)
                {
                    last = await http.GetAsync("/");
                    if (!last.IsSuccessStatusCode)
                    {
                        if (!HttpStatusPolicy.IsRetryable(last.StatusCode)) break;
                        await Task.Delay(250);
                        continue;
                    }

                    return last;
                }

                return last;
            }
        """, fixedUsings: true));

    [Fact]
    public Task EnsureSuccessStatusCode_behind_a_check_that_retries_every_failure_is_no_give_up_path_the_code_after_the_loop_is() => Fix(Class("""
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await http.GetAsync("/");
                    if ({|RG0002:!response.IsSuccessStatusCode|})
                    {
                        await Task.Delay(100);
                        continue;
                    }

                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync();
                }

                throw new HttpRequestException("Gave up.");
            }
        """), Class("""
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await http.GetAsync("/");
                    if (!response.IsSuccessStatusCode)
                    {
                        if (!HttpStatusPolicy.IsRetryable(response.StatusCode)) break;
                        await Task.Delay(100);
                        continue;
                    }

                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync();
                }

                throw new HttpRequestException("Gave up.");
            }
        """, fixedUsings: true));

    [Fact]
    public Task A_response_returned_for_some_failures_already_takes_the_caller_errors() => Fix(Class("""
            async Task<HttpResponseMessage> Send(HttpClient http, CancellationToken ct)
            {
                while (true)
                {
                    var response = await http.GetAsync("/", ct);
                    if ({|RG0002:(int)response.StatusCode >= 400 && response.StatusCode != HttpStatusCode.NotFound|})
                    {
                        response.Dispose();
                        await Task.Delay(1000, ct);
                        continue;
                    }

                    return response;
                }
            }
        """), Class("""
            async Task<HttpResponseMessage> Send(HttpClient http, CancellationToken ct)
            {
                while (true)
                {
                    var response = await http.GetAsync("/", ct);
                    if ((int)response.StatusCode >= 400 && response.StatusCode != HttpStatusCode.NotFound && HttpStatusPolicy.IsRetryable(response.StatusCode))
                    {
                        response.Dispose();
                        await Task.Delay(1000, ct);
                        continue;
                    }

                    return response;
                }
            }
        """, fixedUsings: true));

    [Fact]
    public Task Fix_all_narrows_every_status_check_and_catch_of_the_document_in_one_pass() => Fix(Class("""
            async Task<string> First(HttpClient http)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await http.GetAsync("/a");
                    if ({|RG0002:response.IsSuccessStatusCode|}) return await response.Content.ReadAsStringAsync();
                    await Task.Delay(100);
                }

                throw new HttpRequestException("a failed");
            }

            async Task<string> Second(HttpClient http)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await http.GetAsync("/b");
                    if ({|RG0002:!response.IsSuccessStatusCode|} && attempt < MaxAttempts - 1)
                    {
                        await Task.Delay(100);
                        continue;
                    }

                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync();
                }

                throw new InvalidOperationException("Unreachable");
            }

            async Task<string> Third(HttpClient http)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    try { return await http.GetStringAsync("/c"); }
                    {|RG0002:catch (HttpRequestException) when (attempt < MaxAttempts - 1)|} { await Task.Delay(100); }
                }

                throw new InvalidOperationException("Unreachable");
            }
        """), Class("""
            async Task<string> First(HttpClient http)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await http.GetAsync("/a");
                    if (response.IsSuccessStatusCode) return await response.Content.ReadAsStringAsync();
                    if (!HttpStatusPolicy.IsRetryable(response.StatusCode)) break;
                    await Task.Delay(100);
                }

                throw new HttpRequestException("a failed");
            }

            async Task<string> Second(HttpClient http)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await http.GetAsync("/b");
                    if (!response.IsSuccessStatusCode && attempt < MaxAttempts - 1 && HttpStatusPolicy.IsRetryable(response.StatusCode))
                    {
                        await Task.Delay(100);
                        continue;
                    }

                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync();
                }

                throw new InvalidOperationException("Unreachable");
            }

            async Task<string> Third(HttpClient http)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    try { return await http.GetStringAsync("/c"); }
                    catch (HttpRequestException e) when (attempt < MaxAttempts - 1 && (e.StatusCode is null || HttpStatusPolicy.IsRetryable(e.StatusCode.Value))) { await Task.Delay(100); }
                }

                throw new InvalidOperationException("Unreachable");
            }
        """, fixedUsings: true));

    // ---------------------------------------------------------------------------------------------------------------
    // Not offered: no path for a failure the code does not retry, or a check the fix cannot read
    // ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public Task No_fix_when_an_endless_loop_only_serves_successes() => NoFix(Class("""
            async Task<string> Get(HttpClient http)
            {
                while (true)
                {
                    using var response = await http.GetAsync("/");
                    if ({|RG0002:response.IsSuccessStatusCode|}) return await response.Content.ReadAsStringAsync();
                    await Task.Delay(100);
                }
            }
        """));

    [Fact]
    public Task No_fix_when_the_path_after_a_retry_check_reads_the_body_as_a_success() => NoFix(Class("""
            async Task<string> Get(HttpClient http)
            {
                while (true)
                {
                    using var response = await http.GetAsync("/");
                    if ({|RG0002:!response.IsSuccessStatusCode|})
                    {
                        await Task.Delay(100);
                        continue;
                    }

                    return await response.Content.ReadAsStringAsync();
                }
            }
        """));

    [Fact]
    public Task No_fix_when_a_success_only_return_follows_the_retry_check() => NoFix(Class("""
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                while (true)
                {
                    var response = await http.GetAsync("/");
                    if ({|RG0002:(int)response.StatusCode >= 400|})
                    {
                        await Task.Delay(100);
                        continue;
                    }

                    return response;
                }
            }
        """));

    [Fact]
    public Task No_fix_when_the_loop_also_breaks_so_the_code_after_it_is_not_the_give_up_path() => NoFix(Class("""
            async Task<string> Get(HttpClient http, bool stop)
            {
                string result = "";
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await http.GetAsync("/");
                    if (stop) break;
                    if ({|RG0002:response.IsSuccessStatusCode|}) return await response.Content.ReadAsStringAsync();
                    await Task.Delay(100);
                }

                return result;
            }
        """));

    [Fact]
    public Task No_fix_when_the_retry_path_gives_up_by_a_deadline_instead_of_the_counter() => NoFix(Class("""
            async Task<string> Get(HttpClient http, DateTime deadline)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await http.GetAsync("/");
                    if ({|RG0002:response.IsSuccessStatusCode|}) return await response.Content.ReadAsStringAsync();
                    if (DateTime.UtcNow > deadline) throw new TimeoutException();
                    await Task.Delay(100);
                }

                throw new InvalidOperationException("Unreachable");
            }
        """));

    [Fact]
    public Task No_fix_when_a_counter_the_fix_cannot_read_sends_the_last_attempt_past_the_check() => NoFix(Class("""
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                int attempt = 0;
                while (attempt < MaxAttempts)
                {
                    attempt++;
                    var response = await http.GetAsync("/");
                    if ({|RG0002:!response.IsSuccessStatusCode|} && attempt < MaxAttempts)
                    {
                        await Task.Delay(100);
                        continue;
                    }

                    return response;
                }

                throw new InvalidOperationException("Unreachable");
            }
        """));

    [Fact]
    public Task No_fix_when_the_check_has_an_else() => NoFix(Class("""
            async Task<string> Get(HttpClient http)
            {
                while (true)
                {
                    using var response = await http.GetAsync("/");
                    if ({|RG0002:!response.IsSuccessStatusCode|})
                    {
                        await Task.Delay(100);
                    }
                    else
                    {
                        return await response.Content.ReadAsStringAsync();
                    }
                }
            }
        """));

    [Fact]
    public Task No_fix_when_the_status_comes_through_a_helper_predicate() => NoFix(Class("""
            static bool Failed(HttpResponseMessage r) => !r.IsSuccessStatusCode;

            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await http.GetAsync("/");
                    if ({|RG0002:Failed(response)|} && attempt < MaxAttempts - 1)
                    {
                        await Task.Delay(100);
                        continue;
                    }

                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync();
                }

                throw new InvalidOperationException("Unreachable");
            }
        """));

    [Fact]
    public Task No_fix_when_the_check_reads_two_responses() => NoFix(Class("""
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var first = await http.GetAsync("/a");
                    using var second = await http.GetAsync("/b");
                    if ({|RG0002:!first.IsSuccessStatusCode || !second.IsSuccessStatusCode|})
                    {
                        if (attempt == MaxAttempts - 1) throw new HttpRequestException("failed");
                        await Task.Delay(100);
                        continue;
                    }

                    return await first.Content.ReadAsStringAsync() + await second.Content.ReadAsStringAsync();
                }

                throw new InvalidOperationException("Unreachable");
            }
        """));

    [Fact]
    public Task No_fix_for_a_switch_section_that_retries_a_caller_error() => NoFix(Class("""
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await http.GetAsync("/");
                    switch ({|RG0002:response.StatusCode|})
                    {
                        case HttpStatusCode.BadRequest:
                        case HttpStatusCode.ServiceUnavailable:
                            await Task.Delay(100);
                            continue;
                    }

                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync();
                }

                throw new InvalidOperationException("Unreachable");
            }
        """));

    [Fact]
    public Task No_fix_when_the_retry_refreshes_credentials_first() => NoFix(Class("""
            Task RefreshTokenAsync() => Task.CompletedTask;

            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    using var response = await http.GetAsync("/");
                    if ({|RG0002:!response.IsSuccessStatusCode|} && attempt < MaxAttempts - 1)
                    {
                        await RefreshTokenAsync();
                        continue;
                    }

                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync();
                }

                throw new InvalidOperationException("Unreachable");
            }
        """));

    [Fact]
    public Task No_fix_when_the_loop_ends_on_success_so_the_code_after_it_is_the_success_path() => NoFix("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<bool> Send(HttpClient http, HttpContent content)
            {
                bool ok = false;
                while (!ok)
                {
                    var response = await http.PostAsync("/", content);
                    ok = response.IsSuccessStatusCode;
                    if ({|RG0002:!response.IsSuccessStatusCode|})
                    {
                        await Task.Delay(1000);
                    }
                }

                return true;
            }
        }
        """);
}
