using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.CodeFixes;

namespace RetryGuard.Analyzers.Tests.Fixes;

/// <summary>
/// Fix All for the hand-written retry fixes: several diagnostics in one document (one cap field per type, distinct
/// names where two edits share a scope) and across documents. The testing library applies Fix All in document,
/// project and solution scope and checks every fixed document compiles and is diagnostic-free.
/// </summary>
public class HandWrittenFixAllTests
{
    [Fact]
    public Task RG0003_two_waits_in_one_type_share_one_cap_field() =>
        Verify<RetryAnalyzer>.CodeFixAsync<RG0003IgnoresRetryAfterCodeFix>("""
            using System;
            using System.Net;
            using System.Net.Http;
            using System.Threading.Tasks;

            class C
            {
                async Task<HttpResponseMessage> First(HttpClient http)
                {
                    for (int i = 0; i < 3; i++)
                    {
                        var response = await http.GetAsync("/a");
                        if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                        await {|RG0003:Task.Delay(1000)|};
                    }

                    throw new HttpRequestException("busy");
                }

                async Task<HttpResponseMessage> Second(HttpClient http)
                {
                    for (int i = 0; i < 3; i++)
                    {
                        var response = await http.GetAsync("/b");
                        if ((int)response.StatusCode != 429) return response;
                        await {|RG0003:Task.Delay(TimeSpan.FromSeconds(2))|};
                    }

                    throw new HttpRequestException("busy");
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

                async Task<HttpResponseMessage> First(HttpClient http)
                {
                    for (int i = 0; i < 3; i++)
                    {
                        var response = await http.GetAsync("/a");
                        if (response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                        await Task.Delay(RetryAfter.GetDelay(response) is { } retryAfter && retryAfter <= MaxRetryAfter ? retryAfter : Backoff.WithJitter(TimeSpan.FromMilliseconds(1000)));
                    }

                    throw new HttpRequestException("busy");
                }

                async Task<HttpResponseMessage> Second(HttpClient http)
                {
                    for (int i = 0; i < 3; i++)
                    {
                        var response = await http.GetAsync("/b");
                        if ((int)response.StatusCode != 429) return response;
                        await Task.Delay(RetryAfter.GetDelay(response) is { } retryAfter && retryAfter <= MaxRetryAfter ? retryAfter : Backoff.WithJitter(TimeSpan.FromSeconds(2)));
                    }

                    throw new HttpRequestException("busy");
                }
            }
            """, only: "RG0003");

    [Fact]
    public Task RG0005_two_loops_in_one_method_get_their_own_names() =>
        Verify<RetryAnalyzer>.CodeFixAsync<RG0005UnboundedCodeFix>("""
            using System.Net.Http;
            using System.Threading.Tasks;

            class C
            {
                async Task<string> Get(HttpClient http)
                {
                    string first;
                    {|RG0005:while (true)|}
                    {
                        try { first = await http.GetStringAsync("/a"); break; }
                        catch (HttpRequestException) { await Task.Delay(1000); }
                    }

                    {|RG0005:while (true)|}
                    {
                        try { return first + await http.GetStringAsync("/b"); }
                        catch (HttpRequestException) { await Task.Delay(1000); }
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
                    string first;
                    const int MaxAttempts = 5;
                    for (int attempt = 1; ; attempt++)
                    {
                        try { first = await http.GetStringAsync("/a"); break; }
                        catch (HttpRequestException) when (attempt < MaxAttempts) { await Task.Delay(1000); }
                    }

                    const int MaxRetryAttempts = 5;
                    for (int retryAttempt = 1; ; retryAttempt++)
                    {
                        try { return first + await http.GetStringAsync("/b"); }
                        catch (HttpRequestException) when (retryAttempt < MaxRetryAttempts) { await Task.Delay(1000); }
                    }
                }
            }
            """, only: "RG0005");

    private const string CatchRetry = """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class NAME
        {
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try
                    {
                        using var response = await http.GetAsync("/");
                        response.EnsureSuccessStatusCode();
                        return await response.Content.ReadAsStringAsync();
                    }
                    CATCH
                    {
                        await Task.Delay(Backoff.WithJitter(TimeSpan.FromSeconds(1)));
                    }
                }

                throw new InvalidOperationException();
            }
        }
        """;

    private static string Catch(string name, string clause) => "using RetryGuard;\n" + CatchRetry.Replace("NAME", name).Replace("CATCH", clause);

    [Fact]
    public Task RG0002_across_documents() =>
        Verify<RetryAnalyzer>.CodeFixAsync<RG0002NonRetryableStatusCodeFix>(
            [("A.cs", Catch("A", "{|RG0002:catch (HttpRequestException)|}")), ("B.cs", Catch("B", "{|RG0002:catch (HttpRequestException ex) when (attempt < 2)|}"))],
            [
                ("A.cs", Catch("A", "catch (HttpRequestException e) when (e.StatusCode is null || HttpStatusPolicy.IsRetryable(e.StatusCode.Value))")),
                ("B.cs", Catch("B", "catch (HttpRequestException ex) when (attempt < 2 && (ex.StatusCode is null || HttpStatusPolicy.IsRetryable(ex.StatusCode.Value)))")),
            ],
            only: "RG0002");
}
