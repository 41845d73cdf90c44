using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.CodeFixes;

namespace RetryGuard.Analyzers.Tests;

/// <summary>
/// The RG0001 fix: the fixed code is compiled against the real RetryGuard runtime (no compiler errors allowed)
/// and re-analysed (the diagnostic must be gone). The testing library also runs Fix All in document, project
/// and solution scope on every test.
/// </summary>
public class RG0001NoJitterCodeFixTests
{
    private static Task Fix(string source, string fixedSource) =>
        Verify<RetryAnalyzer>.CodeFixAsync<RG0001NoJitterCodeFix>(source, fixedSource, only: "RG0001");

    [Fact]
    public Task Int_milliseconds_become_a_jittered_timespan_and_the_using_is_added() => Fix("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) { await {|RG0001:Task.Delay(1000 * (attempt + 1))|}; }
                }
                throw new InvalidOperationException();
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;
        using RetryGuard;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) { await Task.Delay(Backoff.WithJitter(TimeSpan.FromMilliseconds(1000 * (attempt + 1)))); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Timespan_delay_with_cancellation_is_wrapped_as_it_is() => Fix("""
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;
        using RetryGuard;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http, CancellationToken ct)
            {
                for (int attempt = 1; ; attempt++)
                {
                    try { return await http.GetAsync("/", ct); }
                    catch (HttpRequestException) when (attempt < 5)
                    {
                        await {|RG0001:Task.Delay(TimeSpan.FromSeconds(Math.Pow(2, attempt)), ct)|}.ConfigureAwait(false);
                    }
                }
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
            async Task<HttpResponseMessage> Send(HttpClient http, CancellationToken ct)
            {
                for (int attempt = 1; ; attempt++)
                {
                    try { return await http.GetAsync("/", ct); }
                    catch (HttpRequestException) when (attempt < 5)
                    {
                        await Task.Delay(Backoff.WithJitter(TimeSpan.FromSeconds(Math.Pow(2, attempt))), ct).ConfigureAwait(false);
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Thread_sleep_gets_the_timespan_overload() => Fix("""
        using System.Net.Http;
        using System.Threading;

        class C
        {
            string Get(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return http.GetStringAsync("/").GetAwaiter().GetResult(); }
                    catch (HttpRequestException) { {|RG0001:Thread.Sleep(500)|}; }
                }
                return "";
            }
        }
        """, """
        using System.Net.Http;
        using System.Threading;
        using RetryGuard;

        class C
        {
            string Get(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return http.GetStringAsync("/").GetAwaiter().GetResult(); }
                    catch (HttpRequestException) { Thread.Sleep(Backoff.WithJitter(System.TimeSpan.FromMilliseconds(500))); }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Named_milliseconds_argument_is_renamed() => Fix("""
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task Call(HttpClient http, CancellationToken token)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException) { await {|RG0001:Task.Delay(cancellationToken: token, millisecondsDelay: 250)|}; }
                }
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
            async Task Call(HttpClient http, CancellationToken token)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException) { await Task.Delay(cancellationToken: token, delay: Backoff.WithJitter(TimeSpan.FromMilliseconds(250))); }
                }
            }
        }
        """);

    [Fact]
    public Task Comments_and_layout_around_the_delay_are_kept() => Fix("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task Call(HttpClient http)
            {
                var delay = TimeSpan.FromSeconds(1);
                for (int i = 0; i < 4; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }

                    // back off before the next attempt
                    await {|RG0001:Task.Delay(
                        delay /* grows */)|};
                    delay *= 2;
                }
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;
        using RetryGuard;

        class C
        {
            async Task Call(HttpClient http)
            {
                var delay = TimeSpan.FromSeconds(1);
                for (int i = 0; i < 4; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }

                    // back off before the next attempt
                    await Task.Delay(
                        Backoff.WithJitter(delay) /* grows */);
                    delay *= 2;
                }
            }
        }
        """);

    [Fact]
    public Task File_scoped_namespace_gets_the_using_where_the_others_are() => Fix("""
        using System.Net.Http;
        using System.Threading.Tasks;

        namespace Gateway;

        class C
        {
            async Task Call(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException) { await {|RG0001:Task.Delay(750)|}; }
                }
            }
        }
        """, """
        using System.Net.Http;
        using System.Threading.Tasks;
        using RetryGuard;

        namespace Gateway;

        class C
        {
            async Task Call(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/"); return; }
                    catch (HttpRequestException) { await Task.Delay(Backoff.WithJitter(System.TimeSpan.FromMilliseconds(750))); }
                }
            }
        }
        """);

    [Fact]
    public Task A_user_type_named_Backoff_keeps_the_runtime_name_qualified() => Fix("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        namespace Polly.Contrib.WaitAndRetry
        {
            public static class Backoff
            {
                public static TimeSpan[] ConstantBackoff(TimeSpan delay, int count) => new TimeSpan[count];
            }
        }

        namespace App
        {
            using Polly.Contrib.WaitAndRetry;

            class C
            {
                TimeSpan[] Schedule() => Backoff.ConstantBackoff(TimeSpan.FromSeconds(1), 3);

                async Task Call(HttpClient http)
                {
                    for (int i = 0; i < 3; i++)
                    {
                        try { await http.GetStringAsync("/"); return; }
                        catch (HttpRequestException) { await {|RG0001:Task.Delay(TimeSpan.FromSeconds(1))|}; }
                    }
                }
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        namespace Polly.Contrib.WaitAndRetry
        {
            public static class Backoff
            {
                public static TimeSpan[] ConstantBackoff(TimeSpan delay, int count) => new TimeSpan[count];
            }
        }

        namespace App
        {
            using Polly.Contrib.WaitAndRetry;

            class C
            {
                TimeSpan[] Schedule() => Backoff.ConstantBackoff(TimeSpan.FromSeconds(1), 3);

                async Task Call(HttpClient http)
                {
                    for (int i = 0; i < 3; i++)
                    {
                        try { await http.GetStringAsync("/"); return; }
                        catch (HttpRequestException) { await Task.Delay(RetryGuard.Backoff.WithJitter(TimeSpan.FromSeconds(1))); }
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Fix_all_in_one_document_without_usings_fixes_every_wait_in_one_pass() => Verify<RetryAnalyzer>.CodeFixAsync<RG0001NoJitterCodeFix>("""
        class C
        {
            async System.Threading.Tasks.Task A(System.Net.Http.HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/a"); return; }
                    catch (System.Net.Http.HttpRequestException) { await {|RG0001:System.Threading.Tasks.Task.Delay(100)|}; }
                }
            }

            async System.Threading.Tasks.Task B(System.Net.Http.HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/b"); return; }
                    catch (System.Net.Http.HttpRequestException) { await {|RG0001:System.Threading.Tasks.Task.Delay(200 * i)|}; }
                }
            }

            void C2(System.Net.Http.HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { http.GetStringAsync("/c").Wait(); return; }
                    catch (System.AggregateException) { {|RG0001:System.Threading.Thread.Sleep(System.TimeSpan.FromSeconds(i))|}; }
                }
            }
        }
        """, """
        using RetryGuard;

        class C
        {
            async System.Threading.Tasks.Task A(System.Net.Http.HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/a"); return; }
                    catch (System.Net.Http.HttpRequestException) { await System.Threading.Tasks.Task.Delay(Backoff.WithJitter(System.TimeSpan.FromMilliseconds(100))); }
                }
            }

            async System.Threading.Tasks.Task B(System.Net.Http.HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("/b"); return; }
                    catch (System.Net.Http.HttpRequestException) { await System.Threading.Tasks.Task.Delay(Backoff.WithJitter(System.TimeSpan.FromMilliseconds(200 * i))); }
                }
            }

            void C2(System.Net.Http.HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { http.GetStringAsync("/c").Wait(); return; }
                    catch (System.AggregateException) { System.Threading.Thread.Sleep(Backoff.WithJitter(System.TimeSpan.FromSeconds(i))); }
                }
            }
        }
        """, iterations: 1, only: "RG0001");

    [Fact]
    public Task Fix_all_across_documents() => Verify<RetryAnalyzer>.CodeFixAsync<RG0001NoJitterCodeFix>(
        new[]
        {
            ("A.cs", """
                using System.Net.Http;
                using System.Threading.Tasks;

                class A
                {
                    async Task Call(HttpClient http)
                    {
                        for (int i = 0; i < 3; i++)
                        {
                            try { await http.GetStringAsync("/"); return; }
                            catch (HttpRequestException) { await {|RG0001:Task.Delay(1000)|}; }
                        }
                    }
                }
                """),
            ("B.cs", """
                using System;
                using System.Net.Http;
                using System.Threading.Tasks;

                class B
                {
                    async Task Call(HttpClient http)
                    {
                        for (int i = 0; i < 3; i++)
                        {
                            var response = await http.GetAsync("/");
                            if (response.IsSuccessStatusCode) return;
                            await {|RG0001:Task.Delay(TimeSpan.FromSeconds(2))|};
                        }
                    }
                }
                """),
        },
        new[]
        {
            ("A.cs", """
                using System.Net.Http;
                using System.Threading.Tasks;
                using RetryGuard;

                class A
                {
                    async Task Call(HttpClient http)
                    {
                        for (int i = 0; i < 3; i++)
                        {
                            try { await http.GetStringAsync("/"); return; }
                            catch (HttpRequestException) { await Task.Delay(Backoff.WithJitter(System.TimeSpan.FromMilliseconds(1000))); }
                        }
                    }
                }
                """),
            ("B.cs", """
                using System;
                using System.Net.Http;
                using System.Threading.Tasks;
                using RetryGuard;

                class B
                {
                    async Task Call(HttpClient http)
                    {
                        for (int i = 0; i < 3; i++)
                        {
                            var response = await http.GetAsync("/");
                            if (response.IsSuccessStatusCode) return;
                            await Task.Delay(Backoff.WithJitter(TimeSpan.FromSeconds(2)));
                        }
                    }
                }
                """),
        },
        only: "RG0001");
}
