using RetryGuard.CodeFixes.Polly;

namespace RetryGuard.Analyzers.Tests.Polly;

/// <summary>RG0007's Polly fix: a v8 / MEHR DelayGenerator's Retry-After is used only up to the cap.</summary>
public class PollyRG0007CodeFixTests
{
    private static Task Fix(string code, string fixedCode) =>
        PollyFixVerify.Fix<RG0007CapRetryAfterPollyCodeFix>(code, fixedCode, "RG0007", RG0007CapRetryAfterPollyCodeFix.EquivalenceKey);

    private static Task NoFix(string code) => PollyFixVerify.NoFix<RG0007CapRetryAfterPollyCodeFix>(code, "RG0007");

    [Fact]
    public Task V8_generator_returning_the_header_is_capped() => Fix("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests),
                DelayGenerator = {|RG0007:args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta)|},
                UseJitter = true,
            };
        }
        """, """
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests),
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta is TimeSpan retryAfter && retryAfter <= TimeSpan.FromSeconds(120) ? retryAfter : (TimeSpan?)null),
                UseJitter = true,
            };
        }
        """);

    [Fact]
    public Task Block_generator_with_a_cap_above_the_limit_gets_the_limit() => Fix("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = {|RG0007:args =>
                {
                    var seconds = args.Outcome.Result?.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1;
                    return new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(Math.Min(seconds, 3600)));
                }|},
            };
        }
        """, """
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = args =>
                {
                    var seconds = args.Outcome.Result?.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1;
                    return new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(Math.Min(seconds, 3600)) is var retryAfter && retryAfter <= TimeSpan.FromSeconds(120) ? retryAfter : (TimeSpan?)null);
                },
            };
        }
        """);

    [Fact]
    public Task Two_returns_of_one_generator_get_two_names() => Fix("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = {|RG0007:args =>
                {
                    var seconds = args.Outcome.Result?.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1;
                    if (seconds > 60)
                    {
                        return new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(Math.Min(seconds, 3600)));
                    }

                    return new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(Math.Min(seconds, 7200)));
                }|},
            };
        }
        """, """
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = args =>
                {
                    var seconds = args.Outcome.Result?.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1;
                    if (seconds > 60)
                    {
                        return new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(Math.Min(seconds, 3600)) is var retryAfter && retryAfter <= TimeSpan.FromSeconds(120) ? retryAfter : (TimeSpan?)null);
                    }

                    return new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(Math.Min(seconds, 7200)) is var retryAfter2 && retryAfter2 <= TimeSpan.FromSeconds(120) ? retryAfter2 : (TimeSpan?)null);
                },
            };
        }
        """);

    [Fact]
    public Task Mehr_generators_and_the_standard_handler() => Fix("""
        class C
        {
            static TimeSpan? GetRetryAfter(HttpResponseMessage? response) => response?.Headers.RetryAfter?.Delta;

            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o =>
                o.Retry.DelayGenerator = {|RG0007:args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta)|});

            void N(IServiceCollection services) =>
                services.AddHttpClient("llm").AddResilienceHandler("retry", pipeline => pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    DelayGenerator = {|RG0007:static args => ValueTask.FromResult(GetRetryAfter(args.Outcome.Result))|},
                }));
        }
        """, """
        class C
        {
            static TimeSpan? GetRetryAfter(HttpResponseMessage? response) => response?.Headers.RetryAfter?.Delta;

            void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o =>
                o.Retry.DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta is TimeSpan retryAfter && retryAfter <= TimeSpan.FromSeconds(120) ? retryAfter : (TimeSpan?)null));

            void N(IServiceCollection services) =>
                services.AddHttpClient("llm").AddResilienceHandler("retry", pipeline => pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    DelayGenerator = static args => ValueTask.FromResult(GetRetryAfter(args.Outcome.Result) is TimeSpan retryAfter && retryAfter <= TimeSpan.FromSeconds(120) ? retryAfter : (TimeSpan?)null),
                }));
        }
        """);

    [Fact]
    public Task The_configured_limit_is_the_cap() => PollyFixVerify.FixWithConfig<RG0007CapRetryAfterPollyCodeFix>("""
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = {|RG0007:args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta)|},
            };
        }
        """, """
        class C
        {
            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta is TimeSpan retryAfter && retryAfter <= TimeSpan.FromSeconds(30) ? retryAfter : (TimeSpan?)null),
            };
        }
        """, "RG0007", "retryguard.max_retry_after = 30s");

    [Fact]
    public Task Fix_all_across_documents() => PollyFixVerify.FixDocuments<RG0007CapRetryAfterPollyCodeFix>(
        new[]
        {
            ("/A.cs", """
                class A
                {
                    object O() => new RetryStrategyOptions<HttpResponseMessage>
                    {
                        UseJitter = true,
                        DelayGenerator = {|RG0007:args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta)|},
                    };
                    object P() => new HttpRetryStrategyOptions
                    {
                        DelayGenerator = {|RG0007:a => ValueTask.FromResult(a.Outcome.Result?.Headers.RetryAfter?.Delta)|},
                    };
                }
                """),
            ("/B.cs", """
                class B
                {
                    void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o =>
                        o.Retry.DelayGenerator = {|RG0007:args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta)|});
                }
                """),
        },
        new[]
        {
            ("/A.cs", """
                class A
                {
                    object O() => new RetryStrategyOptions<HttpResponseMessage>
                    {
                        UseJitter = true,
                        DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta is TimeSpan retryAfter && retryAfter <= TimeSpan.FromSeconds(120) ? retryAfter : (TimeSpan?)null),
                    };
                    object P() => new HttpRetryStrategyOptions
                    {
                        DelayGenerator = a => ValueTask.FromResult(a.Outcome.Result?.Headers.RetryAfter?.Delta is TimeSpan retryAfter && retryAfter <= TimeSpan.FromSeconds(120) ? retryAfter : (TimeSpan?)null),
                    };
                }
                """),
            ("/B.cs", """
                class B
                {
                    void M(IHttpClientBuilder builder) => builder.AddStandardResilienceHandler(o =>
                        o.Retry.DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta is TimeSpan retryAfter && retryAfter <= TimeSpan.FromSeconds(120) ? retryAfter : (TimeSpan?)null));
                }
                """),
        },
        "RG0007");

    // ------------------------------------------------------------------------------------------------------ no fix

    [Fact]
    public Task V7_providers_have_no_fix() => NoFix("""
        class C
        {
            IAsyncPolicy<HttpResponseMessage> P() =>
                Policy.HandleResult<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.TooManyRequests)
                    .WaitAndRetryAsync(3,
                        sleepDurationProvider: {|RG0007:(attempt, outcome, context) => outcome.Result.Headers.RetryAfter!.Delta!.Value|},
                        onRetryAsync: (outcome, delay, attempt, context) => Task.CompletedTask);
        }
        """);

    [Fact]
    public Task Generator_held_in_a_method_has_no_fix() => NoFix("""
        class C
        {
            static ValueTask<TimeSpan?> FromHeader(RetryDelayGeneratorArguments<HttpResponseMessage> args) =>
                new ValueTask<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta);

            object O() => new RetryStrategyOptions<HttpResponseMessage>
            {
                UseJitter = true,
                DelayGenerator = {|RG0007:FromHeader|},
            };
        }
        """);
}
