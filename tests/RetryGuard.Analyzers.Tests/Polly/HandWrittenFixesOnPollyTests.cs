using RetryGuard.CodeFixes;

namespace RetryGuard.Analyzers.Tests.Polly;

/// <summary>
/// The hand-written retry fixes act only on waits, catches and loops: Polly and MEHR diagnostics of the same ids
/// (reported on policies, options, predicates and sleep providers) get nothing from them, even where a wait-like
/// invocation encloses the diagnostic.
/// </summary>
public class HandWrittenFixesOnPollyTests
{
    [Fact]
    public Task RG0002_catch_fix_ignores_a_polly_predicate() => PollyFixVerify.NoFix<RG0002NonRetryableStatusLoopFix>("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>({|RG0002:r => !r.IsSuccessStatusCode|})
                    .WaitAndRetryAsync(3, attempt => TimeSpan.FromSeconds(attempt));
        }
        """, "RG0002");

    [Fact]
    public Task RG0003_wait_fix_ignores_polly_options() => PollyFixVerify.NoFix<RG0003IgnoresRetryAfterLoopFix>("""
        class C
        {
            ResiliencePipeline<HttpResponseMessage> Build() =>
                new ResiliencePipelineBuilder<HttpResponseMessage>()
                    .AddRetry({|RG0003:new RetryStrategyOptions<HttpResponseMessage>|}
                    {
                        ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                            .HandleResult(r => r.StatusCode == HttpStatusCode.TooManyRequests),
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                    })
                    .Build();
        }
        """, "RG0003");

    [Fact]
    public Task RG0005_loop_fix_ignores_a_forever_policy() => PollyFixVerify.NoFix<RG0005UnboundedLoopFix>("""
        class C
        {
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>()
                .{|RG0005:WaitAndRetryForeverAsync|}(attempt => TimeSpan.FromSeconds(Math.Min(attempt, 30)) + TimeSpan.FromMilliseconds(Random.Shared.Next(500)));
        }
        """, "RG0005");

    [Fact]
    public Task RG0007_wait_fix_ignores_a_delay_generator() => PollyFixVerify.NoFix<RG0007UncappedRetryAfterLoopFix>("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests),
                DelayGenerator = {|RG0007:args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta)|},
                UseJitter = true,
            };
        }
        """, "RG0007");
}
