using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.CodeFixes;

namespace RetryGuard.Analyzers.Tests.Fixes;

/// <summary>
/// The targeted fixes on the retry shapes other than <c>for</c> / <c>while</c>: <c>do</c> loops, <c>goto</c> and
/// recursion. A fix that edits the wait or the status test works wherever the model locates them.
/// </summary>
public class OtherRetryShapesFixTests
{
    [Fact]
    public Task RG0001_jitter_on_a_recursive_retry() => Verify<RetryAnalyzer>.CodeFixAsync<RG0001NoJitterCodeFix>("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http, int retries = 3)
            {
                try
                {
                    return await http.GetStringAsync("/");
                }
                catch (HttpRequestException) when (retries > 0)
                {
                    await {|RG0001:Task.Delay(TimeSpan.FromSeconds(Math.Pow(2, 3 - retries)))|};
                    return await Get(http, retries - 1);
                }
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;
        using RetryGuard;

        class C
        {
            async Task<string> Get(HttpClient http, int retries = 3)
            {
                try
                {
                    return await http.GetStringAsync("/");
                }
                catch (HttpRequestException) when (retries > 0)
                {
                    await Task.Delay(Backoff.WithJitter(TimeSpan.FromSeconds(Math.Pow(2, 3 - retries))));
                    return await Get(http, retries - 1);
                }
            }
        }
        """, only: "RG0001");

    [Fact]
    public Task RG0001_jitter_on_a_goto_retry() => Verify<RetryAnalyzer>.CodeFixAsync<RG0001NoJitterCodeFix>("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                int attempt = 0;
            retry:
                try
                {
                    return await http.GetStringAsync("/");
                }
                catch (HttpRequestException) when (attempt < 4)
                {
                    await {|RG0001:Task.Delay(TimeSpan.FromSeconds(Math.Pow(2, attempt++)))|};
                    goto retry;
                }
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;
        using RetryGuard;

        class C
        {
            async Task<string> Get(HttpClient http)
            {
                int attempt = 0;
            retry:
                try
                {
                    return await http.GetStringAsync("/");
                }
                catch (HttpRequestException) when (attempt < 4)
                {
                    await Task.Delay(Backoff.WithJitter(TimeSpan.FromSeconds(Math.Pow(2, attempt++))));
                    goto retry;
                }
            }
        }
        """, only: "RG0001");

    [Fact]
    public Task RG0003_retry_after_in_a_do_loop_with_the_response_assigned_to_an_outer_local() => Verify<RetryAnalyzer>.CodeFixAsync<RG0003IgnoresRetryAfterCodeFix>("""
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                int attempt = 0;
                HttpResponseMessage response;
                do
                {
                    response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) break;
                    await {|RG0003:Task.Delay(Random.Shared.Next(1000))|};
                } while (++attempt < 3);
                return response;
            }
        }
        """, """
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;
        using RetryGuard;

        class C
        {
            private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(120);

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                int attempt = 0;
                HttpResponseMessage response;
                do
                {
                    response = await http.GetAsync("/");
                    if (response.StatusCode != HttpStatusCode.TooManyRequests) break;
                    await Task.Delay(RetryAfter.GetDelay(response) is { } retryAfter && retryAfter <= MaxRetryAfter ? retryAfter : TimeSpan.FromMilliseconds(Random.Shared.Next(1000)));
                } while (++attempt < 3);
                return response;
            }
        }
        """, only: "RG0003");

    [Fact]
    public Task RG0003_retry_after_in_a_recursive_status_retry() => Verify<RetryAnalyzer>.CodeFixAsync<RG0003IgnoresRetryAfterCodeFix>("""
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http, int retries = 3)
            {
                var response = await http.GetAsync("/");
                if (response.StatusCode == HttpStatusCode.TooManyRequests && retries > 0)
                {
                    await {|RG0003:Task.Delay(Random.Shared.Next(1000))|};
                    return await Send(http, retries - 1);
                }

                return response;
            }
        }
        """, """
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;
        using RetryGuard;

        class C
        {
            private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(120);

            async Task<HttpResponseMessage> Send(HttpClient http, int retries = 3)
            {
                var response = await http.GetAsync("/");
                if (response.StatusCode == HttpStatusCode.TooManyRequests && retries > 0)
                {
                    await Task.Delay(RetryAfter.GetDelay(response) is { } retryAfter && retryAfter <= MaxRetryAfter ? retryAfter : TimeSpan.FromMilliseconds(Random.Shared.Next(1000)));
                    return await Send(http, retries - 1);
                }

                return response;
            }
        }
        """, only: "RG0003");

    [Fact]
    public Task RG0007_cap_in_a_goto_status_retry() => Verify<RetryAnalyzer>.CodeFixAsync<RG0007UncappedRetryAfterCodeFix>("""
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                int attempt = 0;
            retry:
                var response = await http.GetAsync("/");
                if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt++ < 3)
                {
                    await {|RG0007:Task.Delay(response.Headers.RetryAfter!.Delta!.Value)|};
                    goto retry;
                }

                return response;
            }
        }
        """, """
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;
        using RetryGuard;

        class C
        {
            private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(120);

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                int attempt = 0;
            retry:
                var response = await http.GetAsync("/");
                if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt++ < 3)
                {
                    var retryAfter = response.Headers.RetryAfter!.Delta!.Value;
                    if (retryAfter > MaxRetryAfter)
                    {
                        throw new RateLimitExceededException($"The server asked to wait {retryAfter}, longer than {MaxRetryAfter}; not waiting that long.", retryAfter);
                    }
                    await Task.Delay(retryAfter);
                    goto retry;
                }

                return response;
            }
        }
        """, only: "RG0007");

    [Fact]
    public Task RG0002_catch_narrowed_on_a_recursive_retry() => Verify<RetryAnalyzer>.CodeFixAsync<RG0002NonRetryableStatusCodeFix>("""
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<string> Get(HttpClient http, int retries = 3)
            {
                try
                {
                    return await http.GetStringAsync("/");
                }
                {|RG0002:catch (HttpRequestException) when (retries > 0)|}
                {
                    await Task.Delay(Random.Shared.Next(1000));
                    return await Get(http, retries - 1);
                }
            }
        }
        """, """
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;
        using RetryGuard;

        class C
        {
            async Task<string> Get(HttpClient http, int retries = 3)
            {
                try
                {
                    return await http.GetStringAsync("/");
                }
                catch (HttpRequestException e) when (retries > 0 && (e.StatusCode is null || HttpStatusPolicy.IsRetryable(e.StatusCode.Value)))
                {
                    await Task.Delay(Random.Shared.Next(1000));
                    return await Get(http, retries - 1);
                }
            }
        }
        """, only: "RG0002");

    [Fact]
    public Task No_RG0003_fix_when_the_response_is_assigned_only_in_a_branch() => Verify<RetryAnalyzer>.CodeFixAsync<RG0003IgnoresRetryAfterCodeFix>(Branch, Branch, only: "RG0003");

    private const string Branch = """
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<HttpResponseMessage> Send(HttpClient http, bool post)
            {
                int attempt = 0;
                HttpResponseMessage response = null;
                do
                {
                    if (post)
                    {
                        response = await http.PostAsync("/", null);
                    }

                    if (response.StatusCode != HttpStatusCode.TooManyRequests) break;
                    await {|RG0003:Task.Delay(Random.Shared.Next(1000))|};
                } while (++attempt < 3);
                return response;
            }
        }
        """;

    [Fact]
    public Task RG0003_a_response_assigned_before_the_loop_is_not_the_attempts() => Verify<RetryAnalyzer>.CodeFixAsync<RG0003IgnoresRetryAfterCodeFix>("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class C
        {
            async Task<HttpResponseMessage> Get(HttpClient http)
            {
                HttpResponseMessage probe;
                probe = await http.GetAsync("/health");
                for (int i = 0; i < 3; i++)
                {
                    try
                    {
                        var response = await http.GetAsync("/");
                        response.EnsureSuccessStatusCode();
                        return response;
                    }
                    catch (HttpRequestException) when (i < 2)
                    {
                        await {|RG0003:Task.Delay(Random.Shared.Next(1000))|};
                    }
                }

                return probe;
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;
        using RetryGuard;

        class C
        {
            private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(120);

            async Task<HttpResponseMessage> Get(HttpClient http)
            {
                HttpResponseMessage probe;
                probe = await http.GetAsync("/health");
                for (int i = 0; i < 3; i++)
                {
                    TimeSpan? retryAfter = null;
                    try
                    {
                        var response = await http.GetAsync("/");
                        retryAfter = RetryAfter.GetDelay(response);
                        response.EnsureSuccessStatusCode();
                        return response;
                    }
                    catch (HttpRequestException) when (i < 2)
                    {
                        await Task.Delay(retryAfter is { } serverDelay && serverDelay <= MaxRetryAfter ? serverDelay : TimeSpan.FromMilliseconds(Random.Shared.Next(1000)));
                    }
                }

                return probe;
            }
        }
        """, only: "RG0003");
}
