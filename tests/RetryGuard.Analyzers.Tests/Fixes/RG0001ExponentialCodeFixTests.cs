using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.CodeFixes;

namespace RetryGuard.Analyzers.Tests.Fixes;

/// <summary>
/// The RG0001 "Use Backoff.Exponential" action: a hand-written base × 2^attempt becomes the runtime's capped,
/// jittered exponential. The WithJitter action stays the first (the one dotnet format applies).
/// </summary>
public class RG0001ExponentialCodeFixTests
{
    private static Task Fix(string source, string fixedSource) =>
        Verify<RetryAnalyzer>.CodeFixAsync<RG0001NoJitterCodeFix>(source, fixedSource, equivalenceKey: RG0001NoJitterCodeFix.ExponentialEquivalenceKey, only: "RG0001");

    private static Task NoFix(string source) => Fix(source, source);

    private const string Loop = """
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http, CancellationToken ct)
            {
                for (int attempt = START; attempt < 5; attempt++)
                {
                    try { return await http.GetStringAsync("/", ct); }
                    catch (HttpRequestException) when (attempt < 4) { await WAIT; }
                }

                throw new InvalidOperationException();
            }
        }
        """;

    private static string Shape(string wait, int start = 0, bool runtime = false) =>
        (runtime ? "using RetryGuard;\n" : string.Empty) + Loop.Replace("START", start.ToString()).Replace("WAIT", wait);

    private static Task Exponential(string before, string after, int start = 0) =>
        Fix(Shape("{|RG0001:" + before + "|}", start), Shape(after, start).Replace("using System.Threading.Tasks;\n", "using System.Threading.Tasks;\nusing RetryGuard;\n"));

    [Fact]
    public Task Sample_math_pow_in_milliseconds() => Exponential(
        "Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt)), ct)",
        "Task.Delay(Backoff.Exponential(attempt, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30)), ct)");

    [Fact]
    public Task Shift_of_int_milliseconds_with_a_named_argument() => Exponential(
        "Task.Delay(millisecondsDelay: 250 << attempt, cancellationToken: ct)",
        "Task.Delay(delay: Backoff.Exponential(attempt, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30)), cancellationToken: ct)");

    [Fact]
    public Task Cap_from_math_min_and_an_attempt_counted_from_one() => Exponential(
        "Task.Delay(TimeSpan.FromSeconds(Math.Min(Math.Pow(2, attempt - 1), 20)), ct)",
        "Task.Delay(Backoff.Exponential(attempt - 1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20)), ct)",
        start: 1);

    [Fact]
    public Task Base_times_one_shifted_by_attempt() => Exponential(
        "Task.Delay(1000 * (1 << attempt), ct)",
        "Task.Delay(Backoff.Exponential(attempt, TimeSpan.FromMilliseconds(1000), TimeSpan.FromSeconds(30)), ct)");

    [Fact]
    public Task No_exponential_action_for_a_linear_delay() =>
        NoFix(Shape("{|RG0001:Task.Delay(TimeSpan.FromSeconds(2 * (attempt + 1)), ct)|}"));

    [Fact]
    public Task No_exponential_action_when_the_attempt_could_be_negative() =>
        NoFix(Shape("{|RG0001:Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt - 1)), ct)|}"));

    [Fact]
    public Task No_exponential_action_when_the_base_is_above_the_default_cap() =>
        NoFix(Shape("{|RG0001:Task.Delay(TimeSpan.FromMinutes(Math.Pow(2, attempt)), ct)|}"));

    [Fact]
    public Task No_exponential_action_for_a_long_counter() =>
        NoFix(Shape("{|RG0001:Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt)), ct)|}").Replace("for (int attempt", "for (long attempt"));
}
