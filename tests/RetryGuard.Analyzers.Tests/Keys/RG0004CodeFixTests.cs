using RetryGuard.Analyzers.Keys;
using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.CodeFixes;
using static RetryGuard.Analyzers.Tests.Keys.TestKeys;

namespace RetryGuard.Analyzers.Tests.Keys;

/// <summary>
/// The RG0004 fix: a literal key becomes ApiKeys.Require("&lt;PROVIDER&gt;_API_KEY"); the fixed code compiles against the
/// real runtime and Fix All runs in document, project and solution scope.
/// </summary>
public class RG0004CodeFixTests
{
    private const string Stubs = """

        namespace System.ClientModel { public class ApiKeyCredential { public ApiKeyCredential(string key) { } } }
        """;

    private static Task Fix(string source, string fixedSource) =>
        Verify<SharedApiKeyAnalyzer>.CodeFixAsync<RG0004SharedApiKeyCodeFix>(source, fixedSource, only: "RG0004");

    [Fact]
    public Task Static_readonly_field_reads_the_provider_variable() => Fix($$"""
        class C
        {
            private static readonly string Key = {|RG0004:"{{OpenAIKey(seed: 300)}}"|};
        }
        """, """
        using RetryGuard;

        class C
        {
            private static readonly string Key = ApiKeys.Require("OPENAI_API_KEY");
        }
        """);

    [Fact]
    public Task Argument_of_a_credential_with_a_key_of_no_known_format() => Fix($$"""
        using System.ClientModel;

        class C
        {
            object M() => new ApiKeyCredential({|RG0004:"{{Hex32(301)}}"|});
        }
        {{Stubs}}
        """, $$"""
        using System.ClientModel;
        using RetryGuard;

        class C
        {
            object M() => new ApiKeyCredential(ApiKeys.Require("API_KEY"));
        }
        {{Stubs}}
        """);

    [Fact]
    public Task Bearer_literal_keeps_its_scheme() => Fix($$"""
        using System.Net.Http;

        class C
        {
            void M(HttpRequestMessage request) => request.Headers.Add("Authorization", {|RG0004:"Bearer {{Token(40, 302)}}"|});
        }
        """, """
        using System.Net.Http;
        using RetryGuard;

        class C
        {
            void M(HttpRequestMessage request) => request.Headers.Add("Authorization", "Bearer " + ApiKeys.Require("API_KEY"));
        }
        """);

    [Fact]
    public Task Fix_all_uses_each_provider_name() => Fix($$"""
        class C
        {
            private readonly string _anthropic = {|RG0004:"{{Anthropic(seed: 303)}}"|};
            private string Groq { get; } = {|RG0004:"{{Groq(304)}}"|};
            string Hf() => {|RG0004:"{{HuggingFace(305)}}"|};
        }
        """, """
        using RetryGuard;

        class C
        {
            private readonly string _anthropic = ApiKeys.Require("ANTHROPIC_API_KEY");
            private string Groq { get; } = ApiKeys.Require("GROQ_API_KEY");
            string Hf() => ApiKeys.Require("HUGGINGFACE_API_KEY");
        }
        """);

    [Fact]
    public Task Custom_runtime_name_collision_keeps_the_qualified_name() => Fix($$"""
        namespace Mine { static class ApiKeys { } }

        namespace App
        {
            using Mine;

            class C
            {
                string M() => {|RG0004:"{{XAI(306)}}"|};
                object N() => typeof(ApiKeys);
            }
        }
        """, """
        namespace Mine { static class ApiKeys { } }

        namespace App
        {
            using Mine;

            class C
            {
                string M() => RetryGuard.ApiKeys.Require("XAI_API_KEY");
                object N() => typeof(ApiKeys);
            }
        }
        """);

    [Fact]
    public Task No_fix_where_only_a_constant_may_stand() => Fix($$"""
        class C
        {
            private const string Key = {|RG0004:"{{Google(307)}}"|};
            void M(string key = {|RG0004:"{{Google(308)}}"|}) { }
        }
        """, $$"""
        class C
        {
            private const string Key = {|RG0004:"{{Google(307)}}"|};
            void M(string key = {|RG0004:"{{Google(308)}}"|}) { }
        }
        """);
}
