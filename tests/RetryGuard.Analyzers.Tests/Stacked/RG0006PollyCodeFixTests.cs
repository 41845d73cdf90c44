using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.CodeFixes;

namespace RetryGuard.Analyzers.Tests.Stacked;

/// <summary>
/// The RG0006 fix on the Polly and standard-handler diagnostics: the SDK's retries turned off where the client's
/// options are constructed in view; no fix for an HttpClient behind the standard resilience handler.
/// </summary>
public class RG0006PollyCodeFixTests
{
    private static Task Fix(string source, string fixedSource)
    {
        var test = new CSharpCodeFixTest<RetryAnalyzer, RG0006StackedRetriesCodeFix, DefaultVerifier>
        {
            TestCode = RG0006PollyTests.Usings + source,
            FixedCode = RG0006PollyTests.Usings + fixedSource,
            ReferenceAssemblies = TestReferences.None,
        };
        Verify<RetryAnalyzer>.Focus(test, "RG0006");
        test.TestState.AdditionalReferences.AddRange(TestReferences.Net100);
        test.TestState.AdditionalReferences.AddRange(RG0006PollyTests.References);
        return test.RunAsync();
    }

    [Fact]
    public Task Polly_v7_around_a_client_with_options_in_a_local() => Fix("""
        class C
        {
            Task<ClientResult<ChatCompletion>> Ask(ApiKeyCredential key, string prompt)
            {
                var options = new OpenAIClientOptions { Endpoint = new Uri("https://gateway.example/v1") };
                var chat = new ChatClient("gpt-4o", key, options);
                var retry = Policy.Handle<ClientResultException>().WaitAndRetryAsync(3, _ => TimeSpan.FromSeconds(Random.Shared.Next(1, 4)));
                return retry.ExecuteAsync(() => {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|});
            }
        }
        """, """
        class C
        {
            Task<ClientResult<ChatCompletion>> Ask(ApiKeyCredential key, string prompt)
            {
                var options = new OpenAIClientOptions { Endpoint = new Uri("https://gateway.example/v1"), RetryPolicy = new ClientRetryPolicy(0) };
                var chat = new ChatClient("gpt-4o", key, options);
                var retry = Policy.Handle<ClientResultException>().WaitAndRetryAsync(3, _ => TimeSpan.FromSeconds(Random.Shared.Next(1, 4)));
                return retry.ExecuteAsync(() => chat.CompleteChatAsync(new UserChatMessage(prompt)));
            }
        }
        """);

    [Fact]
    public Task Polly_v8_around_a_client_field_with_inline_options() => Fix("""
        class C
        {
            private readonly ChatClient _chat = new("gpt-4o", new ApiKeyCredential("k"), new OpenAIClientOptions());
            private readonly ResiliencePipeline _pipeline = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { UseJitter = true }).Build();

            ValueTask<ClientResult<ChatCompletion>> Ask(string prompt) =>
                _pipeline.ExecuteAsync(async ct => await {|RG0006:_chat.CompleteChatAsync(new[] { new UserChatMessage(prompt) }, cancellationToken: ct)|});
        }
        """, """
        class C
        {
            private readonly ChatClient _chat = new("gpt-4o", new ApiKeyCredential("k"), new OpenAIClientOptions { RetryPolicy = new ClientRetryPolicy(0) });
            private readonly ResiliencePipeline _pipeline = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { UseJitter = true }).Build();

            ValueTask<ClientResult<ChatCompletion>> Ask(string prompt) =>
                _pipeline.ExecuteAsync(async ct => await _chat.CompleteChatAsync(new[] { new UserChatMessage(prompt) }, cancellationToken: ct));
        }
        """);

    [Fact]
    public Task No_fix_for_a_client_passed_to_a_polly_retry()
    {
        const string code = """
            class C
            {
                Task<ClientResult<ChatCompletion>> Ask(ChatClient chat, string prompt) =>
                    Policy.Handle<ClientResultException>().RetryAsync(2).ExecuteAsync(() => {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|});
            }
            """;
        return Fix(code, code);
    }

    [Fact]
    public Task No_fix_for_an_HttpClient_behind_the_standard_handler()
    {
        const string code = """
            static class Startup
            {
                public static void Configure(IServiceCollection services) => services.AddHttpClient<Gateway>().AddStandardResilienceHandler();
            }
            class Gateway(HttpClient http)
            {
                public async Task<string> AskAsync(string path)
                {
                    for (int attempt = 0; attempt < 3; attempt++)
                    {
                        try { return await {|RG0006:http.GetStringAsync(path)|}; }
                        catch (HttpRequestException) { await Task.Delay(Random.Shared.Next(1000)); }
                    }

                    throw new InvalidOperationException();
                }
            }
            """;
        return Fix(code, code);
    }

    [Fact]
    public Task Sample_shape_alias_qualified_client_and_options_with_a_transport() => Fix("""
        class C
        {
            static async Task<string> Ask(HttpMessageHandler gateway, string prompt)
            {
                using var http = new HttpClient(gateway, disposeHandler: false);
                var options = new OpenAIClientOptions
                {
                    Endpoint = new Uri("https://gateway.example/v1/"),
                    Transport = new HttpClientPipelineTransport(http),
                };
                var chat = new OpenAI.Chat.ChatClient("gpt-4o-mini", new ApiKeyCredential("k"), options);
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try
                    {
                        OpenAI.Chat.ChatCompletion completion = await {|RG0006:chat.CompleteChatAsync([new OpenAI.Chat.UserChatMessage(prompt)])|};
                        return completion.Content[0].Text;
                    }
                    catch (ClientResultException exception) when (exception.Status >= 500 && attempt < 2)
                    {
                        await Task.Delay(Random.Shared.Next(100, 1000));
                    }
                }

                throw new InvalidOperationException();
            }
        }
        """, """
        class C
        {
            static async Task<string> Ask(HttpMessageHandler gateway, string prompt)
            {
                using var http = new HttpClient(gateway, disposeHandler: false);
                var options = new OpenAIClientOptions
                {
                    Endpoint = new Uri("https://gateway.example/v1/"),
                    Transport = new HttpClientPipelineTransport(http),
                    RetryPolicy = new ClientRetryPolicy(0)
                };
                var chat = new OpenAI.Chat.ChatClient("gpt-4o-mini", new ApiKeyCredential("k"), options);
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try
                    {
                        OpenAI.Chat.ChatCompletion completion = await chat.CompleteChatAsync([new OpenAI.Chat.UserChatMessage(prompt)]);
                        return completion.Content[0].Text;
                    }
                    catch (ClientResultException exception) when (exception.Status >= 500 && attempt < 2)
                    {
                        await Task.Delay(Random.Shared.Next(100, 1000));
                    }
                }

                throw new InvalidOperationException();
            }
        }
        """);
}
