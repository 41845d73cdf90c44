using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.CodeFixes;

namespace RetryGuard.Analyzers.Tests;

public class ProbeFixTests
{
    [Fact]
    public Task ProbeFix() => Verify<RetryAnalyzer>.CodeFixAsync<RG0001NoJitterCodeFix>("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http, string url)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync(url); }
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
            async Task<string> Get(HttpClient http, string url)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync(url); }
                    catch (HttpRequestException) { await Task.Delay(Backoff.WithJitter(TimeSpan.FromMilliseconds(1000 * (attempt + 1)))); }
                }
                throw new InvalidOperationException();
            }
        }
        """);
}
