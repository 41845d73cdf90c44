using Microsoft.CodeAnalysis.Testing;
using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests.Stacked;

/// <summary>RG0006: a Polly v7 policy or Polly v8 pipeline with a retry, executing a call of an SDK client that retries on its own.</summary>
public class RG0006PollyTests
{
    internal const string Usings = """
        using System;
        using System.ClientModel;
        using System.ClientModel.Primitives;
        using System.Net;
        using System.Net.Http;
        using System.Net.Http.Json;
        using System.Text.Json;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Http.Resilience;
        using OpenAI;
        using OpenAI.Chat;
        using Polly;
        using Polly.Retry;
        using Polly.Timeout;
        using Polly.CircuitBreaker;

        """;

    internal static readonly IEnumerable<Microsoft.CodeAnalysis.MetadataReference> References = TestReferences.OpenAI.AddRange(TestReferences.Polly);

    internal static Task Check(string code) => Verify<RetryAnalyzer>.AnalyzerWithReferencesAsync(Usings + code, References, only: "RG0006");

    private static Task CheckMessage(string code, string client, string multiplication) =>
        Verify<RetryAnalyzer>.AnalyzerWithReferencesAsync(Usings + code, References, only: "RG0006",
            new DiagnosticResult(RuleCatalog.RG0006StackedRetries).WithLocation(0).WithArguments(client, multiplication));

    // ---------------------------------------------------------------- Polly v7, positive

    [Fact]
    public Task V7_wait_and_retry_around_chat_names_the_multiplication() => CheckMessage("""
        class C
        {
            async Task<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt)
            {
                var retry = Policy.Handle<ClientResultException>()
                    .WaitAndRetryAsync(3, attempt => TimeSpan.FromSeconds(Random.Shared.Next(1, 4)));
                return await retry.ExecuteAsync(() => {|#0:chat.CompleteChatAsync(new UserChatMessage(prompt))|});
            }
        }
        """, "ChatClient.CompleteChatAsync", "4 attempts × 4 OpenAI SDK attempts = up to 16 requests");

    [Fact]
    public Task V7_retry_once_on_any_exception() => CheckMessage("""
        class C
        {
            async Task<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt) =>
                await Policy.Handle<Exception>().RetryAsync().ExecuteAsync(() => {|#0:chat.CompleteChatAsync(new UserChatMessage(prompt))|});
        }
        """, "ChatClient.CompleteChatAsync", "2 attempts × 4 OpenAI SDK attempts = up to 8 requests");

    [Fact]
    public Task V7_policy_in_a_readonly_field() => Check("""
        class C
        {
            private readonly AsyncRetryPolicy _retry = Policy.Handle<ClientResultException>().RetryAsync(2);
            private readonly ChatClient _chat;

            public C(ChatClient chat) => _chat = chat;

            public async Task<ClientResult<ChatCompletion>> Ask(string prompt) =>
                await _retry.ExecuteAsync(async () => await {|RG0006:_chat.CompleteChatAsync(new UserChatMessage(prompt))|});
        }
        """);

    [Fact]
    public Task V7_policy_built_in_the_constructor() => Check("""
        class C
        {
            private readonly IAsyncPolicy _retry;

            public C()
            {
                _retry = Policy.Handle<ClientResultException>(e => e.Status == 429 || e.Status >= 500)
                    .WaitAndRetryAsync(4, attempt => TimeSpan.FromMilliseconds(Random.Shared.Next(100, 1000)));
            }

            public Task<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt) =>
                _retry.ExecuteAsync(() => {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|});
        }
        """);

    [Fact]
    public Task V7_synchronous_policy_with_sleep_durations() => CheckMessage("""
        class C
        {
            ClientResult<ChatCompletion> Ask(ChatClient chat, string prompt)
            {
                var retry = Policy.Handle<ClientResultException>()
                    .WaitAndRetry(new[] { TimeSpan.FromSeconds(Random.Shared.Next(1, 3)), TimeSpan.FromSeconds(Random.Shared.Next(2, 6)) });
                return retry.Execute(() => {|#0:chat.CompleteChat(new UserChatMessage(prompt))|});
            }
        }
        """, "ChatClient.CompleteChat", "3 attempts × 4 OpenAI SDK attempts = up to 12 requests");

    [Fact]
    public Task V7_retry_inside_a_policy_wrap() => Check("""
        class C
        {
            Task<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt)
            {
                var timeout = Policy.TimeoutAsync(TimeSpan.FromSeconds(30));
                var retry = Policy.Handle<ClientResultException>().WaitAndRetryAsync(2, _ => TimeSpan.FromSeconds(Random.Shared.Next(1, 3)));
                return Policy.WrapAsync(timeout, retry).ExecuteAsync(() => {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|});
            }
        }
        """);

    [Fact]
    public Task V7_retry_forever_names_the_sdk_attempts() => CheckMessage("""
        class C
        {
            Task<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt, CancellationToken token) =>
                Policy.Handle<ClientResultException>()
                    .WaitAndRetryForeverAsync(_ => TimeSpan.FromSeconds(Random.Shared.Next(1, 5)))
                    .ExecuteAsync(ct => {|#0:chat.CompleteChatAsync(new[] { new UserChatMessage(prompt) }, cancellationToken: ct)|}, token);
        }
        """, "ChatClient.CompleteChatAsync", "each attempt makes up to 4 requests: the OpenAI SDK retries 408, 429 and 5xx 3 times by default");

    [Fact]
    public Task V7_parse_errors_or_sdk_errors() => Check("""
        class C
        {
            Task<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt) =>
                Policy.Handle<JsonException>().Or<ClientResultException>().RetryAsync(3)
                    .ExecuteAsync(() => {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|});
        }
        """);

    [Fact]
    public Task V7_executing_a_local_function() => Check("""
        class C
        {
            Task<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt)
            {
                return Policy.Handle<ClientResultException>().RetryAsync(3).ExecuteAsync(Call);

                Task<ClientResult<ChatCompletion>> Call() => {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|};
            }
        }
        """);

    [Fact]
    public Task V7_result_policy_over_the_raw_status() => Check("""
        class C
        {
            Task<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt) =>
                Policy.HandleResult<ClientResult<ChatCompletion>>(r => r.GetRawResponse().Status == 503).RetryAsync(2)
                    .ExecuteAsync(() => {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|});
        }
        """);

    [Fact]
    public Task V7_policy_around_an_azure_client() => Check("""
        class C
        {
            async Task<string> Get(Search.SearchClient search, string id)
            {
                var retry = Policy.Handle<Azure.RequestFailedException>().WaitAndRetryAsync(3, _ => TimeSpan.FromSeconds(Random.Shared.Next(1, 4)));
                var response = await retry.ExecuteAsync(() => {|RG0006:search.GetDocumentAsync(id)|});
                return response.Value;
            }
        }
        """ + AzureStubs);

    // ---------------------------------------------------------------- Polly v8, positive

    [Fact]
    public Task V8_default_retry_strategy_names_the_multiplication() => CheckMessage("""
        class C
        {
            async Task<ChatCompletion> Ask(ChatClient chat, string prompt)
            {
                var pipeline = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions()).Build();
                return await pipeline.ExecuteAsync(async ct => (await {|#0:chat.CompleteChatAsync(new[] { new UserChatMessage(prompt) }, cancellationToken: ct)|}).Value);
            }
        }
        """, "ChatClient.CompleteChatAsync", "4 attempts × 4 OpenAI SDK attempts = up to 16 requests");

    [Fact]
    public Task V8_handle_sdk_exceptions_with_a_count() => CheckMessage("""
        class C
        {
            private readonly ResiliencePipeline _pipeline = new ResiliencePipelineBuilder()
                .AddTimeout(TimeSpan.FromSeconds(60))
                .AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = new PredicateBuilder().Handle<ClientResultException>(),
                    MaxRetryAttempts = 2,
                    UseJitter = true,
                })
                .Build();

            public ValueTask<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt) =>
                _pipeline.ExecuteAsync(async ct => await {|#0:chat.CompleteChatAsync(new[] { new UserChatMessage(prompt) }, cancellationToken: ct)|});
        }
        """, "ChatClient.CompleteChatAsync", "3 attempts × 4 OpenAI SDK attempts = up to 12 requests");

    [Fact]
    public Task V8_generic_pipeline_with_a_should_handle_lambda() => Check("""
        class C
        {
            ValueTask<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt)
            {
                var pipeline = new ResiliencePipelineBuilder<ClientResult<ChatCompletion>>()
                    .AddRetry(new RetryStrategyOptions<ClientResult<ChatCompletion>>
                    {
                        ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is ClientResultException),
                        UseJitter = true,
                    })
                    .Build();
                return pipeline.ExecuteAsync(async ct => await {|RG0006:chat.CompleteChatAsync(new[] { new UserChatMessage(prompt) }, cancellationToken: ct)|});
            }
        }
        """);

    [Fact]
    public Task V8_pipeline_assigned_in_the_constructor() => Check("""
        class C
        {
            private readonly ResiliencePipeline _pipeline;
            private readonly ChatClient _chat;

            public C(ChatClient chat)
            {
                _chat = chat;
                _pipeline = new ResiliencePipelineBuilder()
                    .AddRetry(new RetryStrategyOptions { UseJitter = true, MaxRetryAttempts = 4 })
                    .Build();
            }

            public ValueTask<ClientResult<ChatCompletion>> Ask(string prompt) =>
                _pipeline.ExecuteAsync(async ct => await {|RG0006:_chat.CompleteChatAsync(new[] { new UserChatMessage(prompt) }, cancellationToken: ct)|});
        }
        """);

    [Fact]
    public Task V8_builder_in_a_local() => CheckMessage("""
        class C
        {
            async Task<ChatCompletion> Ask(ChatClient chat, string prompt)
            {
                var builder = new ResiliencePipelineBuilder();
                builder.AddTimeout(TimeSpan.FromSeconds(90));
                builder.AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 5, UseJitter = true });
                var pipeline = builder.Build();
                return await pipeline.ExecuteAsync(async ct => (await {|#0:chat.CompleteChatAsync(new[] { new UserChatMessage(prompt) }, cancellationToken: ct)|}).Value);
            }
        }
        """, "ChatClient.CompleteChatAsync", "6 attempts × 4 OpenAI SDK attempts = up to 24 requests");

    [Fact]
    public Task V8_switch_over_the_outcome() => Check("""
        class C
        {
            ValueTask<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt)
            {
                var options = new RetryStrategyOptions<ClientResult<ChatCompletion>>
                {
                    ShouldHandle = args => args.Outcome switch
                    {
                        { Exception: ClientResultException { Status: 429 or >= 500 } } => PredicateResult.True(),
                        _ => PredicateResult.False(),
                    },
                    UseJitter = true,
                };
                var pipeline = new ResiliencePipelineBuilder<ClientResult<ChatCompletion>>().AddRetry(options).Build();
                return pipeline.ExecuteAsync(async ct => await {|RG0006:chat.CompleteChatAsync(new[] { new UserChatMessage(prompt) }, cancellationToken: ct)|});
            }
        }
        """);

    [Fact]
    public Task V8_synchronous_execute() => Check("""
        class C
        {
            ClientResult<ChatCompletion> Ask(ChatClient chat, string prompt)
            {
                var pipeline = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { UseJitter = true }).Build();
                return pipeline.Execute(() => {|RG0006:chat.CompleteChat(new UserChatMessage(prompt))|});
            }
        }
        """);

    // ---------------------------------------------------------------- negative

    [Fact]
    public Task V7_timeout_only() => Check("""
        class C
        {
            Task<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt) =>
                Policy.TimeoutAsync(TimeSpan.FromSeconds(30)).ExecuteAsync(() => chat.CompleteChatAsync(new UserChatMessage(prompt)));
        }
        """);

    [Fact]
    public Task V7_circuit_breaker_only() => Check("""
        class C
        {
            private readonly AsyncCircuitBreakerPolicy _breaker = Policy.Handle<ClientResultException>().CircuitBreakerAsync(5, TimeSpan.FromSeconds(30));

            Task<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt) =>
                _breaker.ExecuteAsync(() => chat.CompleteChatAsync(new UserChatMessage(prompt)));
        }
        """);

    [Fact]
    public Task V7_retry_of_parse_errors_only() => Check("""
        class C
        {
            async Task<JsonDocument> Ask(ChatClient chat, string prompt) =>
                await Policy.Handle<JsonException>().RetryAsync(2).ExecuteAsync(async () =>
                {
                    ChatCompletion completion = await chat.CompleteChatAsync(new UserChatMessage(prompt));
                    return JsonDocument.Parse(completion.Content[0].Text);
                });
        }
        """);

    [Fact]
    public Task V7_retry_of_caller_errors_only() => Check("""
        class C
        {
            Task<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt) =>
                Policy.Handle<ClientResultException>(e => e.Status == 400).RetryAsync(1)
                    .ExecuteAsync(() => chat.CompleteChatAsync(new UserChatMessage(prompt)));
        }
        """);

    [Fact]
    public Task V7_retry_of_zero_times() => Check("""
        class C
        {
            Task<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt) =>
                Policy.Handle<ClientResultException>().RetryAsync(0).ExecuteAsync(() => chat.CompleteChatAsync(new UserChatMessage(prompt)));
        }
        """);

    [Fact]
    public Task V7_sdk_retries_turned_off() => Check("""
        class C
        {
            private readonly ChatClient _chat = new("gpt-4o", new ApiKeyCredential("k"), new OpenAIClientOptions { RetryPolicy = new ClientRetryPolicy(0) });

            Task<ClientResult<ChatCompletion>> Ask(string prompt) =>
                Policy.Handle<ClientResultException>().WaitAndRetryAsync(3, _ => TimeSpan.FromSeconds(Random.Shared.Next(1, 3)))
                    .ExecuteAsync(() => _chat.CompleteChatAsync(new UserChatMessage(prompt)));
        }
        """);

    [Fact]
    public Task V7_policy_passed_in() => Check("""
        class C
        {
            Task<ClientResult<ChatCompletion>> Ask(IAsyncPolicy policy, ChatClient chat, string prompt) =>
                policy.ExecuteAsync(() => chat.CompleteChatAsync(new UserChatMessage(prompt)));
        }
        """);

    [Fact]
    public Task V7_sdk_call_outside_the_executed_delegate() => Check("""
        class C
        {
            async Task<string> Ask(ChatClient chat, string prompt)
            {
                ChatCompletion completion = await chat.CompleteChatAsync(new UserChatMessage(prompt));
                return await Policy.Handle<Exception>().RetryAsync(3).ExecuteAsync(() => Task.FromResult(completion.Content[0].Text));
            }
        }
        """);

    [Fact]
    public Task V7_delegate_that_only_gets_a_client() => Check("""
        class C
        {
            ChatClient Get(OpenAIClient openAI) =>
                Policy.Handle<Exception>().Retry(3).Execute(() => openAI.GetChatClient("gpt-4o"));
        }
        """);

    [Fact]
    public Task V7_sdk_call_in_a_lambda_the_delegate_only_builds() => Check("""
        class C
        {
            Func<Task<ClientResult<ChatCompletion>>> Later(ChatClient chat, string prompt) =>
                Policy.Handle<Exception>().Retry(3).Execute(() => new Func<Task<ClientResult<ChatCompletion>>>(() => chat.CompleteChatAsync(new UserChatMessage(prompt))));
        }
        """);

    [Fact]
    public Task V8_timeout_only_pipeline() => Check("""
        class C
        {
            ValueTask<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt) =>
                new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromSeconds(30)).Build()
                    .ExecuteAsync(async ct => await chat.CompleteChatAsync(new[] { new UserChatMessage(prompt) }, cancellationToken: ct));
        }
        """);

    [Fact]
    public Task V8_circuit_breaker_only_pipeline() => Check("""
        class C
        {
            private readonly ResiliencePipeline _pipeline = new ResiliencePipelineBuilder()
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions { FailureRatio = 0.5 })
                .AddTimeout(TimeSpan.FromSeconds(10))
                .Build();

            ValueTask<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt) =>
                _pipeline.ExecuteAsync(async ct => await chat.CompleteChatAsync(new[] { new UserChatMessage(prompt) }, cancellationToken: ct));
        }
        """);

    [Fact]
    public Task V8_retry_of_parse_errors_only() => Check("""
        class C
        {
            ValueTask<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt)
            {
                var pipeline = new ResiliencePipelineBuilder()
                    .AddRetry(new RetryStrategyOptions { ShouldHandle = new PredicateBuilder().Handle<JsonException>(), UseJitter = true })
                    .Build();
                return pipeline.ExecuteAsync(async ct => await chat.CompleteChatAsync(new[] { new UserChatMessage(prompt) }, cancellationToken: ct));
            }
        }
        """);

    [Fact]
    public Task V8_should_handle_everything_but_sdk_errors() => Check("""
        class C
        {
            ValueTask<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt)
            {
                var pipeline = new ResiliencePipelineBuilder<ClientResult<ChatCompletion>>()
                    .AddRetry(new RetryStrategyOptions<ClientResult<ChatCompletion>>
                    {
                        ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not ClientResultException and not null),
                        UseJitter = true,
                    })
                    .Build();
                return pipeline.ExecuteAsync(async ct => await chat.CompleteChatAsync(new[] { new UserChatMessage(prompt) }, cancellationToken: ct));
            }
        }
        """);

    [Fact]
    public Task V8_azure_retries_turned_off() => Check("""
        class C
        {
            ValueTask<Azure.Response<string>> Get(string id)
            {
                var options = new Search.SearchClientOptions();
                options.Retry.MaxRetries = 0;
                var search = new Search.SearchClient(new Uri("https://search.example"), options);
                var pipeline = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { UseJitter = true }).Build();
                return pipeline.ExecuteAsync(async ct => await search.GetDocumentAsync(id));
            }
        }
        """ + AzureStubs);

    [Fact]
    public Task V8_retry_around_a_call_of_your_own() => Check("""
        class Gateway { public Task<string> AskAsync(string prompt) => Task.FromResult(prompt); }
        class C
        {
            ValueTask<string> Ask(Gateway gateway, string prompt) =>
                new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { UseJitter = true }).Build()
                    .ExecuteAsync(async ct => await gateway.AskAsync(prompt));
        }
        """);

    [Fact]
    public Task V8_pipeline_from_a_provider_is_not_followed() => Check("""
        class C
        {
            ValueTask<ClientResult<ChatCompletion>> Ask(Polly.Registry.ResiliencePipelineProvider<string> provider, ChatClient chat, string prompt) =>
                provider.GetPipeline("llm").ExecuteAsync(async ct => await chat.CompleteChatAsync(new[] { new UserChatMessage(prompt) }, cancellationToken: ct));
        }
        """);

    /// <summary>The shape of Azure.Core that RG0006 reads.</summary>
    internal const string AzureStubs = """

        namespace Azure.Core
        {
            public class RetryOptions { public int MaxRetries { get; set; } = 3; }
            public abstract class ClientOptions { public RetryOptions Retry { get; } = new RetryOptions(); }
        }
        namespace Azure
        {
            public abstract class Response<T> { public abstract T Value { get; } }
            public class RequestFailedException : Exception { public int Status { get; } }
        }
        namespace Search
        {
            public class SearchClientOptions : Azure.Core.ClientOptions { }
            public class SearchClient
            {
                public SearchClient(Uri endpoint, SearchClientOptions options) { }
                public virtual Task<Azure.Response<string>> GetDocumentAsync(string key) => throw new NotImplementedException();
            }
        }
        """;
}
