using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Testing;
using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.CodeFixes;

namespace RetryGuard.Analyzers.Tests.Fixes;

/// <summary>
/// "Use RetryGuard policy": the fixed code is compiled against the real RetryGuard runtime (no compiler errors
/// allowed) and re-analysed (the diagnostic must be gone); the testing library also runs Fix All in document and
/// project scope. Where the loop is not of the shape the policy replaces one for one, no fix is offered.
/// </summary>
public class UseRetryGuardPolicyCodeFixTests
{
    private static Task Fix(string source, string fixedSource, string? only) =>
        Verify<RetryAnalyzer>.CodeFixAsync<UseRetryGuardPolicyCodeFix>(source, fixedSource, equivalenceKey: UseRetryGuardPolicyCodeFix.EquivalenceKey, only: only);

    private static Task NoFix(string source, string only = "RG0001") => Fix(source, source, only);

    /// <summary>The sample's first loop, around <paramref name="attemptAndCatch"/>'s markup.</summary>
    private static string Counted(string catchClause, string wait, string tail = """throw new InvalidOperationException("Unreachable: the last attempt's exception is not caught.");""") => $$"""
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class Client
        {
            private const int MaxAttempts = 5;
            private readonly HttpClient _http = new();

            public async Task<string> CompleteAsync(string body, CancellationToken cancellationToken)
            {
                for (int attempt = 0; attempt < MaxAttempts; attempt++)
                {
                    try
                    {
                        // One attempt.
                        using var response = await _http.PostAsync("chat", new StringContent(body), cancellationToken);
                        response.EnsureSuccessStatusCode();
                        return await response.Content.ReadAsStringAsync(cancellationToken);
                    }
                    {{catchClause}}
                    {
                        {{wait}}
                    }
                }

                {{tail}}
            }
        }
        """;

    private const string CountedFixed = """
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;
        using RetryGuard;

        class Client
        {
            private const int MaxAttempts = 5;
            private readonly HttpClient _http = new();

            public async Task<string> CompleteAsync(string body, CancellationToken cancellationToken)
            {
                using var retryPolicy = new RetryGuardPolicy(new RetryGuardOptions { MaxRetries = MaxAttempts - 1, RethrowAttemptExceptions = true });
                return await retryPolicy.ExecuteAsync(async ct =>
                {
                    // One attempt.
                    using var response = await _http.PostAsync("chat", new StringContent(body), ct);
                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync(ct);
                }, cancellationToken);
            }
        }
        """;

    [Fact]
    public Task The_samples_exponential_loop_becomes_one_policy_call_with_the_same_attempts_token_and_exceptions() => Fix(
        Counted("catch (HttpRequestException) when (attempt < MaxAttempts - 1)",
            "await {|RG0001:Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt)), cancellationToken)|};"),
        CountedFixed, only: "RG0001");

    [Fact]
    public Task Offered_on_the_retried_caller_errors_too() => Fix(
        Counted("{|RG0002:catch (HttpRequestException) when (attempt < MaxAttempts - 1)|}",
            "await Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt)), cancellationToken);"),
        CountedFixed, only: "RG0002");

    [Fact]
    public Task Applied_from_the_loops_other_warnings_it_takes_the_ignored_retry_after_with_the_loop() => Fix(
        Counted("{|RG0002:catch (HttpRequestException) when (attempt < MaxAttempts - 1)|}",
            "await {|RG0001:{|RG0003:Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt)), cancellationToken)|}|};"),
        CountedFixed, only: null);

    [Fact]
    public Task A_delay_computed_in_locals_and_ConfigureAwait_go_with_the_loop() => Fix(
        Counted("catch (HttpRequestException error) when (attempt + 1 < MaxAttempts)", """
            var seconds = Math.Pow(2, attempt);
                        var delay = TimeSpan.FromSeconds(seconds);
                        await {|RG0001:Task.Delay(delay, cancellationToken)|}.ConfigureAwait(false);
            """),
        CountedFixed, only: "RG0001");

    [Fact]
    public Task An_endless_loop_gets_the_policys_default_bound_and_a_token_free_attempt() => Fix("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class Client
        {
            public async Task<string> GetAsync(HttpClient http, string url)
            {
                {|RG0005:while (true)|}
                {
                    try
                    {
                        return await http.GetStringAsync(url);
                    }
                    catch (HttpRequestException)
                    {
                        await Task.Delay(1000);
                    }
                }
            }
        }
        """, """
        using System.Net.Http;
        using System.Threading.Tasks;
        using RetryGuard;

        class Client
        {
            public async Task<string> GetAsync(HttpClient http, string url)
            {
                using var retryPolicy = new RetryGuardPolicy(new RetryGuardOptions { RethrowAttemptExceptions = true });
                return await retryPolicy.ExecuteAsync(async _ =>
                {
                    return await http.GetStringAsync(url);
                });
            }
        }
        """, only: "RG0005");

    [Fact]
    public Task A_one_based_literal_bound_becomes_a_number_and_a_wider_result_type_is_spelled_out() => Fix("""
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class Client
        {
            public async ValueTask<object> GetAsync(HttpClient http, CancellationToken ct)
            {
                for (var i = 1; i <= 3; i++)
                {
                    try { return await http.GetStringAsync("models", ct); }
                    catch (HttpRequestException) when (i != 3) { await {|RG0001:Task.Delay(500 * i, ct)|}; }
                }

                return null;
            }
        }
        """, """
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;
        using RetryGuard;

        class Client
        {
            public async ValueTask<object> GetAsync(HttpClient http, CancellationToken ct)
            {
                using var retryPolicy = new RetryGuardPolicy(new RetryGuardOptions { MaxRetries = 2, RethrowAttemptExceptions = true });
                return await retryPolicy.ExecuteAsync<object>(async ct2 => { return await http.GetStringAsync("models", ct2); }, ct);
            }
        }
        """, only: "RG0001");

    [Fact]
    public Task Fix_all_rewrites_every_loop_of_the_document_in_one_pass() => Fix("""
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class Client
        {
            public async Task<string> FirstAsync(HttpClient http, CancellationToken cancellationToken)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync("a", cancellationToken); }
                    catch (HttpRequestException) when (attempt < 2) { await {|RG0001:Task.Delay(200 * (attempt + 1), cancellationToken)|}; }
                }

                throw new InvalidOperationException();
            }

            public async Task<byte[]> SecondAsync(HttpClient http)
            {
                for (int attempt = 0; attempt < 4; attempt++)
                {
                    try { return await http.GetByteArrayAsync("b"); }
                    catch (HttpRequestException) when (attempt < 3) { {|RG0001:Thread.Sleep(100)|}; }
                }

                throw new InvalidOperationException();
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;
        using RetryGuard;

        class Client
        {
            public async Task<string> FirstAsync(HttpClient http, CancellationToken cancellationToken)
            {
                using var retryPolicy = new RetryGuardPolicy(new RetryGuardOptions { MaxRetries = 2, RethrowAttemptExceptions = true });
                return await retryPolicy.ExecuteAsync(async ct => { return await http.GetStringAsync("a", ct); }, cancellationToken);
            }

            public async Task<byte[]> SecondAsync(HttpClient http)
            {
                using var retryPolicy = new RetryGuardPolicy(new RetryGuardOptions { MaxRetries = 3, RethrowAttemptExceptions = true });
                return await retryPolicy.ExecuteAsync(async _ => { return await http.GetByteArrayAsync("b"); });
            }
        }
        """, only: "RG0001");

    [Fact]
    public Task Two_loops_of_one_method_get_policies_of_different_names() => Fix("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class Client
        {
            async Task<string> GetAsync(HttpClient http, bool fast)
            {
                if (fast)
                {
                    while (true)
                    {
                        try { return await http.GetStringAsync("fast"); }
                        catch (HttpRequestException) { await {|RG0001:Task.Delay(100)|}; }
                    }
                }

                while (true)
                {
                    try { return await http.GetStringAsync("slow"); }
                    catch (HttpRequestException) { await {|RG0001:Task.Delay(1000)|}; }
                }
            }
        }
        """, """
        using System.Net.Http;
        using System.Threading.Tasks;
        using RetryGuard;

        class Client
        {
            async Task<string> GetAsync(HttpClient http, bool fast)
            {
                if (fast)
                {
                    using var retryPolicy = new RetryGuardPolicy(new RetryGuardOptions { RethrowAttemptExceptions = true });
                    return await retryPolicy.ExecuteAsync(async _ => { return await http.GetStringAsync("fast"); });
                }

                using var retryPolicy2 = new RetryGuardPolicy(new RetryGuardOptions { RethrowAttemptExceptions = true });
                return await retryPolicy2.ExecuteAsync(async _ => { return await http.GetStringAsync("slow"); });
            }
        }
        """, only: "RG0001");

    [Fact]
    public Task Fix_all_in_the_project_rewrites_loops_across_documents() =>
        Verify<RetryAnalyzer>.CodeFixAsync<UseRetryGuardPolicyCodeFix>(
            [("/0/A.cs", Endless("A", "{|RG0001:Task.Delay(250)|}")), ("/0/B.cs", Endless("B", "{|RG0001:Task.Delay(TimeSpan.FromSeconds(1))|}"))],
            [("/0/A.cs", EndlessFixed("A")), ("/0/B.cs", EndlessFixed("B"))],
            only: "RG0001");

    private static string Endless(string name, string wait) => $$"""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class {{name}}
        {
            async Task<string> GetAsync(HttpClient http)
            {
                while (true)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) { await {{wait}}; }
                }
            }
        }
        """;

    private static string EndlessFixed(string name) => $$"""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;
        using RetryGuard;

        class {{name}}
        {
            async Task<string> GetAsync(HttpClient http)
            {
                using var retryPolicy = new RetryGuardPolicy(new RetryGuardOptions { RethrowAttemptExceptions = true });
                return await retryPolicy.ExecuteAsync(async _ => { return await http.GetStringAsync("/"); });
            }
        }
        """;

    // The rewrite as users meet it: an action of each retry rule's one provider, after the rule's targeted fix (the
    // tests of those providers without an equivalence key take the first action and get the targeted edit).

    [Fact]
    public Task The_RG0001_provider_offers_the_rewrite_with_fix_all_up_to_the_solution() =>
        Verify<RetryAnalyzer>.CodeFixAsync<RG0001NoJitterCodeFix>(
            Counted("catch (HttpRequestException) when (attempt < MaxAttempts - 1)",
                "await {|RG0001:Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt)), cancellationToken)|};"),
            CountedFixed, equivalenceKey: UseRetryGuardPolicyCodeFix.EquivalenceKey, only: "RG0001");

    [Fact]
    public Task The_RG0002_provider_offers_the_rewrite() =>
        Verify<RetryAnalyzer>.CodeFixAsync<RG0002NonRetryableStatusCodeFix>(
            Counted("{|RG0002:catch (HttpRequestException) when (attempt < MaxAttempts - 1)|}",
                "await Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt)), cancellationToken);"),
            CountedFixed, equivalenceKey: UseRetryGuardPolicyCodeFix.EquivalenceKey, only: "RG0002");

    [Fact]
    public async Task Not_offered_on_RG0003_the_policy_cannot_read_retry_after_from_an_exception()
    {
        var source = Counted("catch (HttpRequestException) when (attempt < MaxAttempts - 1)",
            "await Task.Delay(Random.Shared.Next(100, 200) * (attempt + 1), cancellationToken);");
        var offered = await FixChecker.OfferedAsync(source, [.. TestReferences.Net100, TestReferences.Runtime, TestReferences.RuntimeLogging]);

        Assert.Contains(offered, action => action.Id == "RG0003");
        Assert.Contains(offered, action => action.Id == "RG0002" && action.Key == UseRetryGuardPolicyCodeFix.EquivalenceKey);
        Assert.DoesNotContain(offered, action => action.Id == "RG0003" && action.Key == UseRetryGuardPolicyCodeFix.EquivalenceKey);
    }

    [Fact]
    public void Every_retry_rule_provider_fixes_all_in_documents_projects_and_the_solution()
    {
        CodeFixProvider[] providers =
        [
            new RG0001NoJitterCodeFix(), new RG0002NonRetryableStatusCodeFix(), new RG0003IgnoresRetryAfterCodeFix(),
            new RG0005UnboundedCodeFix(), new RG0007UncappedRetryAfterCodeFix(),
        ];
        Assert.All(providers, provider => Assert.Equal(
            [FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution],
            provider.GetFixAllProvider()!.GetSupportedFixAllScopes().OrderBy(scope => scope)));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // No fix: the policy would not keep what the loop does.
    // ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public Task No_fix_when_the_last_attempts_exception_is_caught_and_the_loop_throws_its_own() => NoFix(
        Counted("catch (HttpRequestException)", "await {|RG0001:Task.Delay(100 * attempt, cancellationToken)|};"));

    [Fact]
    public Task No_fix_when_the_filter_also_catches_the_last_attempt() => NoFix(
        Counted("catch (HttpRequestException) when (attempt < MaxAttempts)", "await {|RG0001:Task.Delay(100 * attempt, cancellationToken)|};"));

    [Fact]
    public Task No_fix_when_the_filter_lets_the_last_two_attempts_through() => NoFix(
        Counted("catch (HttpRequestException) when (attempt < MaxAttempts - 2)", "await {|RG0001:Task.Delay(100 * attempt, cancellationToken)|};"));

    [Fact]
    public Task No_fix_when_the_filter_chooses_statuses() => NoFix(
        Counted("catch (HttpRequestException e) when (attempt < MaxAttempts - 1 && e.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)",
            "await {|RG0001:Task.Delay(100 * attempt, cancellationToken)|};"));

    [Fact]
    public Task No_fix_when_the_catch_logs_before_waiting() => NoFix(
        Counted("catch (HttpRequestException e) when (attempt < MaxAttempts - 1)", """
            Console.WriteLine(e.Message);
                        await {|RG0001:Task.Delay(100 * attempt, cancellationToken)|};
            """));

    [Fact]
    public Task No_fix_when_the_catch_rethrows_by_itself() => NoFix(
        Counted("catch (HttpRequestException) when (attempt < MaxAttempts - 1)", """
            if (cancellationToken.IsCancellationRequested) throw;
                        await {|RG0001:Task.Delay(100 * attempt, cancellationToken)|};
            """));

    [Fact]
    public Task No_fix_when_the_catch_takes_any_exception() => NoFix(
        Counted("catch (Exception) when (attempt < MaxAttempts - 1)", "await {|RG0001:Task.Delay(100 * attempt, cancellationToken)|};"));

    [Fact]
    public Task No_fix_when_more_than_a_dead_throw_follows_the_loop() => NoFix(
        Counted("catch (HttpRequestException) when (attempt < MaxAttempts - 1)", "await {|RG0001:Task.Delay(100 * attempt, cancellationToken)|};",
            """
            Console.WriteLine("gave up");
                    throw new InvalidOperationException();
            """));

    [Fact]
    public Task No_fix_when_the_attempt_reads_the_counter() => NoFix("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Client
        {
            async Task<string> GetAsync(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync("items?try=" + attempt); }
                    catch (HttpRequestException) when (attempt < 2) { await {|RG0001:Task.Delay(100 * (attempt + 1))|}; }
                }

                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task No_fix_when_the_attempt_carries_state_to_the_next_one() => NoFix("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Client
        {
            async Task<string> GetAsync(HttpClient http)
            {
                string url = "primary";
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try
                    {
                        var target = url;
                        url = "secondary";
                        return await http.GetStringAsync(target);
                    }
                    catch (HttpRequestException) when (attempt < 2) { await {|RG0001:Task.Delay(100 * (attempt + 1))|}; }
                }

                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task No_fix_when_the_attempt_can_fall_through_to_the_next_one() => NoFix("""
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
                    catch (HttpRequestException) when (attempt < 2) { }

                    await {|RG0001:Task.Delay(100 * (attempt + 1))|};
                }

                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task No_fix_when_the_attempt_breaks_out_of_the_loop() => NoFix("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Client
        {
            async Task<string> GetAsync(HttpClient http, bool optional)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try
                    {
                        if (optional) break;
                        return await http.GetStringAsync("/");
                    }
                    catch (HttpRequestException) when (attempt < 2) { await {|RG0001:Task.Delay(100 * (attempt + 1))|}; }
                }

                return "";
            }
        }
        """);

    [Fact]
    public Task No_fix_for_a_status_check_that_retries_only_429_after_its_retry_after() => NoFix("""
        using System.Net;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class Client
        {
            async Task<string> GetAsync(HttpClient http, CancellationToken cancellationToken)
            {
                {|RG0005:while (true)|}
                {
                    using var response = await http.GetAsync("/", cancellationToken);
                    if (response.StatusCode != HttpStatusCode.TooManyRequests)
                    {
                        response.EnsureSuccessStatusCode();
                        return await response.Content.ReadAsStringAsync(cancellationToken);
                    }

                    await Task.Delay(response.Headers.RetryAfter!.Delta!.Value, cancellationToken);
                }
            }
        }
        """, only: "RG0005");

    [Fact]
    public Task No_fix_when_the_loop_returns_responses_that_the_policy_would_judge() => NoFix("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Client
        {
            async Task<HttpResponseMessage> SendAsync(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetAsync("/"); }
                    catch (HttpRequestException) when (attempt < 2) { await {|RG0001:Task.Delay(100 * (attempt + 1))|}; }
                }

                throw new InvalidOperationException();
            }

            async Task<object> SendAnyAsync(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { object result = await http.GetAsync("/"); return result; }
                    catch (HttpRequestException) when (attempt < 2) { await {|RG0001:Task.Delay(100 * (attempt + 1))|}; }
                }

                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task No_fix_when_the_attempt_calls_an_sdk_client_whose_exceptions_the_policy_would_retry() =>
        Verify<RetryAnalyzer>.CodeFixAsync<UseRetryGuardPolicyCodeFix>(SdkLoop, SdkLoop, equivalenceKey: UseRetryGuardPolicyCodeFix.EquivalenceKey,
            only: "RG0001", references: TestReferences.OpenAI);

    private const string SdkLoop = """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;
        using OpenAI.Chat;

        class Client
        {
            async Task<string> AskAsync(ChatClient chat, string prompt)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try
                    {
                        ChatCompletion completion = await chat.CompleteChatAsync(prompt);
                        return completion.Content[0].Text;
                    }
                    catch (HttpRequestException) when (attempt < 2) { await {|RG0001:Task.Delay(100 * (attempt + 1))|}; }
                }

                throw new InvalidOperationException();
            }
        }
        """;

    [Fact]
    public Task No_fix_for_a_synchronous_loop() => NoFix("""
        using System;
        using System.Net.Http;
        using System.Threading;

        class Client
        {
            string Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return http.GetStringAsync("/").Result; }
                    catch (HttpRequestException) when (attempt < 2) { {|RG0001:Thread.Sleep(100 * (attempt + 1))|}; }
                }

                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task No_fix_when_the_bound_is_not_a_constant() => NoFix("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Client
        {
            async Task<string> GetAsync(HttpClient http, int maxAttempts)
            {
                for (int attempt = 0; attempt < maxAttempts; attempt++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) when (attempt < maxAttempts - 1) { await {|RG0001:Task.Delay(100 * (attempt + 1))|}; }
                }

                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task No_fix_when_the_attempt_and_the_wait_use_different_tokens() => NoFix("""
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class Client
        {
            async Task<string> GetAsync(HttpClient http, CancellationToken request, CancellationToken shutdown)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync("/", request); }
                    catch (HttpRequestException) when (attempt < 2) { await {|RG0001:Task.Delay(100 * (attempt + 1), shutdown)|}; }
                }

                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task No_fix_when_the_loop_has_a_finally_or_more_than_the_attempt() => NoFix("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Client
        {
            int _inFlight;

            async Task<string> GetAsync(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { _inFlight++; return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) when (attempt < 2) { await {|RG0001:Task.Delay(100 * (attempt + 1))|}; }
                    finally { _inFlight--; }
                }

                throw new InvalidOperationException();
            }

            async Task<string> GetLoggedAsync(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    Console.WriteLine($"attempt {attempt}");
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) when (attempt < 2) { await {|RG0001:Task.Delay(100 * (attempt + 1))|}; }
                }

                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task No_fix_for_an_endless_loop_with_a_filter_or_a_method_without_a_result() => NoFix("""
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class Client
        {
            async Task<string> GetAsync(HttpClient http, CancellationToken ct)
            {
                while (true)
                {
                    try { return await http.GetStringAsync("/", ct); }
                    catch (HttpRequestException) when (!ct.IsCancellationRequested) { await {|RG0001:Task.Delay(1000, ct)|}; }
                }
            }

            async Task PostAsync(HttpClient http)
            {
                while (true)
                {
                    try { await http.PostAsync("/", null); return; }
                    catch (HttpRequestException) { await {|RG0001:Task.Delay(1000)|}; }
                }
            }
        }
        """);
}
