using RetryGuard.CodeFixes;
using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests.Polly;

/// <summary>
/// One provider per rule: a document with a hand-written retry and a Polly retry that break the same rule is fixed by
/// the rule's provider in one Fix All pass (the testing library fails a Fix All that needs a second iteration), which
/// is what <c>dotnet format analyzers</c> applies: the first action of the first diagnostic, for all of them.
/// </summary>
public class MixedRuleFixTests
{
    [Fact]
    public Task RG0001_fixes_a_polly_option_and_a_loop_wait_in_one_pass() =>
        PollyFixVerify.Fix<RG0001NoJitterCodeFix>("""
        class C
        {
            ResiliencePipeline Build() =>
                new ResiliencePipelineBuilder()
                    .AddRetry({|RG0001:new RetryStrategyOptions|} { BackoffType = DelayBackoffType.Exponential, MaxRetryAttempts = 3 })
                    .Build();

            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try
                    {
                        return await http.GetStringAsync("/");
                    }
                    catch (HttpRequestException e) when (e.StatusCode is null)
                    {
                        await {|RG0001:Task.Delay(TimeSpan.FromSeconds(Math.Pow(2, attempt)))|};
                    }
                }

                throw new InvalidOperationException();
            }
        }
        """, """
        class C
        {
            ResiliencePipeline Build() =>
                new ResiliencePipelineBuilder()
                    .AddRetry(new RetryStrategyOptions { BackoffType = DelayBackoffType.Exponential, MaxRetryAttempts = 3, UseJitter = true })
                    .Build();

            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try
                    {
                        return await http.GetStringAsync("/");
                    }
                    catch (HttpRequestException e) when (e.StatusCode is null)
                    {
                        await Task.Delay(RetryGuard.Backoff.WithJitter(TimeSpan.FromSeconds(Math.Pow(2, attempt))));
                    }
                }

                throw new InvalidOperationException();
            }
        }
        """, "RG0001");

    [Fact]
    public Task RG0005_bounds_a_forever_policy_and_an_endless_loop_in_one_pass() =>
        PollyFixVerify.Fix<RG0005UnboundedCodeFix>("""
        class C
        {
            ISyncPolicy P() => Policy.Handle<HttpRequestException>().{|RG0005:RetryForever|}();

            async Task<string> Get(HttpClient http)
            {
                {|RG0005:while (true)|}
                {
                    try
                    {
                        return await http.GetStringAsync("/");
                    }
                    catch (HttpRequestException e) when (e.StatusCode is null)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(Random.Shared.Next(500)));
                    }
                }
            }
        }
        """, """
        class C
        {
            private const int MaxRetries = 5;

            ISyncPolicy P() => Policy.Handle<HttpRequestException>().Retry(MaxRetries);

            async Task<string> Get(HttpClient http)
            {
                const int MaxAttempts = 5;
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        return await http.GetStringAsync("/");
                    }
                    catch (HttpRequestException e) when (e.StatusCode is null && attempt < MaxAttempts)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(Random.Shared.Next(500)));
                    }
                }
            }
        }
        """, "RG0005");
}
