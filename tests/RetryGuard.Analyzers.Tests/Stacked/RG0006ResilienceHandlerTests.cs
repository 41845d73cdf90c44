using Microsoft.CodeAnalysis.Testing;
using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests.Stacked;

/// <summary>
/// RG0006: a hand-written retry or a Polly retry around an HttpClient of a factory registration with
/// Microsoft.Extensions.Http.Resilience's standard resilience handler (which retries 3 times by default).
/// </summary>
public class RG0006ResilienceHandlerTests
{
    private static Task Check(string code) => RG0006PollyTests.Check(code);

    private static Task CheckMessage(string code, string client, string multiplication) =>
        Verify<RetryAnalyzer>.AnalyzerWithReferencesAsync(RG0006PollyTests.Usings + code, RG0006PollyTests.References, only: "RG0006",
            new DiagnosticResult(RuleCatalog.RG0006StackedRetries).WithLocation(0).WithArguments(client, multiplication));

    /// <summary>A typed client whose GetAsync retries by hand on 429 and 5xx.</summary>
    private const string TypedClient = """
        public interface IGateway { Task<string> AskAsync(string path); }
        public class GatewayClient : IGateway
        {
            private readonly HttpClient _http;

            public GatewayClient(HttpClient http) => _http = http;

            public async Task<string> AskAsync(string path)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    using var response = await {|#0:_http.GetAsync(path)|};
                    if (response.IsSuccessStatusCode)
                    {
                        return await response.Content.ReadAsStringAsync();
                    }

                    await Task.Delay(Random.Shared.Next(500, 2000));
                }

                throw new HttpRequestException("gave up");
            }
        }
        """;

    /// <summary>The same retry without the markup: where no diagnostic is expected.</summary>
    private static readonly string PlainTypedClient = TypedClient.Replace("{|#0:", string.Empty).Replace(")|}", ")");

    // ---------------------------------------------------------------- positive

    [Fact]
    public Task Typed_client_with_the_standard_handler_names_the_multiplication() => CheckMessage("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) =>
                services.AddHttpClient<GatewayClient>(http => http.BaseAddress = new Uri("https://gateway.example/"))
                    .AddStandardResilienceHandler();
        }
        """ + TypedClient, "HttpClient.GetAsync (typed client GatewayClient)", "3 attempts × 4 standard resilience handler attempts = up to 12 requests");

    [Fact]
    public Task Typed_client_behind_an_interface_with_a_retry_count() => CheckMessage("""
        static class Startup
        {
            public static void Configure(IServiceCollection services)
            {
                services.AddHttpClient<IGateway, GatewayClient>()
                    .AddStandardResilienceHandler(o => o.Retry.MaxRetryAttempts = 5);
            }
        }
        """ + TypedClient, "HttpClient.GetAsync (typed client GatewayClient)", "3 attempts × 6 standard resilience handler attempts = up to 18 requests");

    [Fact]
    public Task Typed_client_with_a_primary_constructor_and_a_catch() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) => services.AddHttpClient<Summaries>().AddStandardResilienceHandler();
        }
        public record Summary(string Text);
        public class Summaries(HttpClient http)
        {
            public async Task<HttpResponseMessage> PostAsync(Summary summary)
            {
                int attempt = 0;
                while (true)
                {
                    try { return await {|RG0006:http.PostAsJsonAsync("summaries", summary)|}; }
                    catch (HttpRequestException) when (++attempt < 4) { await Task.Delay(Random.Shared.Next(1000)); }
                }
            }
        }
        """);

    [Fact]
    public Task Handler_configured_with_other_settings_still_retries() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) =>
                services.AddHttpClient<GatewayClient>()
                    .AddStandardResilienceHandler()
                    .Configure(o => { o.Retry.Delay = TimeSpan.FromSeconds(1); o.Retry.UseJitter = true; });
        }
        """ + TypedClient.Replace("{|#0:", "{|RG0006:"));

    [Fact]
    public Task Handler_from_configuration_still_retries() => CheckMessage("""
        static class Startup
        {
            public static void Configure(IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration) =>
                services.AddHttpClient<GatewayClient>().AddStandardResilienceHandler(configuration.GetSection("Gateway:Resilience"));
        }
        """ + TypedClient, "HttpClient.GetAsync (typed client GatewayClient)", "3 attempts, each retried again by the standard resilience handler (MaxRetryAttempts from configuration)");

    [Fact]
    public Task Builder_kept_in_a_local() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services)
            {
                var gateway = services.AddHttpClient<GatewayClient>();
                gateway.AddStandardResilienceHandler();
            }
        }
        """ + TypedClient.Replace("{|#0:", "{|RG0006:"));

    [Fact]
    public Task Named_client_created_in_the_constructor() => CheckMessage("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) => services.AddHttpClient("llm").AddStandardResilienceHandler();
        }
        class Chat
        {
            private readonly HttpClient _http;

            public Chat(IHttpClientFactory factory) => _http = factory.CreateClient("llm");

            public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request)
            {
                HttpResponseMessage response = null!;
                for (int attempt = 0; attempt < 4; attempt++)
                {
                    response = await {|#0:_http.SendAsync(request())|};
                    if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                    {
                        return response;
                    }

                    await Task.Delay(Random.Shared.Next(250, 1000));
                }

                return response;
            }
        }
        """, "HttpClient.SendAsync (named client \"llm\")", "4 attempts × 4 standard resilience handler attempts = up to 16 requests");

    [Fact]
    public Task Named_client_with_a_constant_name_in_a_local() => Check("""
        static class Names { public const string Llm = "llm"; }
        static class Startup
        {
            public static void Configure(IServiceCollection services) => services.AddHttpClient(Names.Llm).AddStandardResilienceHandler();
        }
        class Chat(IHttpClientFactory factory)
        {
            public async Task<string> AskAsync(string path)
            {
                var http = factory.CreateClient(Names.Llm);
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await {|RG0006:http.GetStringAsync(path)|}; }
                    catch (HttpRequestException e) when (e.StatusCode is HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError)
                    {
                        await Task.Delay(Random.Shared.Next(1000));
                    }
                }

                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Handler_for_every_client_through_the_defaults() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services)
            {
                services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
                services.AddHttpClient<GatewayClient>();
            }
        }
        """ + TypedClient.Replace("{|#0:", "{|RG0006:"));

    [Fact]
    public Task Polly_v7_retry_around_a_typed_client() => CheckMessage("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) => services.AddHttpClient<Tickets>().AddStandardResilienceHandler();
        }
        class Tickets
        {
            private readonly HttpClient _http;
            private readonly IAsyncPolicy<HttpResponseMessage> _retry = Policy<HttpResponseMessage>
                .Handle<HttpRequestException>()
                .OrResult(r => (int)r.StatusCode >= 500)
                .WaitAndRetryAsync(2, attempt => TimeSpan.FromSeconds(Random.Shared.Next(1, 4)));

            public Tickets(HttpClient http) { _http = http; }

            public Task<HttpResponseMessage> GetAsync(string id) => _retry.ExecuteAsync(() => {|#0:_http.GetAsync("tickets/" + id)|});
        }
        """, "HttpClient.GetAsync (typed client Tickets)", "3 attempts × 4 standard resilience handler attempts = up to 12 requests");

    [Fact]
    public Task Polly_v8_retry_around_a_named_client() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) => services.AddHttpClient("llm").AddStandardResilienceHandler();
        }
        class Chat(IHttpClientFactory factory)
        {
            private readonly ResiliencePipeline<HttpResponseMessage> _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
                .AddRetry(new HttpRetryStrategyOptions())
                .Build();

            public ValueTask<HttpResponseMessage> AskAsync(string path)
            {
                var http = factory.CreateClient("llm");
                return _pipeline.ExecuteAsync(async ct => await {|RG0006:http.GetAsync(path, ct)|});
            }
        }
        """);

    // ---------------------------------------------------------------- negative

    [Fact]
    public Task Typed_client_registered_without_the_handler() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) => services.AddHttpClient<GatewayClient>();
        }
        """ + PlainTypedClient);

    [Fact]
    public Task Handler_on_another_typed_client() => Check("""
        class Other(HttpClient http) { public Task<string> Get() => http.GetStringAsync("/"); }
        static class Startup
        {
            public static void Configure(IServiceCollection services)
            {
                services.AddHttpClient<Other>().AddStandardResilienceHandler();
                services.AddHttpClient<GatewayClient>();
            }
        }
        """ + PlainTypedClient);

    [Fact]
    public Task Handler_retry_replaced_by_a_predicate() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) =>
                services.AddHttpClient<GatewayClient>()
                    .AddStandardResilienceHandler(o => o.Retry.ShouldHandle = _ => PredicateResult.False());
        }
        """ + PlainTypedClient);

    [Fact]
    public Task Handler_retry_turned_off_in_a_chained_configure() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) =>
                services.AddHttpClient<GatewayClient>()
                    .AddStandardResilienceHandler()
                    .Configure(o => o.Retry.ShouldHandle = _ => ValueTask.FromResult(false));
        }
        """ + PlainTypedClient);

    [Fact]
    public Task Handler_retry_disabled_for_some_methods() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) =>
                services.AddHttpClient<GatewayClient>().AddStandardResilienceHandler(o => o.Retry.DisableFor(HttpMethod.Get));
        }
        """ + PlainTypedClient);

    [Fact]
    public Task Handlers_removed_after_the_defaults() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services)
            {
                services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        #pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental.
                services.AddHttpClient<GatewayClient>().RemoveAllResilienceHandlers();
        #pragma warning restore EXTEXP0001
            }
        }
        """ + PlainTypedClient);

    [Fact]
    public Task Hedging_handler_is_not_a_retry_layer() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) => services.AddHttpClient<GatewayClient>().AddStandardHedgingHandler();
        }
        """ + PlainTypedClient);

    [Fact]
    public Task Options_lambda_handed_over_as_a_method() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) =>
                services.AddHttpClient<GatewayClient>().AddStandardResilienceHandler(Tune);

            static void Tune(HttpStandardResilienceOptions options) => options.Retry.ShouldHandle = _ => PredicateResult.False();
        }
        """ + PlainTypedClient);

    [Fact]
    public Task HttpClient_passed_to_the_method() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) => services.AddHttpClient<Client>().AddStandardResilienceHandler();
        }
        class Client(HttpClient http)
        {
            public Task<string> Get() => http.GetStringAsync("/");

            public static async Task<string> AskAsync(HttpClient other, string path)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await other.GetStringAsync(path); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                }

                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Named_client_without_the_handler() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services)
            {
                services.AddHttpClient("other").AddStandardResilienceHandler();
                services.AddHttpClient("llm");
            }
        }
        class Chat(IHttpClientFactory factory)
        {
            public async Task<string> AskAsync(string path)
            {
                var http = factory.CreateClient("llm");
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync(path); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                }

                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Named_client_with_a_name_only_known_at_run_time() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) => services.AddHttpClient("llm").AddStandardResilienceHandler();
        }
        class Chat(IHttpClientFactory factory)
        {
            public async Task<string> AskAsync(string name, string path)
            {
                var http = factory.CreateClient(name);
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync(path); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                }

                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Re_ask_on_invalid_json_is_a_different_layer() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) => services.AddHttpClient<Extractor>().AddStandardResilienceHandler();
        }
        public record Fields(string Name);
        class Extractor(HttpClient http)
        {
            public async Task<Fields> ExtractAsync(string text)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return (await http.GetFromJsonAsync<Fields>("extract?text=" + text))!; }
                    catch (JsonException) { }
                }

                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Loop_over_items_is_no_retry() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) => services.AddHttpClient<Batch>().AddStandardResilienceHandler();
        }
        class Batch(HttpClient http)
        {
            public async Task SendAllAsync(string[] paths)
            {
                foreach (var path in paths)
                {
                    using var response = await http.GetAsync(path);
                    Console.WriteLine(response.StatusCode);
                }
            }
        }
        """);

    [Fact]
    public Task Defaults_do_not_reach_a_class_the_factory_does_not_create() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) =>
                services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        }
        """ + PlainTypedClient);

    [Fact]
    public Task Handler_added_through_a_helper_of_unknown_clients() => Check("""
        static class Registration
        {
            public static IHttpClientBuilder WithResilience(this IHttpClientBuilder builder)
            {
                builder.AddStandardResilienceHandler();
                return builder;
            }
        }
        """ + PlainTypedClient);

    [Fact]
    public Task Polly_retry_of_parse_errors_around_a_typed_client() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) => services.AddHttpClient<Tickets>().AddStandardResilienceHandler();
        }
        public record Ticket(string Id);
        class Tickets(HttpClient http)
        {
            public Task<Ticket?> GetAsync(string id) =>
                Policy.Handle<JsonException>().RetryAsync(2).ExecuteAsync(() => http.GetFromJsonAsync<Ticket>("tickets/" + id));
        }
        """);

    [Fact]
    public Task Plain_HttpClient_in_a_compilation_with_the_handler() => Check("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) => services.AddHttpClient("llm").AddStandardResilienceHandler();
        }
        class Chat
        {
            private readonly HttpClient _http = new() { BaseAddress = new Uri("https://gateway.example/") };

            public async Task<string> AskAsync(string path)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await _http.GetStringAsync(path); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                }

                throw new InvalidOperationException();
            }
        }
        """);

    // ---------------------------------------------------------------- registration and client in different files

    private static Task CheckFiles(string startup, string client)
    {
        var test = new Microsoft.CodeAnalysis.CSharp.Testing.CSharpAnalyzerTest<RetryAnalyzer, DefaultVerifier>
        {
            ReferenceAssemblies = TestReferences.None,
        };
        test.TestState.Sources.Add(("/Startup.cs", RG0006PollyTests.Usings + startup));
        test.TestState.Sources.Add(("/GatewayClient.cs", RG0006PollyTests.Usings + client));
        test.TestState.AdditionalReferences.AddRange(TestReferences.Net100);
        test.TestState.AdditionalReferences.AddRange(RG0006PollyTests.References);
        Verify<RetryAnalyzer>.Focus(test, "RG0006");
        return test.RunAsync();
    }

    [Fact]
    public Task Registration_in_another_file() => CheckFiles("""
        static class Startup
        {
            public static void Configure(IServiceCollection services) => services.AddHttpClient<GatewayClient>().AddStandardResilienceHandler();
        }
        """, TypedClient.Replace("{|#0:", "{|RG0006:"));

    [Fact]
    public Task Registration_without_the_handler_in_another_file() => CheckFiles("""
        static class Startup
        {
            public static void Configure(IServiceCollection services)
            {
                services.AddHttpClient<GatewayClient>().SetHandlerLifetime(TimeSpan.FromMinutes(5));
                services.AddHttpClient("llm").AddStandardResilienceHandler();
            }
        }
        """, PlainTypedClient);
}
