using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.CodeFixes;

namespace RetryGuard.Analyzers.Tests.Stacked;

/// <summary>The RG0006 fix: the SDK's retries turned off where the client's options are constructed in view.</summary>
public class RG0006CodeFixTests
{
    private static Task Fix(string source, string fixedSource)
    {
        var test = new CSharpCodeFixTest<RetryAnalyzer, RG0006StackedRetriesCodeFix, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            ReferenceAssemblies = TestReferences.None,
        };
        Verify<RetryAnalyzer>.Focus(test, "RG0006");
        test.TestState.AdditionalReferences.AddRange(TestReferences.Net100);
        test.TestState.AdditionalReferences.AddRange(TestReferences.OpenAI);
        return test.RunAsync();
    }

    [Fact]
    public Task Options_local_gets_a_zero_retry_policy() => Fix("""
        using System;
        using System.ClientModel;
        using System.Threading.Tasks;
        using OpenAI;
        using OpenAI.Chat;

        class C
        {
            async Task<ChatCompletion> Ask(ApiKeyCredential key, string prompt)
            {
                var options = new OpenAIClientOptions { Endpoint = new Uri("https://gateway.example/v1") };
                var chat = new ChatClient("gpt-4o", key, options);
                for (int i = 0; i < 3; i++)
                {
                    try { return await {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|}; }
                    catch (ClientResultException) { await Task.Delay(Random.Shared.Next(2000)); }
                }
                throw new InvalidOperationException();
            }
        }
        """, """
        using System;
        using System.ClientModel;
        using System.ClientModel.Primitives;
        using System.Threading.Tasks;
        using OpenAI;
        using OpenAI.Chat;

        class C
        {
            async Task<ChatCompletion> Ask(ApiKeyCredential key, string prompt)
            {
                var options = new OpenAIClientOptions { Endpoint = new Uri("https://gateway.example/v1"), RetryPolicy = new ClientRetryPolicy(0) };
                var chat = new ChatClient("gpt-4o", key, options);
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
    public Task Inline_options_in_a_field() => Fix("""
        using System;
        using System.ClientModel;
        using System.ClientModel.Primitives;
        using System.Threading.Tasks;
        using OpenAI;
        using OpenAI.Chat;

        class C
        {
            private readonly ChatClient _chat = new("gpt-4o", new ApiKeyCredential("k"), new OpenAIClientOptions());

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
        """, """
        using System;
        using System.ClientModel;
        using System.ClientModel.Primitives;
        using System.Threading.Tasks;
        using OpenAI;
        using OpenAI.Chat;

        class C
        {
            private readonly ChatClient _chat = new("gpt-4o", new ApiKeyCredential("k"), new OpenAIClientOptions { RetryPolicy = new ClientRetryPolicy(0) });

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
    public Task No_fix_when_the_client_comes_from_elsewhere()
    {
        const string code = """
            using System;
            using System.ClientModel;
            using System.Threading.Tasks;
            using OpenAI.Chat;

            class C
            {
                async Task<ChatCompletion> Ask(ChatClient chat, string prompt)
                {
                    for (int i = 0; i < 3; i++)
                    {
                        try { return await {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|}; }
                        catch (ClientResultException) { await Task.Delay(Random.Shared.Next(2000)); }
                    }
                    throw new InvalidOperationException();
                }
            }
            """;
        return Fix(code, code);
    }

    [Fact]
    public Task No_fix_when_the_options_are_shared_with_another_client()
    {
        const string code = """
            using System;
            using System.ClientModel;
            using System.Threading.Tasks;
            using OpenAI;
            using OpenAI.Chat;
            using OpenAI.Embeddings;

            class C
            {
                async Task<ChatCompletion> Ask(ApiKeyCredential key, string prompt)
                {
                    var options = new OpenAIClientOptions();
                    var chat = new ChatClient("gpt-4o", key, options);
                    var embeddings = new EmbeddingClient("text-embedding-3-small", key, options);
                    for (int i = 0; i < 3; i++)
                    {
                        try { return await {|RG0006:chat.CompleteChatAsync(new UserChatMessage(prompt))|}; }
                        catch (ClientResultException) { await Task.Delay(Random.Shared.Next(2000)); }
                    }
                    throw new InvalidOperationException();
                }
            }
            """;
        return Fix(code, code);
    }
}
