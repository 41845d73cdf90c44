using Microsoft.CodeAnalysis;
using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests;

/// <summary>RG0001 on hand-written retry loops: what is flagged and, at least as carefully, what is not.</summary>
public class RG0001NoJitterTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Net;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    private static Task Flags(string code) => Verify<RetryAnalyzer>.AnalyzerAsync(Usings + code, only: "RG0001");

    private static Task Clean(string code) => Verify<RetryAnalyzer>.AnalyzerAsync(Usings + code, only: "RG0001");

    // ----------------------------------------------------------------------------------------------------------
    // Positive: retry loops whose wait has no random component.
    // ----------------------------------------------------------------------------------------------------------

    [Fact]
    public Task For_loop_catch_with_linear_delay() => Flags("""
        class C
        {
            async Task<string> Get(HttpClient http, string url)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync(url); }
                    catch (HttpRequestException) { await {|RG0001:Task.Delay(1000 * (attempt + 1))|}; }
                }
                throw new InvalidOperationException("gave up");
            }
        }
        """);

    [Fact]
    public Task Exponential_with_math_pow_in_timespan() => Flags("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http, CancellationToken ct)
            {
                for (int attempt = 1; ; attempt++)
                {
                    try { return await http.GetAsync("https://api.example.com/v1/models", ct); }
                    catch (HttpRequestException) when (attempt < 5)
                    {
                        await {|RG0001:Task.Delay(TimeSpan.FromSeconds(Math.Pow(2, attempt)), ct)|};
                    }
                }
            }
        }
        """);

    [Fact]
    public Task While_true_with_counter_and_rethrow() => Flags("""
        class C
        {
            private const int MaxRetries = 4;
            private const int RetryDelayMs = 500;

            async Task Post(HttpClient http, HttpContent body)
            {
                int retries = 0;
                while (true)
                {
                    try
                    {
                        var response = await http.PostAsync("/v1/chat/completions", body);
                        response.EnsureSuccessStatusCode();
                        break;
                    }
                    catch (HttpRequestException)
                    {
                        retries++;
                        if (retries >= MaxRetries) throw;
                        await {|RG0001:Task.Delay(RetryDelayMs * retries)|};
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Status_check_is_success_then_wait() => Flags("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http, string url)
            {
                var delay = TimeSpan.FromSeconds(1);
                for (int i = 0; i < 4; i++)
                {
                    var response = await http.GetAsync(url);
                    if (response.IsSuccessStatusCode)
                    {
                        return response;
                    }

                    await {|RG0001:Task.Delay(delay)|};
                    delay *= 2;
                }

                throw new HttpRequestException("still failing");
            }
        }
        """);

    [Fact]
    public Task Status_check_on_429_in_do_while() => Flags("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http, Func<HttpRequestMessage> build)
            {
                HttpResponseMessage response;
                int attempt = 0;
                do
                {
                    response = await http.SendAsync(build());
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) break;
                    await {|RG0001:Task.Delay(2000)|};
                } while (++attempt < 5);
                return response;
            }
        }
        """);

    [Fact]
    public Task Int_status_comparison_branch_with_continue() => Flags("""
        class C
        {
            async Task<string> Send(HttpClient http, string url)
            {
                for (var attempt = 0; attempt < 3; attempt++)
                {
                    var response = await http.GetAsync(url);
                    if ((int)response.StatusCode >= 500)
                    {
                        await {|RG0001:Task.Delay(250 << attempt)|};
                        continue;
                    }

                    return await response.Content.ReadAsStringAsync();
                }

                return "";
            }
        }
        """);

    [Fact]
    public Task Thread_sleep_in_synchronous_retry() => Flags("""
        class C
        {
            string Get(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return http.GetStringAsync("/health").GetAwaiter().GetResult(); }
                    catch (HttpRequestException) { {|RG0001:Thread.Sleep(1000)|}; }
                }
                return "down";
            }
        }
        """);

    [Fact]
    public Task Generic_retry_helper_over_a_delegate() => Flags("""
        static class Retry
        {
            public static async Task<T> RunAsync<T>(Func<Task<T>> operation, int maxAttempts = 3)
            {
                for (int attempt = 1; ; attempt++)
                {
                    try { return await operation(); }
                    catch (Exception) when (attempt < maxAttempts)
                    {
                        await {|RG0001:Task.Delay(TimeSpan.FromMilliseconds(200 * Math.Pow(2, attempt)))|};
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Delay_from_a_parameter_of_the_retry_helper() => Flags("""
        static class Retry
        {
            public static async Task Run(Func<Task> operation, TimeSpan delay, int attempts)
            {
                for (int i = 0; i < attempts; i++)
                {
                    try { await operation(); return; }
                    catch (TimeoutException) { await {|RG0001:Task.Delay(delay)|}; }
                }
            }
        }
        """);

    [Fact]
    public Task Delay_through_a_small_helper_in_another_class() => Flags("""
        static class Delays
        {
            public static TimeSpan For(int attempt) => TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, attempt)));
        }

        class C
        {
            async Task Call(HttpClient http)
            {
                for (int attempt = 0; attempt < 5; attempt++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException) { await {|RG0001:Task.Delay(Delays.For(attempt))|}; }
                }
            }
        }
        """);

    [Fact]
    public Task Delay_from_a_readonly_field() => Flags("""
        class C
        {
            private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

            async Task Call(HttpClient http)
            {
                var done = false;
                var attempts = 0;
                while (!done && attempts < 3)
                {
                    try
                    {
                        await http.DeleteAsync("/v1/files/1");
                        done = true;
                    }
                    catch (HttpRequestException)
                    {
                        attempts++;
                        await {|RG0001:Task.Delay(RetryDelay)|};
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Foreach_over_a_fixed_delay_schedule() => Flags("""
        class C
        {
            async Task<string> Call(HttpClient http)
            {
                foreach (var seconds in new[] { 1, 2, 4, 8 })
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) { await {|RG0001:Task.Delay(TimeSpan.FromSeconds(seconds))|}; }
                }
                return await http.GetStringAsync("/");
            }
        }
        """);

    [Fact]
    public Task Result_success_check() => Flags("""
        record Result(bool IsSuccess, string Value);

        interface IGateway { Task<Result> CompleteAsync(string prompt); }

        class C
        {
            async Task<string> Ask(IGateway gateway, string prompt)
            {
                for (int i = 0; i < 3; i++)
                {
                    var result = await gateway.CompleteAsync(prompt);
                    if (result.IsSuccess) return result.Value;
                    await {|RG0001:Task.Delay(1500)|};
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Switch_on_status_code() => Flags("""
        class C
        {
            async Task<string> Call(HttpClient http)
            {
                for (int attempt = 0; attempt < 4; attempt++)
                {
                    var response = await http.GetAsync("/v1/models");
                    switch (response.StatusCode)
                    {
                        case HttpStatusCode.OK:
                            return await response.Content.ReadAsStringAsync();
                        case HttpStatusCode.ServiceUnavailable:
                        case HttpStatusCode.BadGateway:
                            await {|RG0001:Task.Delay(1000 * attempt)|};
                            break;
                        default:
                            throw new HttpRequestException(response.StatusCode.ToString());
                    }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Retry_in_a_lambda() => Flags("""
        class C
        {
            Func<Task<string>> Make(HttpClient http) => async () =>
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) { await {|RG0001:Task.Delay(300)|}; }
                }
                return "";
            };
        }
        """);

    [Fact]
    public Task Retry_in_a_local_function() => Flags("""
        class C
        {
            async Task<string> Outer(HttpClient http)
            {
                return await Attempt();

                async Task<string> Attempt()
                {
                    for (int i = 0; i < 3; i++)
                    {
                        try { return await http.GetStringAsync("/"); }
                        catch (TaskCanceledException) { await {|RG0001:Task.Delay(100 * i)|}; }
                    }
                    return "";
                }
            }
        }
        """);

    [Fact]
    public Task Retry_in_top_level_statements() => Verify<RetryAnalyzer>.AnalyzerAsync(Usings + """
        var http = new HttpClient();
        string? body = null;
        for (int i = 0; i < 3 && body is null; i++)
        {
            try { body = await http.GetStringAsync("https://gateway.example/v1/models"); }
            catch (HttpRequestException) { await {|RG0001:Task.Delay(2000)|}; }
        }
        Console.WriteLine(body);
        """, outputKind: OutputKind.ConsoleApplication, only: "RG0001");

    [Fact]
    public Task Is_pattern_with_or() => Flags("""
        class C
        {
            async Task<HttpResponseMessage> Call(HttpClient http)
            {
                HttpResponseMessage response = null!;
                for (int i = 0; i < 3; i++)
                {
                    response = await http.GetAsync("/");
                    if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
                    {
                        await {|RG0001:Task.Delay(TimeSpan.FromSeconds(5))|};
                        continue;
                    }
                    break;
                }
                return response;
            }
        }
        """);

    [Fact]
    public Task Two_waits_in_one_loop_both_reported() => Flags("""
        class C
        {
            async Task<string> Call(HttpClient http)
            {
                for (int i = 0; i < 5; i++)
                {
                    try
                    {
                        var response = await http.GetAsync("/");
                        if (response.StatusCode == HttpStatusCode.TooManyRequests)
                        {
                            await {|RG0001:Task.Delay(10_000)|};
                            continue;
                        }
                        return await response.Content.ReadAsStringAsync();
                    }
                    catch (HttpRequestException)
                    {
                        await {|RG0001:Task.Delay(1000)|};
                    }
                }
                return "";
            }
        }
        """);

    [Fact]
    public async Task Message_names_the_wait()
    {
        var test = new Microsoft.CodeAnalysis.CSharp.Testing.CSharpAnalyzerTest<RetryAnalyzer, Microsoft.CodeAnalysis.Testing.DefaultVerifier>
        {
            TestCode = Usings + """
                class C
                {
                    async Task Call(HttpClient http)
                    {
                        for (int i = 0; i < 3; i++)
                        {
                            try { await http.GetStringAsync("/"); return; }
                            catch (HttpRequestException) { await Task.Delay(1000 * i); }
                        }
                    }
                }
                """,
            ReferenceAssemblies = TestReferences.None,
        };
        test.TestState.AdditionalReferences.AddRange(TestReferences.Net100);
        Verify<RetryAnalyzer>.Focus(test, "RG0001");
        test.ExpectedDiagnostics.Add(new Microsoft.CodeAnalysis.Testing.DiagnosticResult(RuleCatalog.RG0001NoJitter)
            .WithSpan(15, 50, 15, 70)
            .WithArguments("Task.Delay(1000 * i)"));
        await test.RunAsync();
    }

    // ----------------------------------------------------------------------------------------------------------
    // Negative: jittered retries, server-directed waits, and loops that are not retries at all.
    // ----------------------------------------------------------------------------------------------------------

    [Fact]
    public Task Jitter_from_random_shared() => Clean("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException)
                    {
                        var ceiling = 1000 * Math.Pow(2, attempt);
                        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling));
                    }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Jitter_from_a_random_field_added_to_the_base() => Clean("""
        class C
        {
            private readonly Random _random = new();

            async Task Call(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException)
                    {
                        int delay = (int)Math.Pow(2, attempt) * 1000;
                        delay += _random.Next(0, 250);
                        await Task.Delay(delay);
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Jitter_from_random_number_generator() => Clean("""
        class C
        {
            async Task Call(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException)
                    {
                        await Task.Delay(System.Security.Cryptography.RandomNumberGenerator.GetInt32(100, 1000 << attempt));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Jitter_from_the_runtime_backoff() => Clean("""
        using RetryGuard;

        class C
        {
            async Task Call(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException)
                    {
                        await Task.Delay(Backoff.Exponential(attempt, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Jittered_helper_in_another_class() => Clean("""
        static class Delays
        {
            private static readonly Random Rng = new();
            public static TimeSpan Next(int attempt) => TimeSpan.FromMilliseconds(Rng.Next(0, 1000 * (1 << attempt)));
        }

        class C
        {
            async Task Call(HttpClient http)
            {
                for (int attempt = 0; attempt < 5; attempt++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException) { await Task.Delay(Delays.Next(attempt)); }
                }
            }
        }
        """);

    [Fact]
    public Task Delay_from_retry_after_header_through_a_local() => Clean("""
        class C
        {
            async Task<HttpResponseMessage> Call(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    await Task.Delay(wait);
                }
                throw new HttpRequestException("rate limited");
            }
        }
        """);

    [Fact]
    public Task Delay_from_retry_after_ms_header() => Clean("""
        class C
        {
            async Task<HttpResponseMessage> Call(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode) return response;
                    int ms = 1000;
                    if (response.Headers.TryGetValues("retry-after-ms", out var values)) ms = int.Parse(values.First());
                    await Task.Delay(ms);
                }
                throw new HttpRequestException("rate limited");
            }
        }
        """);

    [Fact]
    public Task Polling_a_job_until_done() => Clean("""
        record Job(string Id, bool Done);

        class C
        {
            async Task<Job> WaitForJob(HttpClient http, string id)
            {
                while (true)
                {
                    var job = await GetJob(http, id);
                    if (job.Done) return job;
                    await Task.Delay(TimeSpan.FromSeconds(5));
                }
            }

            Task<Job> GetJob(HttpClient http, string id) => Task.FromResult(new Job(id, true));
        }
        """);

    [Fact]
    public Task Polling_for_202_accepted() => Clean("""
        class C
        {
            async Task<HttpResponseMessage> Poll(HttpClient http, string location)
            {
                while (true)
                {
                    var response = await http.GetAsync(location);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        await Task.Delay(2000);
                        continue;
                    }
                    return response;
                }
            }
        }
        """);

    [Fact]
    public Task Polling_with_error_tolerance_waits_on_success_too() => Clean("""
        record Status(bool Complete);

        class C
        {
            async Task Watch(HttpClient http, Func<Task<Status>> check, CancellationToken ct)
            {
                while (!ct.IsCancellationRequested)
                {
                    try
                    {
                        var status = await check();
                        if (status.Complete) return;
                    }
                    catch (HttpRequestException) { }

                    await Task.Delay(1000, ct);
                }
            }
        }
        """);

    [Fact]
    public Task Pacing_between_items_of_a_batch() => Clean("""
        class C
        {
            async Task SendAll(HttpClient http, IEnumerable<string> prompts)
            {
                foreach (var prompt in prompts)
                {
                    await http.PostAsync("/v1/completions", new StringContent(prompt));
                    await Task.Delay(200);
                }
            }
        }
        """);

    [Fact]
    public Task Batch_with_a_cool_down_after_a_failed_item() => Clean("""
        class C
        {
            async Task SendAll(HttpClient http, IReadOnlyList<string> prompts)
            {
                for (int i = 0; i < prompts.Count; i++)
                {
                    try { await http.PostAsync("/v1/completions", new StringContent(prompts[i])); }
                    catch (HttpRequestException) { await Task.Delay(1000); }
                }
            }
        }
        """);

    [Fact]
    public Task Background_worker_loop_with_idle_delay() => Clean("""
        class Worker
        {
            async Task Run(Func<Task> drainQueue, CancellationToken ct)
            {
                while (!ct.IsCancellationRequested)
                {
                    try { await drainQueue(); }
                    catch (Exception) { Console.WriteLine("drain failed"); }
                    await Task.Delay(TimeSpan.FromSeconds(10), ct);
                }
            }
        }
        """);

    [Fact]
    public Task Worker_loop_that_backs_off_after_an_error_but_never_leaves() => Clean("""
        class Worker
        {
            async Task Run(Func<Task> poll, CancellationToken ct)
            {
                while (!ct.IsCancellationRequested)
                {
                    try { await poll(); }
                    catch (HttpRequestException) { await Task.Delay(5000, ct); }
                }
            }
        }
        """);

    [Fact]
    public Task File_lock_retry_is_local_work() => Clean("""
        class C
        {
            void Save(string path, string text)
            {
                for (int i = 0; i < 5; i++)
                {
                    try { System.IO.File.WriteAllText(path, text); return; }
                    catch (System.IO.IOException) { Thread.Sleep(100); }
                }
            }
        }
        """);

    [Fact]
    public Task Delay_from_options_is_not_judged() => Clean("""
        class RetryOptions { public TimeSpan Delay { get; set; } }

        class C
        {
            private readonly RetryOptions _options = new();

            async Task Call(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException) { await Task.Delay(_options.Delay); }
                }
            }
        }
        """);

    [Fact]
    public Task Zero_delay_yield_is_not_a_backoff() => Clean("""
        class C
        {
            async Task Call(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException) { await Task.Delay(0); }
                }
            }
        }
        """);

    [Fact]
    public Task Wait_before_rethrow_is_not_followed_by_an_attempt() => Clean("""
        class C
        {
            async Task Call(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException)
                    {
                        await Task.Delay(100);
                        throw;
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Delay_after_a_failure_with_no_second_attempt() => Clean("""
        class C
        {
            async Task<string> Call(HttpClient http)
            {
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException)
                {
                    await Task.Delay(1000);
                    return "unavailable";
                }
            }
        }
        """);

    [Fact]
    public Task Catch_and_retry_once_is_a_retry_too() => Flags("""
        class C
        {
            async Task<string> Call(HttpClient http)
            {
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException)
                {
                    await {|RG0001:Task.Delay(1000)|};
                    return await http.GetStringAsync("/");
                }
            }
        }
        """);

    [Fact]
    public Task Rate_limit_wait_keyed_on_retry_after_in_catch() => Clean("""
        class RateLimitedException : Exception { public TimeSpan RetryAfter { get; init; } }

        class C
        {
            async Task Call(Func<Task> send)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await send(); return; }
                    catch (RateLimitedException e) { await Task.Delay(e.RetryAfter); }
                }
            }
        }
        """);

    [Fact]
    public Task Success_status_loop_paginating_with_pacing() => Clean("""
        class C
        {
            async Task ReadAll(HttpClient http)
            {
                string? next = "/v1/items";
                while (next is not null)
                {
                    var response = await http.GetAsync(next);
                    if (!response.IsSuccessStatusCode) return;
                    next = response.Headers.Location?.ToString();
                    await Task.Delay(100);
                }
            }
        }
        """);

    [Fact]
    public Task Wait_in_a_nested_batch_loop_is_judged_by_that_loop() => Clean("""
        class C
        {
            async Task Run(HttpClient http, string[] urls)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try
                    {
                        foreach (var url in urls)
                        {
                            await http.GetStringAsync(url);
                            await Task.Delay(50);
                        }
                        return;
                    }
                    catch (HttpRequestException)
                    {
                        await Task.Delay(Random.Shared.Next(500, 1500));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Generated_code_is_skipped() => Verify<RetryAnalyzer>.AnalyzerAsync(only: null, source: "// <auto-generated/>\n" + Usings + """
        class C
        {
            async Task Call(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException) { await Task.Delay(1000); }
                }
            }
        }
        """);

    [Fact]
    public Task A_member_marked_generated_is_skipped_but_not_its_neighbours() => Verify<RetryAnalyzer>.AnalyzerAsync(Usings + """
        class C
        {
            [System.CodeDom.Compiler.GeneratedCode("tool", "1.0")]
            async Task Generated(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException) { await Task.Delay(1000); }
                }
            }

            async Task Written(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException) { await {|RG0001:Task.Delay(1000)|}; }
                }
            }
        }

        [System.CodeDom.Compiler.GeneratedCode("tool", "1.0")]
        class Generated
        {
            async Task Call(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException) { await Task.Delay(1000); }
                }
            }
        }
        """, only: "RG0001");

    [Fact]
    public Task Code_that_does_not_compile_yet_reports_nothing_it_cannot_see_and_never_throws() =>
        Verify<RetryAnalyzer>.AnalyzerIgnoringCompilerErrorsAsync(only: "RG0001", source: Usings + """
        class C
        {
            async Task Call(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync(; return; }
                    catch (HttpRequestException) { await Task.Delay(UnknownDelay(i)); }
                }
                while (true)
                {
                    try { await Missing.Call(); break; }
                    catch (Whatever) { await Task.Delay(
                }
            }
        }
        """);

    [Fact]
    public Task Code_that_does_not_compile_still_gets_the_clear_cases() =>
        Verify<RetryAnalyzer>.AnalyzerIgnoringCompilerErrorsAsync(only: "RG0001", source: Usings + """
        class C
        {
            async Task Call(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException) { await {|RG0001:Task.Delay(1000)|}; undefinedVariable++; }
                }
            }
        }
        """);
}
