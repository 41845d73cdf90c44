using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests;

public class ProbeTests
{
    [Fact]
    public Task Probe() => Verify<RetryAnalyzer>.AnalyzerAsync("""
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
        """);
}
