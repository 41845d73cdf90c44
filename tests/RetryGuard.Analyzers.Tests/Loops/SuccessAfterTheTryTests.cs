using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests.Loops;

/// <summary>
/// A try whose success falls through to a statement that leaves the loop for sure
/// (<c>try { text = await ...; } catch { ...; continue; } break;</c>) is an attempt that ends on success: its catch
/// is a retry. A conditional leave, a break of a nested loop or switch, or anything that may go round first is not.
/// </summary>
public class SuccessAfterTheTryTests : LoopTestBase
{
    protected override string Rule => "RG0002";

    private static Task Only(string code, string rule) => Verify<RetryAnalyzer>.AnalyzerAsync(Usings + code, only: rule);

    // ---------------------------------------------------------------- positive

    [Fact]
    public Task For_loop_break_after_the_try() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, string u)
            {
                string text = "";
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { text = await http.GetStringAsync(u); }
                    {|RG0002:catch (HttpRequestException)|} { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    break;
                }
                return text;
            }
        }
        """);

    [Fact]
    public Task While_true_return_after_the_try() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, string u)
            {
                int attempt = 0;
                while (true)
                {
                    string text;
                    try { text = await http.GetStringAsync(u); }
                    {|RG0002:catch (HttpRequestException) when (attempt++ < 3)|} { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    return text;
                }
            }
        }
        """);

    [Fact]
    public Task While_true_break_after_the_try_with_a_capped_filter() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, string u)
            {
                string text;
                int attempt = 0;
                while (true)
                {
                    try { text = await http.GetStringAsync(u); }
                    {|RG0002:catch (HttpRequestException) when (++attempt < 4)|} { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    break;
                }
                return text;
            }
        }
        """);

    [Fact]
    public Task Unbounded_while_true_break_after_the_try() => Only("""
        class C
        {
            async Task<string> Get(HttpClient http, string u)
            {
                string text;
                {|RG0005:while (true)|}
                {
                    try { text = await http.GetStringAsync(u); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    break;
                }
                return text;
            }
        }
        """, "RG0005");

    [Fact]
    public Task Fixed_delay_before_continue_has_no_jitter() => Only("""
        class C
        {
            async Task<string> Get(HttpClient http, string u)
            {
                string text = "";
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { text = await http.GetStringAsync(u); }
                    catch (HttpRequestException) { await {|RG0001:Task.Delay(1000)|}; continue; }
                    break;
                }
                return text;
            }
        }
        """, "RG0001");

    [Fact]
    public Task Logging_then_break_after_the_try() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, string u)
            {
                string text = "";
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { text = await http.GetStringAsync(u); }
                    {|RG0002:catch (HttpRequestException)|} { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    Console.WriteLine($"fetched {text.Length} characters");
                    if (text.Length == 0) Console.WriteLine("empty");
                    break;
                }
                return text;
            }
        }
        """);

    [Fact]
    public Task Try_in_a_using_block_then_break() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, string u)
            {
                string text = "";
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
                    {
                        try { text = await http.GetStringAsync(u, cts.Token); }
                        {|RG0002:catch (HttpRequestException)|} { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    }
                    break;
                }
                return text;
            }
        }
        """);

    [Fact]
    public Task If_else_that_returns_either_way_after_the_try() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, string u)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    string text;
                    try { text = await http.GetStringAsync(u); }
                    {|RG0002:catch (HttpRequestException)|} { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    if (text.Length > 0) return text;
                    else throw new InvalidOperationException("empty answer");
                }
                return "";
            }
        }
        """);

    // ---------------------------------------------------------------- negative

    [Fact]
    public Task Conditional_break_after_the_try_is_a_worker() => Check("""
        class C
        {
            bool _stop;

            void DoOther(string text) => Console.WriteLine(text);

            async Task Run(HttpClient http, string u)
            {
                while (true)
                {
                    string text;
                    try { text = await http.GetStringAsync(u); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    DoOther(text);
                    if (_stop) break;
                }
            }
        }
        """);

    [Fact]
    public Task Conditional_break_after_the_try_is_no_retry_for_rg0001_either() => Only("""
        class C
        {
            bool _stop;

            async Task Run(HttpClient http, string u)
            {
                while (true)
                {
                    string text;
                    try { text = await http.GetStringAsync(u); }
                    catch (HttpRequestException) { await Task.Delay(1000); continue; }
                    Console.WriteLine(text);
                    if (_stop) break;
                }
            }
        }
        """, "RG0001");

    [Fact]
    public Task Break_of_a_nested_loop_does_not_leave() => Check("""
        class C
        {
            async Task Run(HttpClient http, string u, string[] sinks)
            {
                while (true)
                {
                    string text;
                    try { text = await http.GetStringAsync(u); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    foreach (var sink in sinks)
                    {
                        Console.WriteLine(sink + text);
                        break;
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Break_of_a_switch_does_not_leave() => Check("""
        class C
        {
            async Task Run(HttpClient http, string u, int mode)
            {
                while (true)
                {
                    string text;
                    try { text = await http.GetStringAsync(u); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    switch (mode)
                    {
                        case 0:
                            Console.WriteLine(text);
                            break;
                        default:
                            break;
                    }
                }
            }
        }
        """);

    [Fact]
    public Task A_continue_before_the_break_may_go_round() => Check("""
        class C
        {
            async Task<string> Run(HttpClient http, string u)
            {
                string text = "";
                while (true)
                {
                    try { text = await http.GetStringAsync(u); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    if (text.StartsWith("partial")) continue;
                    break;
                }
                return text;
            }
        }
        """);

    [Fact]
    public Task Return_in_a_lambda_after_the_try_does_not_leave() => Check("""
        class C
        {
            async Task Run(HttpClient http, string u, List<Func<string>> readers)
            {
                while (true)
                {
                    string text;
                    try { text = await http.GetStringAsync(u); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    readers.Add(() => { return text; });
                }
            }
        }
        """);

    [Fact]
    public Task Catch_that_falls_through_to_the_break_is_no_retry() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, string u)
            {
                string text = "";
                while (true)
                {
                    try { text = await http.GetStringAsync(u); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                    break;
                }
                return text;
            }
        }
        """);

    [Fact]
    public Task Batch_over_urls_with_break_after_the_inner_loop() => Check("""
        class C
        {
            async Task<List<string>> GetAll(HttpClient http, string[] urls)
            {
                var texts = new List<string>();
                while (true)
                {
                    foreach (var u in urls)
                    {
                        try { texts.Add(await http.GetStringAsync(u)); }
                        catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    }
                    break;
                }
                return texts;
            }
        }
        """);

    [Fact]
    public Task Fetching_a_fixed_number_of_times_is_no_retry() => Check("""
        class C
        {
            async Task Run(HttpClient http, string u)
            {
                for (int round = 0; round < 3; round++)
                {
                    string text;
                    try { text = await http.GetStringAsync(u); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    Console.WriteLine(text);
                }
            }
        }
        """);

    [Fact]
    public Task Break_in_one_branch_only_does_not_leave() => Check("""
        class C
        {
            async Task Run(HttpClient http, string u)
            {
                while (true)
                {
                    string text;
                    try { text = await http.GetStringAsync(u); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); continue; }
                    if (text.Length > 0) break;
                    else Console.WriteLine("empty, again");
                }
            }
        }
        """);

    [Fact]
    public Task Polling_after_the_try_is_a_worker() => Check("""
        class C
        {
            async Task Run(HttpClient http, string u, CancellationToken ct)
            {
                while (!ct.IsCancellationRequested)
                {
                    string text;
                    try { text = await http.GetStringAsync(u, ct); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000), ct); continue; }
                    Console.WriteLine(text);
                    await Task.Delay(60_000, ct);
                }
            }
        }
        """);
}
