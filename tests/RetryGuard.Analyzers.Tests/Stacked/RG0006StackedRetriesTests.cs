using Microsoft.CodeAnalysis.Testing;
using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests.Stacked;

/// <summary>RG0006: a hand-written retry around an SDK client that retries on its own (real OpenAI SDK; Azure.Core stubs).</summary>
public class RG0006StackedRetriesTests
{
    private const string Usings = """
        using System;
        using System.ClientModel;
        using System.ClientModel.Primitives;
        using System.Collections.Generic;
        using System.Net;
        using System.Net.Http;
        using System.Text.Json;
        using System.Threading;
        using System.Threading.Tasks;
        using OpenAI;
        using OpenAI.Chat;
        using OpenAI.Embeddings;

        """;

    /// <summary>The shape of Azure.Core that RG0006 reads: client options with Retry.MaxRetries, Response, RequestFailedException.</summary>
    private const string Azure = """

        namespace Azure.Core
        {
            public class RetryOptions { public int MaxRetries { get; set; } = 3; }
            public abstract class ClientOptions { public RetryOptions Retry { get; } = new RetryOptions(); }
        }
        namespace Azure
        {
            public abstract class Response { public abstract int Status { get; } }
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
                public virtual string IndexName => "docs";
            }
        }
        """;

    private static Task Check(string code) =>
        Verify<RetryAnalyzer>.AnalyzerWithReferencesAsync(Usings + code, TestReferences.OpenAI, only: "RG0006");

    // ---------------------------------------------------------------- positive

    [Fact]
    public Task For_loop_around_chat_completion_names_the_multiplication() =>
        Verify<RetryAnalyzer>.AnalyzerWithReferencesAsync(Usings + """
            class C
            {
                async Task<ChatCompletion> Ask(ChatClient chat, string prompt)
                {
                    for (int attempt = 0; attempt < 4; attempt++)
                    {
                        try { return await {|#0:chat.CompleteChatAsync(new UserChatMessage(prompt))|}; }
                        catch (ClientResultException) { await Task.Delay(Random.Shared.Next(1000)); }
                    }
                    throw new InvalidOperationException();
                }
            }
            """, TestReferences.OpenAI, only: "RG0006",
            new DiagnosticResult(RuleCatalog.RG0006StackedRetries).WithLocation(0).WithArguments(
                "ChatClient.CompleteChatAsync", "4 attempts × 4 OpenAI SDK attempts = up to 16 requests"));

    [Fact]
    public Task For_loop_with_constant_attempts() => Check("""
        class C
        {
            const int MaxAttempts = 3;
            async Task<ChatCompletion> Ask(ChatClient chat, string prompt)
            {
                for (int attempt = 1; attempt <= MaxAttempts; attempt++)
                {
                    try { return await {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|}; }
                    catch (ClientResultException e) when (e.Status == 429) { await Task.Delay(Random.Shared.Next(1000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task While_loop_with_a_counter() => Check("""
        class C
        {
            async Task<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt)
            {
                int attempt = 0;
                while (true)
                {
                    try { return await {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|}; }
                    catch (ClientResultException) when (attempt++ < 3) { await Task.Delay(Random.Shared.Next(1000)); }
                }
            }
        }
        """);

    [Fact]
    public Task Synchronous_call_in_a_do_loop() => Check("""
        class C
        {
            ChatCompletion Ask(ChatClient chat, string prompt)
            {
                int attempt = 0;
                do
                {
                    try { return {|RG0006:chat.CompleteChat(new UserChatMessage(prompt))|}; }
                    catch (ClientResultException) { Thread.Sleep(Random.Shared.Next(1000)); }
                } while (++attempt < 3);
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Catch_all_exceptions() => Check("""
        class C
        {
            async Task<OpenAIEmbedding> Embed(EmbeddingClient client, string text)
            {
                for (int i = 0; i < 5; i++)
                {
                    try { return (await {|RG0006:client.GenerateEmbeddingAsync(text)|}).Value; }
                    catch (Exception) { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Bare_catch() => Check("""
        class C
        {
            async Task<OpenAIEmbedding> Embed(EmbeddingClient client, string text)
            {
                for (int i = 0; i < 5; i++)
                {
                    try { return (await {|RG0006:client.GenerateEmbeddingAsync(text)|}).Value; }
                    catch { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Catch_http_request_exception() => Check("""
        class C
        {
            async Task<ChatCompletion> Ask(ChatClient chat, string prompt)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|}; }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Catch_timeout() => Check("""
        class C
        {
            async Task<ChatCompletion> Ask(ChatClient chat, string prompt)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|}; }
                    catch (TaskCanceledException) { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Client_from_OpenAIClient_in_a_field() => Check("""
        class C
        {
            private readonly ChatClient _chat = new OpenAIClient(new ApiKeyCredential(Environment.GetEnvironmentVariable("OPENAI_API_KEY")!)).GetChatClient("gpt-4o-mini");
            async Task<ChatCompletion> Ask(string prompt)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await {|RG0006:_chat.CompleteChatAsync(new UserChatMessage(prompt))|}; }
                    catch (ClientResultException) { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Client_got_inside_the_loop() => Check("""
        class C
        {
            async Task<ChatCompletion> Ask(OpenAIClient openAI, string prompt)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await {|RG0006:openAI.GetChatClient("gpt-4o").CompleteChatAsync(new UserChatMessage(prompt))|}; }
                    catch (ClientResultException) { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Streaming_call() => Check("""
        class C
        {
            async Task<string> Ask(ChatClient chat, string prompt)
            {
                for (int i = 0; i < 3; i++)
                {
                    try
                    {
                        var text = "";
                        await foreach (var update in {|RG0006:chat.CompleteChatStreamingAsync(new UserChatMessage(prompt))|})
                        {
                            foreach (var part in update.ContentUpdate) text += part.Text;
                        }
                        return text;
                    }
                    catch (ClientResultException) { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Recursion_with_a_retry_count() => Check("""
        class C
        {
            async Task<ChatCompletion> Ask(ChatClient chat, string prompt, int retries = 3)
            {
                try { return await {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|}; }
                catch (ClientResultException) when (retries > 0)
                {
                    await Task.Delay(Random.Shared.Next(2000));
                    return await Ask(chat, prompt, retries - 1);
                }
            }
        }
        """);

    [Fact]
    public Task Goto_retry() => Check("""
        class C
        {
            async Task<ChatCompletion> Ask(ChatClient chat, string prompt)
            {
                int attempt = 0;
            again:
                try { return await {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|}; }
                catch (ClientResultException) when (attempt < 3)
                {
                    attempt++;
                    await Task.Delay(Random.Shared.Next(2000));
                    goto again;
                }
            }
        }
        """);

    [Fact]
    public Task Catch_and_call_again() => Check("""
        class C
        {
            async Task<ChatCompletion> Ask(ChatClient chat, ChatMessage[] messages)
            {
                try { return await {|RG0006:chat.CompleteChatAsync(messages)|}; }
                catch (ClientResultException)
                {
                    await Task.Delay(Random.Shared.Next(2000));
                    return await chat.CompleteChatAsync(messages);
                }
            }
        }
        """);

    [Fact]
    public Task Azure_client_around_get_document() => Check("""
        class C
        {
            async Task<string> Get(Search.SearchClient search, string id)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return (await {|RG0006:search.GetDocumentAsync(id)|}).Value; }
                    catch (Azure.RequestFailedException) { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """ + Azure);

    [Fact]
    public Task Azure_options_with_retries_left_on() => Check("""
        class C
        {
            async Task<string> Get(string id)
            {
                var options = new Search.SearchClientOptions();
                options.Retry.MaxRetries = 5;
                var search = new Search.SearchClient(new Uri("https://search.example"), options);
                for (int i = 0; i < 3; i++)
                {
                    try { return (await {|RG0006:search.GetDocumentAsync(id)|}).Value; }
                    catch (Azure.RequestFailedException e) when (e.Status >= 500) { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """ + Azure);

    [Fact]
    public Task ClientModel_options_with_retries_left_on() => Check("""
        class C
        {
            async Task<ChatCompletion> Ask(string prompt)
            {
                var options = new OpenAIClientOptions { RetryPolicy = new ClientRetryPolicy(2) };
                var chat = new ChatClient("gpt-4o", new ApiKeyCredential(Environment.GetEnvironmentVariable("OPENAI_API_KEY")!), options);
                for (int i = 0; i < 3; i++)
                {
                    try { return await {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|}; }
                    catch (ClientResultException) { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Two_calls_in_one_attempt() => Check("""
        class C
        {
            async Task<(ChatCompletion, OpenAIEmbedding)> Both(ChatClient chat, EmbeddingClient embeddings, string prompt)
            {
                for (int i = 0; i < 3; i++)
                {
                    try
                    {
                        var answer = await {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|};
                        var vector = await {|RG0006:embeddings.GenerateEmbeddingAsync(prompt)|};
                        return (answer.Value, vector.Value);
                    }
                    catch (ClientResultException) { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Retry_in_a_local_function() => Check("""
        class C
        {
            Task<ChatCompletion> Ask(ChatClient chat, string prompt)
            {
                return Run();

                async Task<ChatCompletion> Run()
                {
                    for (int i = 0; i < 3; i++)
                    {
                        try { return await {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|}; }
                        catch (ClientResultException) { await Task.Delay(Random.Shared.Next(2000)); }
                    }
                    throw new InvalidOperationException();
                }
            }
        }
        """);

    [Fact]
    public Task Status_filter_on_retryable_statuses() => Check("""
        class C
        {
            async Task<OpenAIEmbedding> Embed(EmbeddingClient client, string text)
            {
                int attempt = 0;
                while (attempt < 3)
                {
                    attempt++;
                    try { return (await {|RG0006:client.GenerateEmbeddingAsync(text)|}).Value; }
                    catch (ClientResultException e) when (e.Status == 429 || e.Status >= 500) { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    // ---------------------------------------------------------------- negative

    [Fact]
    public Task Single_call_without_retry() => Check("""
        class C
        {
            async Task<ChatCompletion> Ask(ChatClient chat, string prompt) => await chat.CompleteChatAsync(new UserChatMessage(prompt));
        }
        """);

    [Fact]
    public Task Retries_turned_off_with_ClientRetryPolicy_zero() => Check("""
        class C
        {
            async Task<ChatCompletion> Ask(string prompt)
            {
                var options = new OpenAIClientOptions { RetryPolicy = new ClientRetryPolicy(0) };
                var chat = new ChatClient("gpt-4o", new ApiKeyCredential(Environment.GetEnvironmentVariable("OPENAI_API_KEY")!), options);
                for (int i = 0; i < 3; i++)
                {
                    try { return await chat.CompleteChatAsync(new UserChatMessage(prompt)); }
                    catch (ClientResultException) { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Retries_turned_off_in_the_constructor_of_the_type() => Check("""
        class C
        {
            private readonly ChatClient _chat;
            public C(ApiKeyCredential key)
            {
                var options = new OpenAIClientOptions();
                options.RetryPolicy = new ClientRetryPolicy(maxRetries: 0);
                _chat = new ChatClient("gpt-4o", key, options);
            }

            async Task<ChatCompletion> Ask(string prompt)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await _chat.CompleteChatAsync(new UserChatMessage(prompt)); }
                    catch (ClientResultException) { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Retry_policy_replaced_by_a_custom_one() => Check("""
        class NoRetries : PipelinePolicy
        {
            public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) => ProcessNext(message, pipeline, currentIndex);
            public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) => ProcessNextAsync(message, pipeline, currentIndex);
        }
        class C
        {
            private readonly ChatClient _chat = new("gpt-4o", new ApiKeyCredential("k"), new OpenAIClientOptions { RetryPolicy = new NoRetries() });
            async Task<ChatCompletion> Ask(string prompt)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await _chat.CompleteChatAsync(new UserChatMessage(prompt)); }
                    catch (ClientResultException) { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Azure_retries_turned_off() => Check("""
        class C
        {
            async Task<string> Get(string id)
            {
                var options = new Search.SearchClientOptions();
                options.Retry.MaxRetries = 0;
                var search = new Search.SearchClient(new Uri("https://search.example"), options);
                for (int i = 0; i < 3; i++)
                {
                    try { return (await search.GetDocumentAsync(id)).Value; }
                    catch (Azure.RequestFailedException) { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """ + Azure);

    [Fact]
    public Task Re_ask_when_the_model_returns_invalid_json() => Check("""
        class C
        {
            async Task<JsonDocument> Ask(ChatClient chat, string prompt)
            {
                for (int i = 0; i < 3; i++)
                {
                    ChatCompletion answer = await chat.CompleteChatAsync(new UserChatMessage(prompt));
                    try { return JsonDocument.Parse(answer.Content[0].Text); }
                    catch (JsonException) { prompt += " Answer with JSON only."; }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Catch_of_a_parse_error_around_the_call() => Check("""
        class C
        {
            async Task<JsonDocument> Ask(ChatClient chat, string prompt)
            {
                for (int i = 0; i < 3; i++)
                {
                    try
                    {
                        ChatCompletion answer = await chat.CompleteChatAsync(new UserChatMessage(prompt));
                        return JsonDocument.Parse(answer.Content[0].Text);
                    }
                    catch (JsonException) { await Task.Delay(Random.Shared.Next(100)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Exception_filter_about_parsing() => Check("""
        class C
        {
            async Task<JsonDocument> Ask(ChatClient chat, string prompt)
            {
                for (int i = 0; i < 3; i++)
                {
                    try
                    {
                        ChatCompletion answer = await chat.CompleteChatAsync(new UserChatMessage(prompt));
                        return JsonDocument.Parse(answer.Content[0].Text);
                    }
                    catch (Exception e) when (e is JsonException) { await Task.Delay(Random.Shared.Next(100)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Loop_over_prompts_is_no_retry() => Check("""
        class C
        {
            async Task<List<ChatCompletion>> AskAll(ChatClient chat, IEnumerable<string> prompts)
            {
                var answers = new List<ChatCompletion>();
                foreach (var prompt in prompts)
                {
                    answers.Add(await chat.CompleteChatAsync(new UserChatMessage(prompt)));
                }
                return answers;
            }
        }
        """);

    [Fact]
    public Task Loop_that_logs_and_moves_on() => Check("""
        class C
        {
            async Task AskAll(ChatClient chat, string[] prompts)
            {
                for (int i = 0; i < prompts.Length; i++)
                {
                    try { await chat.CompleteChatAsync(new UserChatMessage(prompts[i])); }
                    catch (ClientResultException e) { Console.WriteLine(e.Status); }
                }
            }
        }
        """);

    [Fact]
    public Task Getting_a_client_is_no_request() => Check("""
        class C
        {
            ChatClient Get(OpenAIClient openAI)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return openAI.GetChatClient("gpt-4o"); }
                    catch (ArgumentException) { Thread.Sleep(Random.Shared.Next(100)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Plain_HttpClient_retry_is_not_RG0006() => Check("""
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await http.GetStringAsync("https://api.example/v1/models"); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task User_client_without_pipeline_options() => Check("""
        class MyClient
        {
            public MyClient(Uri endpoint) { }
            public Task<ClientResult<string>> AskAsync(string prompt) => throw new NotImplementedException();
        }
        class C
        {
            async Task<string> Ask(MyClient client, string prompt)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return (await client.AskAsync(prompt)).Value; }
                    catch (ClientResultException) { await Task.Delay(Random.Shared.Next(1000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Sdk_call_after_the_retry_loop() => Check("""
        class C
        {
            async Task<ChatCompletion> Ask(ChatClient chat, HttpClient http, string prompt)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { await http.GetStringAsync("https://warmup.example"); break; }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                }
                return await chat.CompleteChatAsync(new UserChatMessage(prompt));
            }
        }
        """);

    [Fact]
    public Task Sdk_call_inside_a_lambda_in_the_loop() => Check("""
        class C
        {
            async Task<string> Ask(ChatClient chat, HttpClient http, string prompt)
            {
                Func<Task<ClientResult<ChatCompletion>>> later = () => chat.CompleteChatAsync(new UserChatMessage(prompt));
                for (int i = 0; i < 3; i++)
                {
                    try { return await http.GetStringAsync("https://api.example"); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Polling_an_azure_job_is_no_retry() => Check("""
        class C
        {
            async Task<string> Wait(Search.SearchClient search, string id)
            {
                while (true)
                {
                    var doc = (await search.GetDocumentAsync(id)).Value;
                    if (doc == "done") return doc;
                    await Task.Delay(1000);
                }
            }
        }
        """ + Azure);

    [Fact]
    public Task Azure_property_read_in_a_retry_is_no_request() => Check("""
        class C
        {
            async Task<string> Get(Search.SearchClient search, HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await http.GetStringAsync("https://api.example/" + search.IndexName); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """ + Azure);

    [Fact]
    public Task Catch_of_argument_errors_only() => Check("""
        class C
        {
            async Task<ChatCompletion> Ask(ChatClient chat, string prompt)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await chat.CompleteChatAsync(new UserChatMessage(prompt)); }
                    catch (ArgumentException) { prompt = prompt.Trim(); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task No_sdk_referenced() => Verify<RetryAnalyzer>.AnalyzerAsync("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;
        class C
        {
            async Task<string> Get(HttpClient http)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await http.GetStringAsync("/"); }
                    catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """, only: "RG0006");

    [Fact]
    public Task Only_statuses_the_sdk_does_not_retry() => Check("""
        class C
        {
            async Task<ChatCompletion> Ask(ChatClient chat, string prompt)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return await chat.CompleteChatAsync(new UserChatMessage(prompt)); }
                    catch (ClientResultException e) when (e.Status == 400) { prompt = prompt.Substring(0, prompt.Length / 2); }
                }
                throw new InvalidOperationException();
            }
        }
        """);

    [Fact]
    public Task Azure_retries_turned_off_in_a_nested_initializer() => Check("""
        class C
        {
            private readonly Search.SearchClient _search = new(new Uri("https://search.example"), new Search.SearchClientOptions { Retry = { MaxRetries = 0 } });
            async Task<string> Get(string id)
            {
                for (int i = 0; i < 3; i++)
                {
                    try { return (await _search.GetDocumentAsync(id)).Value; }
                    catch (Azure.RequestFailedException) { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """ + Azure);
}
