namespace RetryGuard.Analyzers.Tests.Loops;

/// <summary>RG0002 on hand-written retries: caller errors admitted to another attempt.</summary>
public class RG0002NonRetryableStatusTests : LoopTestBase
{
    protected override string Rule => "RG0002";

    // ---------------------------------------------------------------- positive

    [Fact]
    public Task Catch_http_request_exception_around_get_string() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, string url)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync(url); }
                    {|RG0002:catch (HttpRequestException)|} { await Task.Delay(Random.Shared.Next(1000)); }
                }
                throw new InvalidOperationException("gave up");
            }
        }
        """);

    [Fact]
    public Task Catch_all_after_ensure_success_status_code() => Check("""
        class C
        {
            async Task<string> Post(HttpClient http, HttpContent body)
            {
                for (int i = 0; i < 3; i++)
                {
                    try
                    {
                        var response = await http.PostAsync("/v1/chat/completions", body);
                        response.EnsureSuccessStatusCode();
                        return await response.Content.ReadAsStringAsync();
                    }
                    {|RG0002:catch (Exception)|} { }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Bare_catch_after_ensure_success() => Check("""
        class C
        {
            async Task Post(HttpClient http)
            {
                var attempts = 0;
                while (attempts < 3)
                {
                    try { (await http.PostAsync("/", null)).EnsureSuccessStatusCode(); return; }
                    {|RG0002:catch|} { attempts++; }
                }
            }
        }
        """);

    [Fact]
    public Task Is_success_exit_then_retry_everything_else() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 4; i++)
                {
                    var response = await http.GetAsync("/");
                    if ({|RG0002:response.IsSuccessStatusCode|}) return response;
                    await Task.Delay(Random.Shared.Next(100, 2000));
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Not_success_branch_with_continue() => Check("""
        class C
        {
            async Task<string> Send(HttpClient http)
            {
                for (int i = 0; i < 4; i++)
                {
                    var response = await http.GetAsync("/");
                    if ({|RG0002:!response.IsSuccessStatusCode|})
                    {
                        continue;
                    }
                    return await response.Content.ReadAsStringAsync();
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Any_4xx_or_5xx_by_int_comparison() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                HttpResponseMessage response = null!;
                for (int i = 0; i < 3; i++)
                {
                    response = await http.GetAsync("/");
                    if ({|RG0002:(int)response.StatusCode >= 400|})
                    {
                        await Task.Delay(Random.Shared.Next(500));
                        continue;
                    }
                    break;
                }
                return response;
            }
        }
        """);

    [Fact]
    public Task Explicit_bad_request_in_an_or_pattern() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; ; i++)
                {
                    var response = await http.GetAsync("/");
                    if (i < 3 && {|RG0002:response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.ServiceUnavailable|})
                    {
                        await Task.Delay(Random.Shared.Next(500));
                        continue;
                    }
                    return response;
                }
            }
        }
        """);

    [Fact]
    public Task Unauthorized_retried_without_changing_anything() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if ({|RG0002:response.StatusCode == HttpStatusCode.Unauthorized|})
                    {
                        await Task.Delay(Random.Shared.Next(500));
                        continue;
                    }
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Unprocessable_entity_by_number() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if ({|RG0002:(int)response.StatusCode == 422|}) continue;
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Payment_required_is_no_transient() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if ({|RG0002:response.StatusCode != HttpStatusCode.OK|}) continue;
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Switch_section_lists_forbidden() => Check("""
        class C
        {
            async Task<string> Call(HttpClient http)
            {
                for (int attempt = 0; attempt < 4; attempt++)
                {
                    var response = await http.GetAsync("/v1/models");
                    switch ({|RG0002:response.StatusCode|})
                    {
                        case HttpStatusCode.OK:
                            return await response.Content.ReadAsStringAsync();
                        case HttpStatusCode.Forbidden:
                        case HttpStatusCode.ServiceUnavailable:
                            await Task.Delay(Random.Shared.Next(1000));
                            break;
                        default:
                            throw new HttpRequestException(response.StatusCode.ToString());
                    }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Catch_filter_that_excludes_only_one_caller_error() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync("/"); }
                    {|RG0002:catch (HttpRequestException e) when (e.StatusCode != HttpStatusCode.BadRequest)|} { }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task While_true_status_loop() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http, CancellationToken ct)
            {
                var attempt = 0;
                while (true)
                {
                    var response = await http.GetAsync("/", ct);
                    if ({|RG0002:response.IsSuccessStatusCode|} || ++attempt > 3) return response;
                    await Task.Delay(Random.Shared.Next(1000), ct);
                }
            }
        }
        """);

    [Fact]
    public Task Do_while_not_success() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                HttpResponseMessage response;
                int tries = 0;
                do
                {
                    response = await http.GetAsync("/");
                    if ({|RG0002:response.IsSuccessStatusCode|}) break;
                } while (++tries < 3);
                return response;
            }
        }
        """);

    [Fact]
    public Task Goto_retry_on_non_success() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                int attempts = 0;
            retry:
                var response = await http.GetAsync("/");
                if ({|RG0002:!response.IsSuccessStatusCode|} && attempts++ < 3)
                {
                    await Task.Delay(Random.Shared.Next(1000));
                    goto retry;
                }
                return response;
            }
        }
        """);

    [Fact]
    public Task Recursion_in_catch_after_ensure_success() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, int retries = 3)
            {
                try
                {
                    var response = await http.GetAsync("/");
                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsStringAsync();
                }
                {|RG0002:catch (HttpRequestException) when (retries > 0)|}
                {
                    return await Get(http, retries - 1);
                }
            }
        }
        """);

    [Fact]
    public Task Get_from_json_is_a_throwing_call() => Check("""
        using System.Net.Http.Json;

        record Models(string[] Data);

        class C
        {
            async Task<Models?> List(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await http.GetFromJsonAsync<Models>("/v1/models"); }
                    {|RG0002:catch (HttpRequestException)|} { await Task.Delay(Random.Shared.Next(1000)); }
                }
                return null;
            }
        }
        """);

    [Fact]
    public Task Configured_list_adds_not_found() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if ({|RG0002:response.StatusCode == HttpStatusCode.NotFound|}) continue;
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """, editorConfig: "retryguard.non_retryable_status_codes = 400, 401, 402, 403, 404, 422");

    [Fact]
    public Task Local_function_retry() => Check("""
        class C
        {
            async Task<string> Outer(HttpClient http)
            {
                return await Attempt();

                async Task<string> Attempt()
                {
                    for (int i = 0; i < 3; i++)
                    {
                        try { return await http.GetStringAsync("/"); }
                        {|RG0002:catch (HttpRequestException)|} { }
                    }
                    return "";
                }
            }
        }
        """);

    [Fact]
    public Task Relational_pattern_from_400() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if ({|RG0002:(int)response.StatusCode is >= 400 and < 600|}) continue;
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Result_check_is_unknown_but_a_status_exit_before_it_is_known() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if ({|RG0002:response.StatusCode == HttpStatusCode.OK|}) return response;
                    await Task.Delay(Random.Shared.Next(300));
                }
                throw new HttpRequestException();
            }
        }
        """);

    // ---------------------------------------------------------------- negative

    [Fact]
    public Task Only_429_and_5xx_by_comparison() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
                    {
                        await Task.Delay(Random.Shared.Next(1000));
                        continue;
                    }
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Runtime_status_policy_decides() => Check("""
        using RetryGuard;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (!HttpStatusPolicy.IsRetryable(response.StatusCode)) return response;
                    await Task.Delay(Backoff.Exponential(i, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)));
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Catch_filter_on_transient_statuses() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e) when (e.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout) { }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Catch_filter_network_errors_and_5xx() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e) when (e.StatusCode is null || (int)e.StatusCode >= 500) { }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Send_async_does_not_throw_on_status() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetAsync("/"); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                }
                throw new TimeoutException();
            }
        }
        """);

    [Fact]
    public Task Timeouts_carry_no_status() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (TaskCanceledException) { }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Caller_errors_exit_before_the_retry() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode) return response;
                    if ((int)response.StatusCode < 500 && response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    await Task.Delay(Random.Shared.Next(1000));
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Token_refresh_after_401_is_not_blind() => Check("""
        class C
        {
            private string _token = "";
            Task<string> RefreshTokenAsync() => Task.FromResult("new");

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 2; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode == HttpStatusCode.Unauthorized)
                    {
                        _token = await RefreshTokenAsync();
                        continue;
                    }
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Authorization_header_replaced_after_403() => Check("""
        using System.Net.Http.Headers;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http, Func<string> newKey)
            {
                for (int i = 0; i < 2; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    {
                        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", newKey());
                        continue;
                    }
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Polling_202_is_not_a_retry() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Poll(HttpClient http, string location)
            {
                while (true)
                {
                    var response = await http.GetAsync(location);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        await Task.Delay(2000);
                        continue;
                    }
                    return response;
                }
            }
        }
        """);

    [Fact]
    public Task Hash_set_of_codes_is_unknown() => Check("""
        class C
        {
            private static readonly HashSet<HttpStatusCode> Retryable = new() { HttpStatusCode.BadRequest, HttpStatusCode.ServiceUnavailable };

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (Retryable.Contains(response.StatusCode)) continue;
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Custom_exception_from_user_code_is_unknown() => Check("""
        class ApiException : Exception { public int Status { get; init; } }

        class C
        {
            async Task<string> Call(Func<Task<string>> api)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await api(); }
                    catch (ApiException) { await Task.Delay(Random.Shared.Next(1000)); }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Catch_http_request_exception_around_user_code_is_unknown() => Check("""
        interface IGateway { Task<string> CompleteAsync(string prompt); }

        class C
        {
            async Task<string> Call(IGateway gateway)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await gateway.CompleteAsync("hi"); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Batch_loop_with_failed_items_is_not_a_retry() => Check("""
        class C
        {
            async Task SendAll(HttpClient http, string[] prompts)
            {
                foreach (var prompt in prompts)
                {
                    var response = await http.PostAsync("/v1/completions", new StringContent(prompt));
                    if (!response.IsSuccessStatusCode) Console.WriteLine("failed: " + prompt);
                }
            }
        }
        """);

    [Fact]
    public Task Single_attempt_without_loop() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException) { return ""; }
            }
        }
        """);

    [Fact]
    public Task Catch_that_rethrows_caller_errors_first() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e) when ((int?)e.StatusCode >= 500 || e.StatusCode == HttpStatusCode.TooManyRequests)
                    {
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Configured_list_without_422_lets_it_through() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if ((int)response.StatusCode == 422) continue;
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """, editorConfig: "retryguard.non_retryable_status_codes = 400, 401, 402, 403");

    [Fact]
    public Task Malformed_configuration_falls_back_to_the_default() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable) continue;
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """, editorConfig: "retryguard.non_retryable_status_codes = 400, banana, 9999");

    [Fact]
    public Task Recursion_that_retries_only_on_timeout() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, int retries = 3)
            {
                try { return await http.GetStringAsync("/"); }
                catch (TaskCanceledException) when (retries > 0) { return await Get(http, retries - 1); }
            }
        }
        """);

    [Fact]
    public Task Worker_loop_logging_failures_is_not_a_retry() => Check("""
        class Worker
        {
            async Task Run(HttpClient http, CancellationToken ct)
            {
                while (!ct.IsCancellationRequested)
                {
                    var response = await http.GetAsync("/queue", ct);
                    if (!response.IsSuccessStatusCode) Console.WriteLine(response.StatusCode);
                    await Task.Delay(1000, ct);
                }
            }
        }
        """);
}
