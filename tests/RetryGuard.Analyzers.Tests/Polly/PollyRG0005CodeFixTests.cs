using RetryGuard.CodeFixes.Polly;

namespace RetryGuard.Analyzers.Tests.Polly;

/// <summary>RG0005's Polly fix: bounded overloads for <c>*Forever*</c>, a named cap for <c>int.MaxValue</c>.</summary>
public class PollyRG0005CodeFixTests
{
    private static Task Fix(string code, string fixedCode, bool outsideTrigger = false) =>
        PollyFixVerify.Fix<RG0005UnboundedPollyCodeFix>(code, fixedCode, "RG0005", RG0005UnboundedPollyCodeFix.EquivalenceKey, outsideTrigger: outsideTrigger);

    private static Task NoFix(string code) => PollyFixVerify.NoFix<RG0005UnboundedPollyCodeFix>(code, "RG0005");

    [Fact]
    public Task V7_wait_and_retry_forever_async_becomes_bounded() => Fix("""
        class C
        {
            IAsyncPolicy P() => Policy.Handle<HttpRequestException>()
                .{|RG0005:WaitAndRetryForeverAsync|}(attempt => TimeSpan.FromSeconds(Math.Min(attempt, 30)) + TimeSpan.FromMilliseconds(Random.Shared.Next(500)));
        }
        """, """
        class C
        {
            private const int MaxRetries = 5;

            IAsyncPolicy P() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync(MaxRetries, attempt => TimeSpan.FromSeconds(Math.Min(attempt, 30)) + TimeSpan.FromMilliseconds(Random.Shared.Next(500)));
        }
        """);

    [Fact]
    public Task V7_retry_forever_becomes_retry() => Fix("""
        class C
        {
            ISyncPolicy P() => Policy.Handle<HttpRequestException>().{|RG0005:RetryForever|}();
        }
        """, """
        class C
        {
            private const int MaxRetries = 5;

            ISyncPolicy P() => Policy.Handle<HttpRequestException>().Retry(MaxRetries);
        }
        """);

    [Fact]
    public Task An_existing_unbounded_const_is_not_reused() => Fix("""
        class C
        {
            public const int MaxRetries = int.MaxValue;

            ISyncPolicy P() => Policy.Handle<HttpRequestException>().{|RG0005:RetryForever|}();
        }
        """, """
        class C
        {
            private const int MaxRetries2 = 5;
            public const int MaxRetries = int.MaxValue;

            ISyncPolicy P() => Policy.Handle<HttpRequestException>().Retry(MaxRetries2);
        }
        """);

    [Fact]
    public Task V7_forever_on_retry_with_attempt_and_delay_gets_the_bounded_parameter_order() => Fix("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .{|RG0005:WaitAndRetryForeverAsync|}(
                        (attempt, context) => TimeSpan.FromMilliseconds(Random.Shared.Next(1000)),
                        (outcome, attempt, delay, context) => Console.WriteLine($"{attempt}: {delay}"));
        }
        """, """
        class C
        {
            private const int MaxRetries = 5;

            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .WaitAndRetryAsync(
                        MaxRetries,
                        (attempt, context) => TimeSpan.FromMilliseconds(Random.Shared.Next(1000)),
                        (outcome, delay, attempt, context) => Console.WriteLine($"{attempt}: {delay}"));
        }
        """);

    [Fact]
    public Task V7_forever_with_on_retry_of_the_same_shape() => Fix("""
        class C
        {
            ISyncPolicy P() => Policy.Handle<HttpRequestException>()
                .{|RG0005:WaitAndRetryForever|}(attempt => TimeSpan.FromMilliseconds(Random.Shared.Next(1000)), (exception, delay) => Console.WriteLine(delay));
        }
        """, """
        class C
        {
            private const int MaxRetries = 5;

            ISyncPolicy P() => Policy.Handle<HttpRequestException>()
                .WaitAndRetry(MaxRetries, attempt => TimeSpan.FromMilliseconds(Random.Shared.Next(1000)), (exception, delay) => Console.WriteLine(delay));
        }
        """);

    [Fact]
    public Task Int_max_value_counts_become_the_constant() => Fix("""
        class C
        {
            ISyncPolicy P() => Policy.Handle<HttpRequestException>().Retry({|RG0005:int.MaxValue|});

            IAsyncPolicy Q() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync({|RG0005:int.MaxValue|}, attempt => TimeSpan.FromMilliseconds(Random.Shared.Next(1000)));
        }
        """, """
        class C
        {
            private const int MaxRetries = 5;

            ISyncPolicy P() => Policy.Handle<HttpRequestException>().Retry(MaxRetries);

            IAsyncPolicy Q() => Policy.Handle<HttpRequestException>()
                .WaitAndRetryAsync(MaxRetries, attempt => TimeSpan.FromMilliseconds(Random.Shared.Next(1000)));
        }
        """);

    [Fact]
    public Task V8_and_mehr_max_retry_attempts() => Fix("""
        class C
        {
            void M(ResiliencePipelineBuilder builder) =>
                builder.AddRetry(new RetryStrategyOptions { {|RG0005:MaxRetryAttempts = int.MaxValue|}, UseJitter = true });

            void N(ResiliencePipelineBuilder<HttpResponseMessage> builder)
            {
                var options = new RetryStrategyOptions<HttpResponseMessage> { UseJitter = true };
                {|RG0005:options.MaxRetryAttempts = int.MaxValue|};
                builder.AddRetry(options);
            }

            void O(IServiceCollection services) =>
                services.AddHttpClient("llm").AddResilienceHandler("retry", pipeline =>
                    pipeline.AddRetry(new HttpRetryStrategyOptions { {|RG0005:MaxRetryAttempts = int.MaxValue|} }));
        }
        """, """
        class C
        {
            private const int MaxRetries = 5;

            void M(ResiliencePipelineBuilder builder) =>
                builder.AddRetry(new RetryStrategyOptions { MaxRetryAttempts = MaxRetries, UseJitter = true });

            void N(ResiliencePipelineBuilder<HttpResponseMessage> builder)
            {
                var options = new RetryStrategyOptions<HttpResponseMessage> { UseJitter = true };
                options.MaxRetryAttempts = MaxRetries;
                builder.AddRetry(options);
            }

            void O(IServiceCollection services) =>
                services.AddHttpClient("llm").AddResilienceHandler("retry", pipeline =>
                    pipeline.AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = MaxRetries }));
        }
        """, outsideTrigger: true);

    [Fact]
    public Task An_existing_const_is_reused_and_a_clashing_member_is_avoided() => Fix("""
        class A
        {
            private const int MaxRetries = 3;
            ISyncPolicy P() => Policy.Handle<HttpRequestException>().{|RG0005:RetryForever|}();
        }

        class B
        {
            public int MaxRetries { get; set; }
            ISyncPolicy P() => Policy.Handle<HttpRequestException>().Retry({|RG0005:int.MaxValue|});
        }

        class D
        {
            ISyncPolicy P(int MaxRetries) => Policy.Handle<HttpRequestException>().Retry({|RG0005:int.MaxValue|});
        }
        """, """
        class A
        {
            private const int MaxRetries = 3;
            ISyncPolicy P() => Policy.Handle<HttpRequestException>().Retry(MaxRetries);
        }

        class B
        {
            private const int MaxRetries2 = 5;

            public int MaxRetries { get; set; }
            ISyncPolicy P() => Policy.Handle<HttpRequestException>().Retry(MaxRetries2);
        }

        class D
        {
            private const int MaxRetries2 = 5;

            ISyncPolicy P(int MaxRetries) => Policy.Handle<HttpRequestException>().Retry(MaxRetries2);
        }
        """);

    [Fact]
    public Task Fix_all_across_documents_adds_one_constant_per_type() => PollyFixVerify.FixDocuments<RG0005UnboundedPollyCodeFix>(
        new[]
        {
            ("/A.cs", """
                class A
                {
                    ISyncPolicy P() => Policy.Handle<HttpRequestException>().{|RG0005:RetryForever|}();
                    IAsyncPolicy Q() => Policy.Handle<HttpRequestException>().{|RG0005:RetryForeverAsync|}();
                }
                """),
            ("/B.cs", """
                class B
                {
                    void M(ResiliencePipelineBuilder builder) =>
                        builder.AddRetry(new RetryStrategyOptions { {|RG0005:MaxRetryAttempts = int.MaxValue|}, UseJitter = true });
                }
                """),
        },
        new[]
        {
            ("/A.cs", """
                class A
                {
                    private const int MaxRetries = 5;

                    ISyncPolicy P() => Policy.Handle<HttpRequestException>().Retry(MaxRetries);
                    IAsyncPolicy Q() => Policy.Handle<HttpRequestException>().RetryAsync(MaxRetries);
                }
                """),
            ("/B.cs", """
                class B
                {
                    private const int MaxRetries = 5;

                    void M(ResiliencePipelineBuilder builder) =>
                        builder.AddRetry(new RetryStrategyOptions { MaxRetryAttempts = MaxRetries, UseJitter = true });
                }
                """),
        },
        "RG0005");

    // ------------------------------------------------------------------------------------------------------ no fix

    [Fact]
    public Task Forever_on_retry_without_a_bounded_counterpart_has_no_fix() => NoFix("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                HttpPolicyExtensions.HandleTransientHttpError()
                    .{|RG0005:RetryForeverAsync|}(onRetry: outcome => Console.WriteLine(outcome.Result?.StatusCode));
        }
        """);

    [Fact]
    public Task Forever_callback_held_in_a_variable_with_another_parameter_order_has_no_fix() => NoFix("""
        class C
        {
            ISyncPolicy P()
            {
                Action<Exception, int, TimeSpan, Context> log = (exception, attempt, delay, context) => Console.WriteLine(attempt);
                return Policy.Handle<HttpRequestException>()
                    .{|RG0005:WaitAndRetryForever|}((attempt, context) => TimeSpan.FromMilliseconds(Random.Shared.Next(1000)), log);
            }
        }
        """);

    [Fact]
    public Task Interface_default_member_has_no_type_for_the_constant() => PollyFixVerify.NoFix<RG0005UnboundedPollyCodeFix>("""
        interface IPolicies
        {
            ISyncPolicy P() => Policy.Handle<HttpRequestException>().{|RG0005:RetryForever|}();
        }
        """, "RG0005");
}
