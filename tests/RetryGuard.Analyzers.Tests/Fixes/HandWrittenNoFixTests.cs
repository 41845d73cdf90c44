using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.CodeFixes;

namespace RetryGuard.Analyzers.Tests.Fixes;

/// <summary>Where a hand-written retry fix cannot keep the code's behaviour, no fix is offered.</summary>
public class HandWrittenNoFixTests
{
    private static Task NoFix<TFix>(string source, string only)
        where TFix : Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider, new() =>
        Verify<RetryAnalyzer>.CodeFixAsync<TFix>(source, source, only: only);

    private const string Loop = """
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    BODY
                }

                throw new InvalidOperationException();
            }

            Task RefreshTokenAsync() => Task.CompletedTask;
        }
        """;

    private static string Body(string body) => Loop.Replace("BODY", body);

    [Fact]
    public Task RG0002_catch_of_exception_is_not_narrowed() => NoFix<RG0002NonRetryableStatusCodeFix>(Body("""
        try { return await http.GetStringAsync("/"); }
        {|RG0002:catch (Exception)|} { await Task.Delay(100); }
        """), "RG0002");

    [Fact]
    public Task RG0002_not_narrowed_when_a_later_catch_would_take_the_caller_errors() => NoFix<RG0002NonRetryableStatusCodeFix>(Body("""
        try { return await http.GetStringAsync("/"); }
        {|RG0002:catch (HttpRequestException)|} { await Task.Delay(100); }
        {|RG0002:catch (Exception e)|} { Console.WriteLine(e); await Task.Delay(100); }
        """), "RG0002");

    [Fact]
    public Task RG0002_not_narrowed_after_a_credential_refresh() => NoFix<RG0002NonRetryableStatusCodeFix>(Body("""
        try { return await http.GetStringAsync("/"); }
        {|RG0002:catch (HttpRequestException)|} { await RefreshTokenAsync(); }
        """), "RG0002");

    [Fact]
    public Task RG0003_two_responses_in_view_is_ambiguous() => NoFix<RG0003IgnoresRetryAfterCodeFix>(Body("""
        var first = await http.GetAsync("/a");
        var second = await http.GetAsync("/b");
        if (first.StatusCode != HttpStatusCode.TooManyRequests && second.StatusCode != HttpStatusCode.TooManyRequests) return "ok";
        await {|RG0003:Task.Delay(1000)|};
        """), "RG0003");

    [Fact]
    public Task RG0007_wait_that_is_no_statement_of_a_block_has_no_fix() => NoFix<RG0007UncappedRetryAfterCodeFix>(Body("""
        var response = await http.GetAsync("/");
        if (response.StatusCode != HttpStatusCode.TooManyRequests) return await response.Content.ReadAsStringAsync();
        if (attempt > 0) await {|RG0007:Task.Delay(response.Headers.RetryAfter!.Delta!.Value)|};
        """), "RG0007");
}
