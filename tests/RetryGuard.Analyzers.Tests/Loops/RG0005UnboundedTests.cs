namespace RetryGuard.Analyzers.Tests.Loops;

/// <summary>RG0005 on hand-written retries: nothing but success ends them.</summary>
public class RG0005UnboundedTests : LoopTestBase
{
    protected override string Rule => "RG0005";

    // ---------------------------------------------------------------- positive

    [Fact]
    public Task A_status_test_joined_to_a_flag_that_never_changes_bounds_nothing() => Check("""
        class C
        {
            bool _enabled = true;

            async Task<string> Get(HttpClient http)
            {
                {|RG0005:while (true)|}
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e) when (e.StatusCode is null && _enabled) { await Task.Delay(Random.Shared.Next(1000)); }
                }
            }
        }
        """);

    [Fact]
    public Task While_true_catch_and_retry() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                {|RG0005:while (true)|}
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                }
            }
        }
        """);

    [Fact]
    public Task For_ever_status_loop() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                {|RG0005:for (;;)|}
                {
                    var response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode) return response;
                    await Task.Delay(Random.Shared.Next(1000));
                }
            }
        }
        """);

    [Fact]
    public Task Do_while_true() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                {|RG0005:do|}
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.ServiceUnavailable) return response;
                    await Task.Delay(Random.Shared.Next(1000));
                } while (true);
            }
        }
        """);

    [Fact]
    public Task While_not_success_flag() => Check("""
        class C
        {
            async Task Call(HttpClient http)
            {
                var success = false;
                {|RG0005:while (!success)|}
                {
                    try { await http.DeleteAsync("/v1/files/1"); success = true; }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                }
            }
        }
        """);

    [Fact]
    public Task While_result_is_null() => Check("""
        class C
        {
            async Task<string> Call(Func<Task<string>> fetch)
            {
                string? result = null;
                {|RG0005:while (result == null)|}
                {
                    try { result = await fetch(); }
                    catch (TimeoutException) { await Task.Delay(Random.Shared.Next(1000)); }
                }
                return result;
            }
        }
        """);

    [Fact]
    public Task Counter_that_is_only_logged() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                var attempt = 0;
                {|RG0005:while (true)|}
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e)
                    {
                        attempt++;
                        Console.WriteLine($"attempt {attempt} failed: {e.Message}");
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Catch_filter_on_status_is_no_bound() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                {|RG0005:while (true)|}
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Retry_without_any_wait() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                {|RG0005:while (true)|}
                {
                    var response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode) return response;
                }
            }
        }
        """);

    [Fact]
    public Task Token_passed_to_the_delay_is_no_bound() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, CancellationToken ct)
            {
                {|RG0005:while (true)|}
                {
                    try { return await http.GetStringAsync("/", ct); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000), ct); }
                }
            }
        }
        """);

    [Fact]
    public Task Goto_without_counter() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
            retry:
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException)
                {
                    await Task.Delay(Random.Shared.Next(1000));
                    {|RG0005:goto retry;|}
                }
            }
        }
        """);

    [Fact]
    public Task Recursion_without_count() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException)
                {
                    await Task.Delay(Random.Shared.Next(1000));
                    return await {|RG0005:Get(http)|};
                }
            }
        }
        """);

    [Fact]
    public Task Recursion_passing_the_same_count() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, int retries)
            {
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException)
                {
                    return await {|RG0005:Get(http, retries)|};
                }
            }
        }
        """);

    [Fact]
    public Task Synchronous_sleep_forever() => Check("""
        class C
        {
            string Get(HttpClient http)
            {
                {|RG0005:while (true)|}
                {
                    try { return http.GetStringAsync("/").Result; }
                    catch (AggregateException) { Thread.Sleep(Random.Shared.Next(1000)); }
                }
            }
        }
        """);

    [Fact]
    public Task Generic_retry_helper_forever() => Check("""
        static class Retry
        {
            public static async Task<T> Forever<T>(Func<Task<T>> operation)
            {
                {|RG0005:while (true)|}
                {
                    try { return await operation(); }
                    catch (Exception) { await Task.Delay(Random.Shared.Next(1000)); }
                }
            }
        }
        """);

    [Fact]
    public Task Local_function_forever() => Check("""
        class C
        {
            async Task<string> Outer(HttpClient http)
            {
                return await Attempt();

                async Task<string> Attempt()
                {
                    {|RG0005:for (;;)|}
                    {
                        try { return await http.GetStringAsync("/"); }
                        catch (HttpRequestException) { }
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Lambda_forever() => Check("""
        class C
        {
            Func<Task<string>> Make(HttpClient http) => async () =>
            {
                {|RG0005:while (true)|}
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(100)); }
                }
            };
        }
        """);

    [Fact]
    public Task Success_result_check_forever() => Check("""
        record Result(bool IsSuccess, string Value);
        interface IGateway { Task<Result> CompleteAsync(string prompt); }

        class C
        {
            async Task<string> Ask(IGateway gateway)
            {
                {|RG0005:while (true)|}
                {
                    var result = await gateway.CompleteAsync("hi");
                    if (result.IsSuccess) return result.Value;
                    await Task.Delay(Random.Shared.Next(1000));
                }
            }
        }
        """);

    [Fact]
    public Task Counter_compared_but_only_to_log() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                var attempt = 0;
                {|RG0005:while (true)|}
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException)
                    {
                        if (++attempt > 3) Console.WriteLine("still failing");
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Worker_recursion_with_fields_unchanged() => Check("""
        class C
        {
            private readonly HttpClient _http = new();

            async Task<string> Fetch(string url)
            {
                var response = await _http.GetAsync(url);
                if (!response.IsSuccessStatusCode)
                {
                    await Task.Delay(Random.Shared.Next(500));
                    return await {|RG0005:Fetch(url)|};
                }
                return await response.Content.ReadAsStringAsync();
            }
        }
        """);

    [Fact]
    public Task Top_level_forever() => Check("""
        class Program
        {
            static async Task Main()
            {
                using var http = new HttpClient();
                {|RG0005:while (true)|}
                {
                    try { Console.WriteLine(await http.GetStringAsync("https://gateway.example/")); break; }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                }
            }
        }
        """);

    // ---------------------------------------------------------------- negative

    [Fact]
    public Task A_status_test_joined_to_a_counter_in_a_catch_filter_is_a_cap() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 1; ; attempt++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e) when (e.StatusCode is null && attempt < 5) { await Task.Delay(Random.Shared.Next(1000)); }
                }
            }
        }
        """);

    [Fact]
    public Task A_counter_or_a_status_ends_a_status_loop() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                int attempt = 0;
                while (true)
                {
                    var response = await http.GetAsync("/");
                    if (++attempt >= 5 || response.StatusCode != HttpStatusCode.ServiceUnavailable) return response;
                    await Task.Delay(Random.Shared.Next(1000));
                }
            }
        }
        """);

    [Fact]
    public Task For_loop_with_attempt_cap() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task While_true_with_rethrow_after_max() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                var attempt = 0;
                while (true)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException)
                    {
                        if (++attempt >= 5) throw;
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task While_true_with_catch_filter_counter() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                var attempt = 0;
                while (true)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) when (attempt++ < 3) { await Task.Delay(Random.Shared.Next(1000)); }
                }
            }
        }
        """);

    [Fact]
    public Task Deadline_with_stopwatch() => Check("""
        using System.Diagnostics;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                var clock = Stopwatch.StartNew();
                while (true)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromSeconds(30))
                    {
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Deadline_in_the_loop_condition() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
                while (DateTimeOffset.UtcNow < deadline)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                }
                throw new TimeoutException();
            }
        }
        """);

    [Fact]
    public Task One_shot_flag() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                var retried = false;
                while (true)
                {
                    var response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode) return response;
                    if (retried) return response;
                    retried = true;
                    await Task.Delay(Random.Shared.Next(1000));
                }
            }
        }
        """);

    [Fact]
    public Task Cancellation_condition_is_left_to_the_caller() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, CancellationToken ct)
            {
                while (!ct.IsCancellationRequested)
                {
                    try { return await http.GetStringAsync("/", ct); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000), ct); }
                }
                throw new OperationCanceledException(ct);
            }
        }
        """);

    [Fact]
    public Task Throw_if_cancellation_requested_is_left_to_the_caller() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, CancellationToken ct)
            {
                while (true)
                {
                    ct.ThrowIfCancellationRequested();
                    try { return await http.GetStringAsync("/", ct); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000), ct); }
                }
            }
        }
        """);

    [Fact]
    public Task Recursion_with_decreasing_count() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, int retries = 3)
            {
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException) when (retries > 0)
                {
                    await Task.Delay(Random.Shared.Next(1000));
                    return await Get(http, retries - 1);
                }
            }
        }
        """);

    [Fact]
    public Task Recursion_with_increasing_attempt_and_guard() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, int attempt = 0)
            {
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException)
                {
                    if (attempt >= 3) throw;
                    return await Get(http, attempt + 1);
                }
            }
        }
        """);

    [Fact]
    public Task Recursion_one_shot_parameter() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http, bool isRetry = false)
            {
                var response = await http.GetAsync("/");
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && !isRetry)
                {
                    await Task.Delay(Random.Shared.Next(1000));
                    return await Send(http, isRetry: true);
                }
                return response;
            }
        }
        """);

    [Fact]
    public Task Goto_with_counter() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                var attempts = 0;
            retry:
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException) when (attempts++ < 3)
                {
                    await Task.Delay(Random.Shared.Next(1000));
                    goto retry;
                }
            }
        }
        """);

    [Fact]
    public Task Foreach_over_a_delay_schedule() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                foreach (var delay in new[] { 1, 2, 4 })
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) { await Task.Delay(TimeSpan.FromSeconds(delay * Random.Shared.NextDouble())); }
                }
                return await http.GetStringAsync("/");
            }
        }
        """);

    [Fact]
    public Task Polling_forever_is_not_a_retry() => Check("""
        record Job(bool Done);

        class C
        {
            async Task<Job> Wait(Func<Task<Job>> get)
            {
                while (true)
                {
                    var job = await get();
                    if (job.Done) return job;
                    await Task.Delay(5000);
                }
            }
        }
        """);

    [Fact]
    public Task Worker_loop_forever_is_not_a_retry() => Check("""
        class Worker
        {
            async Task Run(Func<Task> drain)
            {
                while (true)
                {
                    try { await drain(); }
                    catch (Exception e) { Console.WriteLine(e); }
                    await Task.Delay(10_000);
                }
            }
        }
        """);

    [Fact]
    public Task Recursion_that_is_not_a_retry() => Check("""
        class Node { public Node? Next; }

        class C
        {
            async Task<int> Count(Node? node, Func<Task> touch)
            {
                if (node is null) return 0;
                await touch();
                return 1 + await Count(node.Next, touch);
            }
        }
        """);

    [Fact]
    public Task While_true_with_break_after_max_attempts() => Check("""
        class C
        {
            async Task<HttpResponseMessage?> Send(HttpClient http)
            {
                HttpResponseMessage? response = null;
                int attempts = 0;
                while (true)
                {
                    response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode) break;
                    if (attempts++ == 4) break;
                    await Task.Delay(Random.Shared.Next(1000));
                }
                return response;
            }
        }
        """);

    [Fact]
    public Task While_with_counter_condition() => Check("""
        class C
        {
            async Task Post(HttpClient http)
            {
                int retries = 0;
                bool sent = false;
                while (!sent && retries < 5)
                {
                    try { (await http.PostAsync("/", null)).EnsureSuccessStatusCode(); sent = true; }
                    catch (HttpRequestException) { retries++; await Task.Delay(Random.Shared.Next(1000)); }
                }
            }
        }
        """);

    [Fact]
    public Task Field_counter_bound_in_recursion() => Check("""
        class C
        {
            private int _attempts;

            async Task<string> Get(HttpClient http)
            {
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException)
                {
                    if (++_attempts > 3) throw;
                    return await Get(http);
                }
            }
        }
        """);

    [Fact]
    public Task File_lock_loop_forever_is_local_work() => Check("""
        class C
        {
            void Save(string path)
            {
                while (true)
                {
                    try { System.IO.File.WriteAllText(path, "x"); return; }
                    catch (System.IO.IOException) { Thread.Sleep(100); }
                }
            }
        }
        """);
}
