namespace RetryGuard.Analyzers.Tests.Loops;

/// <summary>
/// RG0005 where a counter test is joined to a status test. A condition that must hold for another attempt (a loop
/// condition, a catch filter, an <c>if</c> that goes round) bounds the retry only if it implies the counter test:
/// <c>&amp;&amp;</c> with a counter does, <c>||</c> does not (a 429 forever keeps it going). An exit condition is the
/// dual: <c>||</c> with a counter ends it, <c>&amp;&amp;</c> does not. <c>!</c> swaps the two.
/// </summary>
public class RG0005ConditionPolarityTests : LoopTestBase
{
    protected override string Rule => "RG0005";

    // ---------------------------------------------------------------- positive

    [Fact]
    public Task Do_while_status_or_counter_goes_on_while_429_lasts() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                int attempt = 0;
                HttpResponseMessage response;
                {|RG0005:do|}
                {
                    response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode) return response;
                    attempt++;
                    await Task.Delay(Random.Shared.Next(1000));
                } while (response.StatusCode == HttpStatusCode.TooManyRequests || attempt < 3);
                return response;
            }
        }
        """);

    [Fact]
    public Task Catch_filter_status_or_counter() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                int attempt = 0;
                {|RG0005:while (true)|}
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.TooManyRequests || attempt++ < 3)
                    {
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task If_status_or_counter_then_continue_else_throw() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, int max)
            {
                int attempt = 0;
                {|RG0005:while (true)|}
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e)
                    {
                        if (e.StatusCode == HttpStatusCode.TooManyRequests || attempt < max)
                        {
                            attempt++;
                            await Task.Delay(Random.Shared.Next(1000));
                            continue;
                        }
                        throw;
                    }
                }
            }
        }
        """);

    [Fact]
    public Task For_condition_counter_or_last_status() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                HttpStatusCode? last = null;
                {|RG0005:for (int attempt = 0; attempt < 3 || last == HttpStatusCode.TooManyRequests; attempt++)|}
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e)
                    {
                        last = e.StatusCode;
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Exit_needs_counter_and_status() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                int attempt = 0;
                {|RG0005:while (true)|}
                {
                    var response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode) return response;
                    if (++attempt >= 5 && response.StatusCode != HttpStatusCode.TooManyRequests) return response;
                    await Task.Delay(Random.Shared.Next(1000));
                }
            }
        }
        """);

    [Fact]
    public Task Rethrow_needs_counter_and_status() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                int attempt = 0;
                {|RG0005:while (true)|}
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e)
                    {
                        if (++attempt >= 3 && e.StatusCode != HttpStatusCode.ServiceUnavailable) throw;
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Negated_and_in_a_do_while_is_an_or() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                int attempt = 0;
                HttpResponseMessage response;
                {|RG0005:do|}
                {
                    response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode) return response;
                    attempt++;
                    await Task.Delay(Random.Shared.Next(1000));
                } while (!(attempt >= 3 && response.StatusCode != HttpStatusCode.TooManyRequests));
                return response;
            }
        }
        """);

    [Fact]
    public Task Negated_or_as_an_exit_is_an_and() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, int max)
            {
                int attempt = 0;
                {|RG0005:while (true)|}
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e)
                    {
                        if (!(++attempt < max || e.StatusCode == HttpStatusCode.TooManyRequests)) throw;
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Giving_up_catch_filter_needs_counter_and_status() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                int attempt = 0;
                {|RG0005:while (true)|}
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e) when (attempt >= 3 && e.StatusCode != HttpStatusCode.TooManyRequests) { throw; }
                    catch (HttpRequestException)
                    {
                        attempt++;
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Failed_status_branch_that_goes_round_on_429_or_under_the_cap() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http, int max)
            {
                int attempt = 0;
                {|RG0005:while (true)|}
                {
                    var response = await http.GetAsync("/");
                    if (!response.IsSuccessStatusCode && (response.StatusCode == HttpStatusCode.TooManyRequests || attempt < max))
                    {
                        attempt++;
                        await Task.Delay(Random.Shared.Next(1000));
                        continue;
                    }
                    return response;
                }
            }
        }
        """);

    [Fact]
    public Task Recursion_filter_status_or_count() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, int retries = 3)
            {
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.TooManyRequests || retries > 0)
                {
                    await Task.Delay(Random.Shared.Next(1000));
                    return await {|RG0005:Get(http, retries - 1)|};
                }
            }
        }
        """);

    [Fact]
    public Task Recursion_branch_status_or_one_shot() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, bool isRetry = false)
            {
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException e)
                {
                    if (e.StatusCode == HttpStatusCode.ServiceUnavailable || !isRetry)
                    {
                        await Task.Delay(Random.Shared.Next(1000));
                        return await {|RG0005:Get(http, isRetry: true)|};
                    }
                    throw;
                }
            }
        }
        """);

    [Fact]
    public Task Recursion_exit_needs_count_and_status() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, int retries = 3)
            {
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException e)
                {
                    if (retries <= 0 && e.StatusCode != HttpStatusCode.TooManyRequests) throw;
                    await Task.Delay(Random.Shared.Next(1000));
                    return await {|RG0005:Get(http, retries - 1)|};
                }
            }
        }
        """);

    // ---------------------------------------------------------------- negative

    [Fact]
    public Task Do_while_status_and_counter() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                int attempt = 0;
                HttpResponseMessage response;
                do
                {
                    response = await http.GetAsync("/");
                    if (response.IsSuccessStatusCode) return response;
                    attempt++;
                    await Task.Delay(Random.Shared.Next(1000));
                } while (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < 3);
                return response;
            }
        }
        """);

    [Fact]
    public Task Catch_filter_status_and_counter() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                int attempt = 0;
                while (true)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.TooManyRequests && attempt++ < 3)
                    {
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task If_status_and_counter_then_continue_else_throw() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, int max)
            {
                int attempt = 0;
                while (true)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e)
                    {
                        if (e.StatusCode == HttpStatusCode.TooManyRequests && attempt < max)
                        {
                            attempt++;
                            await Task.Delay(Random.Shared.Next(1000));
                            continue;
                        }
                        throw;
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Status_branch_that_goes_round_only_under_the_cap() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http, int max)
            {
                int attempt = 0;
                while (true)
                {
                    var response = await http.GetAsync("/");
                    if ((response.StatusCode == HttpStatusCode.TooManyRequests || response.StatusCode == HttpStatusCode.ServiceUnavailable) && (attempt < max))
                    {
                        attempt++;
                        await Task.Delay(Random.Shared.Next(1000));
                        continue;
                    }
                    return response;
                }
            }
        }
        """);

    [Fact]
    public Task Negated_cap_joined_by_and_in_nested_parentheses() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http, int max)
            {
                int attempt = 0;
                while (true)
                {
                    var response = await http.GetAsync("/");
                    if (((!(attempt >= max))) && ((int)response.StatusCode == 429 || (int)response.StatusCode >= 500))
                    {
                        attempt++;
                        await Task.Delay(Random.Shared.Next(1000));
                        continue;
                    }
                    return response;
                }
            }
        }
        """);

    [Fact]
    public Task For_condition_counter_and_last_status() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                HttpStatusCode? last = null;
                for (int attempt = 0; attempt < 3 && last != HttpStatusCode.BadRequest; attempt++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e)
                    {
                        last = e.StatusCode;
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Rethrow_on_status_or_counter() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                int attempt = 0;
                while (true)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e)
                    {
                        if (e.StatusCode == HttpStatusCode.BadRequest || ++attempt >= 3) throw;
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Negated_and_as_an_exit_is_an_or() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, int max)
            {
                int attempt = 0;
                while (true)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e)
                    {
                        if (!(++attempt < max && e.StatusCode == HttpStatusCode.TooManyRequests)) throw;
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Negated_cap_in_a_catch_filter() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, int max)
            {
                int attempt = 0;
                while (true)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) when (!(attempt++ >= max))
                    {
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Giving_up_catch_filter_on_status_or_counter() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                int attempt = 0;
                while (true)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.BadRequest || attempt >= 3) { throw; }
                    catch (HttpRequestException)
                    {
                        attempt++;
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Cancellation_or_counter_as_an_exit() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, CancellationToken ct)
            {
                int attempt = 0;
                while (true)
                {
                    try { return await http.GetStringAsync("/", ct); }
                    catch (HttpRequestException)
                    {
                        if (ct.IsCancellationRequested || ++attempt > 5) throw;
                        await Task.Delay(Random.Shared.Next(1000), ct);
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Not_cancelled_and_under_the_cap_in_the_header() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, CancellationToken ct)
            {
                int attempt = 0;
                while (!ct.IsCancellationRequested && attempt < 5)
                {
                    try { return await http.GetStringAsync("/", ct); }
                    catch (HttpRequestException) { attempt++; await Task.Delay(Random.Shared.Next(1000), ct); }
                }
                throw new TimeoutException();
            }
        }
        """);

    [Fact]
    public Task Failed_status_branch_that_goes_round_on_429_under_the_cap() => Check("""
        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http, int max)
            {
                int attempt = 0;
                while (true)
                {
                    var response = await http.GetAsync("/");
                    if (!response.IsSuccessStatusCode && (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < max))
                    {
                        attempt++;
                        await Task.Delay(Random.Shared.Next(1000));
                        continue;
                    }
                    return response;
                }
            }
        }
        """);

    [Fact]
    public Task Recursion_filter_status_and_count() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, int retries = 3)
            {
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.TooManyRequests && retries > 0)
                {
                    await Task.Delay(Random.Shared.Next(1000));
                    return await Get(http, retries - 1);
                }
            }
        }
        """);

    [Fact]
    public Task Recursion_exit_on_count_or_status() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, int retries = 3)
            {
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException e)
                {
                    if (retries <= 0 || e.StatusCode == HttpStatusCode.BadRequest) throw;
                    await Task.Delay(Random.Shared.Next(1000));
                    return await Get(http, retries - 1);
                }
            }
        }
        """);

    [Fact]
    public Task Recursion_branch_under_a_negated_or() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, int retries = 3)
            {
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException e)
                {
                    if (!(retries <= 0 || e.StatusCode == HttpStatusCode.BadRequest))
                    {
                        await Task.Delay(Random.Shared.Next(1000));
                        return await Get(http, retries - 1);
                    }
                    throw;
                }
            }
        }
        """);

    [Fact]
    public Task Recursion_giving_up_catch_on_count_or_status() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, int retries = 3)
            {
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException e) when (retries <= 0 || e.StatusCode == HttpStatusCode.BadRequest) { throw; }
                catch (HttpRequestException)
                {
                    await Task.Delay(Random.Shared.Next(1000));
                    return await Get(http, retries - 1);
                }
            }
        }
        """);

    [Fact]
    public Task Exit_on_the_cap_and_a_test_the_analysis_cannot_read_is_left_alone() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                int attempt = 0;
                Exception? lastError = null;
                while (true)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException e)
                    {
                        lastError = e;
                        if (++attempt >= 3 && lastError is not null) throw lastError;
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Cap_or_a_setting_in_the_header_is_left_alone() => Check("""
        class C
        {
            public bool KeepTrying { get; set; }

            async Task<string> Get(HttpClient http)
            {
                for (int attempt = 0; attempt < 3 || KeepTrying; attempt++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Recursion_count_or_a_setting_is_left_alone() => Check("""
        class C
        {
            public bool RetryForever { get; set; }

            async Task<string> Get(HttpClient http, int retries = 3)
            {
                try { return await http.GetStringAsync("/"); }
                catch (HttpRequestException) when (retries > 0 || RetryForever)
                {
                    await Task.Delay(Random.Shared.Next(1000));
                    return await Get(http, retries - 1);
                }
            }
        }
        """);
}
