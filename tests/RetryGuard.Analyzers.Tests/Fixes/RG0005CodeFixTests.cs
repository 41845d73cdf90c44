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
    public Task No_fix_for_a_do_loop() => Verify<RetryAnalyzer>.CodeFixAsync<RG0005UnboundedLoopFix>(DoLoop, DoLoop, only: "RG0005");

    private const string DoLoop = """
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
        """;
}
