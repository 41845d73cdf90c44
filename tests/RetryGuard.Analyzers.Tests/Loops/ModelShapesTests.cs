using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests.Loops;

/// <summary>
/// Shapes of the retry model across rules: helper predicates, switch expressions, catch-and-retry blocks. Every
/// rule is on here, so each test states all that the code deserves.
/// </summary>
public class ModelShapesTests
{
    private const string Usings = """
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        """;

    private static Task Check(string code) => Verify<RetryAnalyzer>.AnalyzerAsync(Usings + code);

    [Fact]
    public Task Status_set_from_a_helper_predicate_that_admits_caller_errors() => Check("""
        class C
        {
            static bool ShouldRetry(HttpResponseMessage r) => (int)r.StatusCode >= 400;

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if ({|RG0002:ShouldRetry(response)|})
                    {
                        await {|RG0003:Task.Delay(Random.Shared.Next(1000))|};
                        continue;
                    }
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Status_set_from_a_transient_helper_is_clean_apart_from_retry_after() => Check("""
        class C
        {
            static bool IsTransient(HttpStatusCode code) => code == HttpStatusCode.RequestTimeout || (int)code >= 500;

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (!IsTransient(response.StatusCode)) return response;
                    await Task.Delay(Random.Shared.Next(1000));
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Switch_expression_helper() => Check("""
        class C
        {
            static bool Retryable(HttpStatusCode code) => code switch
            {
                HttpStatusCode.TooManyRequests => true,
                HttpStatusCode.BadRequest => true,
                >= HttpStatusCode.InternalServerError => true,
                _ => false,
            };

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if ({|RG0002:Retryable(response.StatusCode)|})
                    {
                        await {|RG0001:{|RG0003:Task.Delay(1000 * i)|}|};
                        continue;
                    }
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Switch_expression_of_only_transients_is_clean() => Check("""
        class C
        {
            static bool Retryable(HttpStatusCode code) => code switch
            {
                HttpStatusCode.TooManyRequests => false,
                >= HttpStatusCode.InternalServerError => true,
                _ => false,
            };

            async Task<HttpResponseMessage> Send(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    var response = await http.GetAsync("/");
                    if (Retryable(response.StatusCode))
                    {
                        await Task.Delay(Random.Shared.Next(1000 << i));
                        continue;
                    }
                    return response;
                }
                throw new HttpRequestException();
            }
        }
        """);

    [Fact]
    public Task Catch_and_retry_once_with_a_fixed_wait() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, string url)
            {
                try { return await http.GetStringAsync(url); }
                {|RG0002:catch (HttpRequestException)|}
                {
                    await {|RG0001:{|RG0003:Task.Delay(2000)|}|};
                    return await http.GetStringAsync(url);
                }
            }
        }
        """);

    [Fact]
    public Task Catch_and_retry_once_on_timeout_with_jitter_is_clean() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, string url)
            {
                try { return await http.GetStringAsync(url); }
                catch (TaskCanceledException)
                {
                    await Task.Delay(Random.Shared.Next(500, 1500));
                    return await http.GetStringAsync(url);
                }
            }
        }
        """);

    [Fact]
    public Task Fallback_to_another_endpoint_is_not_a_retry() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                try { return await http.GetStringAsync("https://primary.example/v1/models"); }
                catch (HttpRequestException)
                {
                    await Task.Delay(1000);
                    return await http.GetStringAsync("https://backup.example/v1/models");
                }
            }
        }
        """);

    [Fact]
    public Task Catch_that_logs_and_rethrows_is_not_a_retry() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, string url)
            {
                try { return await http.GetStringAsync(url); }
                catch (HttpRequestException e)
                {
                    Console.WriteLine(e.Message);
                    await Task.Delay(100);
                    throw;
                }
            }
        }
        """);

    [Fact]
    public Task Catch_and_retry_inside_a_loop_is_judged_by_the_loop_once() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http, string url)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await http.GetStringAsync(url); }
                    catch (TaskCanceledException)
                    {
                        await {|RG0001:Task.Delay(500)|};
                    }
                }
                return "";
            }
        }
        """);

    [Fact]
    public Task Catch_and_retry_of_a_delegate() => Check("""
        class C
        {
            async Task<T> Once<T>(Func<Task<T>> operation, Func<Task<T>> other)
            {
                try { return await operation(); }
                catch (TimeoutException)
                {
                    await {|RG0001:Task.Delay(1000)|};
                    return await operation();
                }
            }
        }
        """);

    [Fact]
    public Task Catch_calling_a_different_delegate_is_a_fallback() => Check("""
        class C
        {
            async Task<T> Once<T>(Func<Task<T>> operation, Func<Task<T>> fallback)
            {
                try { return await operation(); }
                catch (TimeoutException)
                {
                    await Task.Delay(1000);
                    return await fallback();
                }
            }
        }
        """);
}
