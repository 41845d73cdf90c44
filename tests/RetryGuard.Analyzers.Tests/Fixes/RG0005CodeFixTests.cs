using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.CodeFixes;

namespace RetryGuard.Analyzers.Tests.Fixes;

/// <summary>
/// The RG0005 fix: an attempt cap (a local constant and a counter) on while (true) / for (;;) retries; after the
/// cap the last failure leaves the way the code's own non-retry path does.
/// </summary>
public class RG0005CodeFixTests
{
    private static Task Fix(string source, string fixedSource) =>
        Verify<RetryAnalyzer>.CodeFixAsync<RG0005UnboundedCodeFix>(source, fixedSource, only: "RG0005");

    private static Task NoFix(string source) => Fix(source, source);

    [Fact]
    public Task Sample_status_loop_exits_through_EnsureSuccessStatusCode_after_the_cap() => Fix("""
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
                // Nothing ends this loop while the server keeps answering 429.
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
        """, """
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
                // Nothing ends this loop while the server keeps answering 429.
                const int MaxRetryAttempts = 5;
                for (int attempt = 1; ; attempt++)
                {
                    using var response = await http.GetAsync("/", cancellationToken);
                    if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt >= MaxRetryAttempts)
                    {
                        response.EnsureSuccessStatusCode();
                        return await response.Content.ReadAsStringAsync(cancellationToken);
                    }

                    await Task.Delay(response.Headers.RetryAfter!.Delta!.Value, cancellationToken);
                }
            }
        }
        """);

    [Fact]
    public Task Exception_loop_lets_the_last_exception_propagate() => Fix("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                {|RG0005:for (;;)|}
                {
                    try
                    {
                        return await http.GetStringAsync("/");
                    }
                    catch (HttpRequestException)
                    {
                        await Task.Delay(1000);
                    }
                    catch (TimeoutException e) when (e.Message.Length > 0)
                    {
                        await Task.Delay(1000);
                    }
                }
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                const int MaxAttempts = 5;
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        return await http.GetStringAsync("/");
                    }
                    catch (HttpRequestException) when (attempt < MaxAttempts)
                    {
                        await Task.Delay(1000);
                    }
                    catch (TimeoutException e) when (e.Message.Length > 0 && attempt < MaxAttempts)
                    {
                        await Task.Delay(1000);
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Exit_that_returns_the_response_returns_the_last_failure() => Fix("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                {|RG0005:while (true)|}
                {
                    var response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode) return response;
                    await Task.Delay(500);
                }
            }
        }
        """, """
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                const int MaxAttempts = 5;
                for (int attempt = 1; ; attempt++)
                {
                    var response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode || attempt >= MaxAttempts) return response;
                    await Task.Delay(500);
                }
            }
        }
        """);

    [Fact]
    public Task No_fix_when_the_exit_would_pass_a_failure_off_as_success() => NoFix("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                {|RG0005:while (true)|}
                {
                    var response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode)
                    {
                        return await response.Content.ReadAsStringAsync();
                    }

                    await Task.Delay(500);
                }
            }
        }
        """);

    [Fact]
    public Task No_fix_when_a_continue_also_retries() => NoFix("""
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                {|RG0005:while (true)|}
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        await Task.Delay(500);
                        continue;
                    }

                    if (response.IsSuccessStatusCode) return response;
                    await Task.Delay(500);
                }
            }
        }
        """);

    [Fact]
    public Task A_catch_that_continues_before_a_break_gets_the_cap() => Fix("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http, string url)
            {
                string text;
                {|RG0005:while (true)|}
                {
                    try
                    {
                        text = await http.GetStringAsync(url);
                    }
                    catch (HttpRequestException)
                    {
                        await Task.Delay(Random.Shared.Next(1000));
                        continue;
                    }
                    catch (TimeoutException)
                    {
                        text = "";
                    }

                    break;
                }

                return text;
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http, string url)
            {
                string text;
                const int MaxAttempts = 5;
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        text = await http.GetStringAsync(url);
                    }
                    catch (HttpRequestException) when (attempt < MaxAttempts)
                    {
                        await Task.Delay(Random.Shared.Next(1000));
                        continue;
                    }
                    catch (TimeoutException)
                    {
                        text = "";
                    }

                    break;
                }

                return text;
            }
        }
        """);

    [Fact]
    public Task A_do_loop_whose_catches_continue_or_fall_through_caps_both() => Fix("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                {|RG0005:do|}
                {
                    try
                    {
                        return await http.GetStringAsync("/");
                    }
                    catch (HttpRequestException)
                    {
                        await Task.Delay(Random.Shared.Next(1000));
                        continue;
                    }
                    catch (TimeoutException)
                    {
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                } while (true);
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                const int MaxAttempts = 5;
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        return await http.GetStringAsync("/");
                    }
                    catch (HttpRequestException) when (attempt < MaxAttempts)
                    {
                        await Task.Delay(Random.Shared.Next(1000));
                        continue;
                    }
                    catch (TimeoutException) when (attempt < MaxAttempts)
                    {
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task No_fix_when_a_later_catch_would_swallow_the_last_failure() => NoFix("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string?> Get(HttpClient http, string u)
            {
                string? text = null;
                {|RG0005:while (true)|}
                {
                    try { text = await http.GetStringAsync(u); }
                    catch (HttpRequestException) { await Task.Delay(1000); continue; }
                    catch (Exception e) { Console.WriteLine(e.Message); }
                    break;
                }
                return text;
            }
        }
        """);

    [Fact]
    public Task No_fix_when_the_continue_is_not_the_end_of_the_catch() => NoFix("""
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http, int max)
            {
                int attempt = 0;
                {|RG0005:while (true)|}
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e)
                    {
                        if (e.StatusCode == HttpStatusCode.TooManyRequests || attempt < max)
                        {
                            attempt++;
                            await Task.Delay(Random.Shared.Next(1000));
                            continue;
                        }
                        throw;
                    }
                }
            }
        }
        """);

    [Fact]
    public Task No_fix_when_a_status_check_also_continues_besides_the_catch() => NoFix("""
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http, string url)
            {
                string text;
                {|RG0005:while (true)|}
                {
                    using var response = await http.GetAsync(url);
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable) { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    try { text = await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync(); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    break;
                }

                return text;
            }
        }
        """);

    [Fact]
    public Task No_fix_for_a_do_loop_whose_condition_is_a_status_or_a_counter() => NoFix("""
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                int attempt = 0;
                HttpResponseMessage response;
                {|RG0005:do|}
                {
                    response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode) return response;
                    attempt++;
                    await Task.Delay(Random.Shared.Next(1000));
                } while (response.StatusCode == HttpStatusCode.TooManyRequests || attempt < 3);
                return response;
            }
        }
        """);

    [Fact]
    public Task No_fix_for_an_unbounded_recursive_retry() => NoFix("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                try
                {
                    return await http.GetStringAsync("/");
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(1000);
                    return await {|RG0005:Get(http)|};
                }
            }
        }
        """);

    [Fact]
    public Task A_do_while_true_catch_retry_gets_the_cap() => Fix("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                {|RG0005:do|}
                {
                    try
                    {
                        return await http.GetStringAsync("/");
                    }
                    catch (HttpRequestException)
                    {
                        await Task.Delay(1000);
                    }
                }
                while (true);
            }
        }
        """, """
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                const int MaxAttempts = 5;
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        return await http.GetStringAsync("/");
                    }
                    catch (HttpRequestException) when (attempt < MaxAttempts)
                    {
                        await Task.Delay(1000);
                    }
                }
            }
        }
        """);

    [Fact]
    public Task A_do_while_true_keeps_the_comments_of_its_tail() => Fix("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                {|RG0005:do|}
                {
                    try
                    {
                        return await http.GetStringAsync("/");
                    }
                    catch (HttpRequestException)
                    {
                        await Task.Delay(1000);
                    }
                }
                // the gateway drops connections under load
                while (/* forever */ true); // until it answers
            }
        }
        """, """
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                const int MaxAttempts = 5;
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        return await http.GetStringAsync("/");
                    }
                    catch (HttpRequestException) when (attempt < MaxAttempts)
                    {
                        await Task.Delay(1000);
                    }
                } // the gateway drops connections under load
                /* forever */
                // until it answers
            }
        }
        """);

    [Fact]
    public Task A_do_while_true_status_retry_with_the_while_on_the_brace_line_gets_the_cap() => Fix("""
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                {|RG0005:do|}
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.ServiceUnavailable) return response;
                    await Task.Delay(1000);
                } while (true);
            }
        }
        """, """
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                const int MaxAttempts = 5;
                for (int attempt = 1; ; attempt++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt >= MaxAttempts) return response;
                    await Task.Delay(1000);
                }
            }
        }
        """);

    [Fact]
    public Task No_fix_for_a_do_loop_with_a_condition() => NoFix("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                string result = null;
                {|RG0005:do|}
                {
                    try
                    {
                        result = await http.GetStringAsync("/");
                    }
                    catch (HttpRequestException)
                    {
                        await Task.Delay(1000);
                    }
                }
                while (result == null);
                return result;
            }
        }
        """);

    [Fact]
    public Task A_goto_retry_counts_its_attempts_before_jumping_back() => Fix("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
            retry:
                try
                {
                    return await http.GetStringAsync("/");
                }
                catch (HttpRequestException e) when (e.StatusCode is null)
                {
                    await Task.Delay(1000);
                    {|RG0005:goto retry;|}
                }
            }
        }
        """, """
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                const int MaxAttempts = 5;
                int attempt = 1;
            retry:
                try
                {
                    return await http.GetStringAsync("/");
                }
                catch (HttpRequestException e) when (e.StatusCode is null && attempt < MaxAttempts)
                {
                    await Task.Delay(1000);
                    attempt++;
                    goto retry;
                }
            }
        }
        """);

    [Fact]
    public Task A_goto_retry_with_a_catch_that_gives_up_caps_only_the_catch_that_jumps() => Fix("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
            again:
                try
                {
                    return await http.GetStringAsync("/");
                }
                catch (TaskCanceledException)
                {
                    throw new TimeoutException();
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(1000);
                    {|RG0005:goto again;|}
                }
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                const int MaxAttempts = 5;
                int attempt = 1;
            again:
                try
                {
                    return await http.GetStringAsync("/");
                }
                catch (TaskCanceledException)
                {
                    throw new TimeoutException();
                }
                catch (HttpRequestException) when (attempt < MaxAttempts)
                {
                    await Task.Delay(1000);
                    attempt++;
                    goto again;
                }
            }
        }
        """);

    [Fact]
    public Task No_fix_for_a_goto_that_is_not_the_last_statement_of_its_catch() => NoFix("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http, bool log)
            {
            retry:
                try
                {
                    return await http.GetStringAsync("/");
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(1000);
                    if (log) {|RG0005:goto retry;|}
                    throw;
                }
            }
        }
        """);

    [Fact]
    public Task No_fix_for_a_goto_to_a_label_that_is_not_on_the_try() => NoFix("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
            retry:
                await Task.Yield();
                try
                {
                    return await http.GetStringAsync("/");
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(1000);
                    {|RG0005:goto retry;|}
                }
            }
        }
        """);

    [Fact]
    public Task No_fix_when_the_try_block_also_jumps_back() => NoFix("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
            retry:
                try
                {
                    var text = await http.GetStringAsync("/");
                    if (text.Length == 0) goto retry;
                    return text;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(1000);
                    {|RG0005:goto retry;|}
                }
            }
        }
        """);

    [Fact]
    public Task Fix_all_caps_a_do_loop_and_a_goto_retry_of_one_document_in_one_pass() => Fix("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                {|RG0005:do|}
                {
                    try
                    {
                        return await http.GetStringAsync("/a");
                    }
                    catch (HttpRequestException)
                    {
                        await Task.Delay(1000);
                    }
                }
                while (true);
            }

            async Task<string> Other(HttpClient http)
            {
            retry:
                try
                {
                    return await http.GetStringAsync("/b");
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(1000);
                    {|RG0005:goto retry;|}
                }
            }
        }
        """, """
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                const int MaxAttempts = 5;
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        return await http.GetStringAsync("/a");
                    }
                    catch (HttpRequestException) when (attempt < MaxAttempts)
                    {
                        await Task.Delay(1000);
                    }
                }
            }

            async Task<string> Other(HttpClient http)
            {
                const int MaxAttempts = 5;
                int attempt = 1;
            retry:
                try
                {
                    return await http.GetStringAsync("/b");
                }
                catch (HttpRequestException) when (attempt < MaxAttempts)
                {
                    await Task.Delay(1000);
                    attempt++;
                    goto retry;
                }
            }
        }
        """);

    [Fact]
    public Task No_status_cap_when_the_returned_response_may_be_null_after_a_caught_failure() => NoFix("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<HttpResponseMessage> Get(HttpClient http)
            {
                var response = await http.GetAsync("/");
                {|RG0005:while (true)|}
                {
                    if (response.IsSuccessStatusCode) return response;
                    await Task.Delay(1000);
                    try { response = await http.GetAsync("/"); } catch (HttpRequestException) { response = null; }
                }
            }
        }
        """);

    [Fact]
    public Task Fix_all_caps_a_retry_nested_in_the_catch_of_another_in_one_pass() => Fix("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                {|RG0005:while (true)|}
                {
                    try
                    {
                        return await http.GetStringAsync("/a");
                    }
                    catch (HttpRequestException)
                    {
                        {|RG0005:while (true)|}
                        {
                            try
                            {
                                await http.GetStringAsync("/b");
                                break;
                            }
                            catch (HttpRequestException)
                            {
                                await Task.Delay(500);
                            }
                        }
                    }
                }
            }
        }
        """, """
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                const int MaxAttempts = 5;
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        return await http.GetStringAsync("/a");
                    }
                    catch (HttpRequestException) when (attempt < MaxAttempts)
                    {
                        const int MaxRetryAttempts = 5;
                        for (int retryAttempt = 1; ; retryAttempt++)
                        {
                            try
                            {
                                await http.GetStringAsync("/b");
                                break;
                            }
                            catch (HttpRequestException) when (retryAttempt < MaxRetryAttempts)
                            {
                                await Task.Delay(500);
                            }
                        }
                    }
                }
            }
        }
        """);
}
