using Microsoft.CodeAnalysis.Testing;
using RetryGuard.Analyzers.Keys;
using RetryGuard.Analyzers.Tests.Verifiers;
using static RetryGuard.Analyzers.Tests.Keys.TestKeys;

namespace RetryGuard.Analyzers.Tests.Keys;

/// <summary>RG0004 in source: provider key formats anywhere, random secrets that flow into authentication sinks.</summary>
public class RG0004SourceKeyTests : KeyTestBase
{
    private const string Stubs = """

        namespace System.ClientModel { public class ApiKeyCredential { public ApiKeyCredential(string key) { } } }
        namespace Azure { public class AzureKeyCredential { public AzureKeyCredential(string key) { } } }
        class GatewayClient { public GatewayClient(Uri endpoint, string apiKey) { } }
        class GatewayOptions { public string? ApiKey { get; set; } public string? ClientSecret { get; set; } public string? ConnectionString { get; set; } public string? TokenEndpoint { get; set; } public int MaxTokens { get; set; } }
        """;

    private static string Field(string value) => $$"""
        class C
        {
            private const string Key = {|RG0004:"{{value}}"|};
        }
        """;

    // ---------------------------------------------------------------- positive: provider formats

    [Fact]
    public Task OpenAI_project_key() => Check(Field(OpenAIKey("sk-proj-")));

    [Fact]
    public Task OpenAI_service_account_key() => Check(Field(OpenAIKey("sk-svcacct-")));

    [Fact]
    public Task OpenAI_admin_key() => Check(Field(OpenAIKey("sk-admin-")));

    [Fact]
    public Task OpenAI_legacy_user_key() => Check(Field(OpenAIKey("sk-")));

    [Fact]
    public Task Anthropic_api_key() => Check(Field(Anthropic("sk-ant-api03-")));

    [Fact]
    public Task Anthropic_admin_key() => Check(Field(Anthropic("sk-ant-admin01-")));

    [Fact]
    public Task OpenRouter_key() => Check(Field(OpenRouter()));

    [Fact]
    public Task Groq_key() => Check(Field(Groq()));

    [Fact]
    public Task XAI_key() => Check(Field(XAI()));

    [Fact]
    public Task Google_key() => Check(Field(Google()));

    [Fact]
    public Task Hugging_Face_token() => Check(Field(HuggingFace()));

    [Fact]
    public Task Custom_format_from_editorconfig() => Check(
        Field("acme_" + Random(32)),
        editorConfig: "retryguard.additional_key_patterns = Acme=acme_[A-Za-z0-9]{32} other=zz[0-9]{40}\n");

    [Fact]
    public Task Known_key_in_a_verbatim_string_passed_to_a_method() => Check($$"""
        class C
        {
            void M(HttpClient http) => http.DefaultRequestHeaders.Add("X-Other", {|RG0004:@"{{Groq(3)}}"|});
        }
        """);

    [Fact]
    public Task Message_names_the_provider_and_the_last_four_characters_only()
    {
        string key = OpenAIKey("sk-proj-", seed: 5);
        return Verify<SharedApiKeyAnalyzer>.AnalyzerWithFilesAsync(
            Usings + $$"""class C { const string K = {|#0:"{{key}}"|}; }""",
            Array.Empty<(string, string)>(),
            only: "RG0004",
            rawEditorConfig: null,
            new DiagnosticResult(RuleCatalog.RG0004SharedApiKey).WithLocation(0).WithArguments(
                "The OpenAI key sk-proj-…" + Last4(key),
                "is written in source code, so every environment that runs this build uses it",
                "read it with ApiKeys.Require(\"OPENAI_API_KEY\")"));
    }

    // ---------------------------------------------------------------- positive: random secrets in sinks

    [Fact]
    public Task Hex_key_into_ApiKeyCredential() => Check($$"""
        class C
        {
            object M() => new System.ClientModel.ApiKeyCredential({|RG0004:"{{Hex32()}}"|});
        }
        {{Stubs}}
        """);

    [Fact]
    public Task Token_into_AzureKeyCredential_through_a_const() => Check($$"""
        class C
        {
            private const string Credential = {|RG0004:"{{Token()}}"|};
            object M() => new Azure.AzureKeyCredential(Credential);
        }
        {{Stubs}}
        """);

    [Fact]
    public Task Bearer_header_value() => Check($$"""
        class C
        {
            void M(HttpClient http) => http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", {|RG0004:"{{Token(48)}}"|});
        }
        """);

    [Fact]
    public Task Api_key_header() => Check($$"""
        class C
        {
            void M(HttpClient http) => http.DefaultRequestHeaders.Add("api-key", {|RG0004:"{{Hex32(2)}}"|});
        }
        """);

    [Fact]
    public Task X_api_key_header_through_a_local() => Check($$"""
        class C
        {
            void M(HttpRequestMessage request)
            {
                var value = {|RG0004:"{{Token(36, 3)}}"|};
                request.Headers.TryAddWithoutValidation("x-api-key", value);
            }
        }
        """);

    [Fact]
    public Task Authorization_header_concatenated_with_a_static_readonly_field() => Check($$"""
        class C
        {
            private static readonly string Credential = {|RG0004:"{{Token(40, 4)}}"|};
            void M(HttpRequestMessage request) => request.Headers.Add("Authorization", "Bearer " + Credential);
        }
        """);

    [Fact]
    public Task Authorization_header_interpolated() => Check($$"""
        class C
        {
            void M(HttpRequestMessage request)
            {
                const string credential = {|RG0004:"{{Token(40, 5)}}"|};
                request.Headers.Add("Authorization", $"Bearer {credential}");
            }
        }
        """);

    [Fact]
    public Task Authorization_header_whole_literal() => Check($$"""
        class C
        {
            void M(HttpRequestMessage request) => request.Headers.Add("Authorization", {|RG0004:"Bearer {{Token(40, 6)}}"|});
        }
        """);

    [Fact]
    public Task ApiKey_property_assignment() => Check($$"""
        class C
        {
            void M(GatewayOptions options) => options.ApiKey = {|RG0004:"{{Hex32(7)}}"|};
        }
        {{Stubs}}
        """);

    [Fact]
    public Task ClientSecret_in_an_object_initializer() => Check($$"""
        class C
        {
            GatewayOptions M() => new GatewayOptions { ClientSecret = {|RG0004:"{{Token(44, 8)}}"|} };
        }
        {{Stubs}}
        """);

    [Fact]
    public Task Access_token_local() => Check($$"""
        class C
        {
            void M()
            {
                var accessToken = {|RG0004:"{{Token(40, 9)}}"|};
                Console.WriteLine(accessToken.Length);
            }
        }
        """);

    [Fact]
    public Task Client_constructor_apiKey_parameter() => Check($$"""
        class C
        {
            object M() => new GatewayClient(new Uri("https://gateway.example"), apiKey: {|RG0004:"{{Hex32(10)}}"|});
        }
        {{Stubs}}
        """);

    [Fact]
    public Task Secret_property_initializer() => Check($$"""
        class C
        {
            public string WebhookSecret { get; } = {|RG0004:"{{Token(32, 11)}}"|};
        }
        """);

    [Fact]
    public Task Known_key_reported_once_even_when_it_also_reaches_a_sink() => Check($$"""
        class C
        {
            private const string Credential = {|RG0004:"{{Groq(12)}}"|};
            object A() => new System.ClientModel.ApiKeyCredential(Credential);
            object B() => new Azure.AzureKeyCredential(Credential);
        }
        {{Stubs}}
        """);

    // ---------------------------------------------------------------- negative

    [Theory]
    [InlineData("<your-api-key>")]
    [InlineData("sk-...")]
    [InlineData("sk-proj-...T3BlbkFJ...")]
    [InlineData("changeme")]
    [InlineData("${OPENAI_API_KEY}")]
    [InlineData("YOUR_API_KEY_GOES_HERE_1234567890")]
    [InlineData("sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    [InlineData("{{OPENAI_API_KEY}}")]
    public Task Placeholder_into_a_credential(string placeholder) => Check($$"""
        class C
        {
            object M() => new System.ClientModel.ApiKeyCredential("{{placeholder}}");
        }
        {{Stubs}}
        """);

    [Fact]
    public Task Environment_variable_name() => Check("""
        class C
        {
            string? M() => Environment.GetEnvironmentVariable("OPENAI_API_KEY");
        }
        """);

    [Fact]
    public Task Key_read_per_environment_with_the_runtime() => Check("""
        class C
        {
            string M() => RetryGuard.ApiKeys.Require("OPENAI_API_KEY");
        }
        """);

    [Fact]
    public Task Prefixes_used_in_comparisons() => Check("""
        class C
        {
            bool M(string key) => key.StartsWith("sk-proj-") || key.StartsWith("sk-ant-api03-") || key == "gsk_" || key.Contains("T3BlbkFJ");
        }
        """);

    [Fact]
    public Task Guid_as_an_identifier_and_as_an_ApiKey() => Check("""
        class C
        {
            void M(GatewayOptions options)
            {
                var tenantId = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
                options.ApiKey = "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}";
            }
        }
        """ + Stubs);

    [Fact]
    public Task Hash_not_in_a_sink() => Check($$"""
        class C
        {
            private const string ExpectedSha256 = "{{Random(64, "0123456789abcdef", 20)}}";
            private static readonly Dictionary<string, int> Cache = new() { ["{{Hex32(21)}}"] = 1 };
            void M(Dictionary<string, int> cache) => cache.Add("{{Hex32(22)}}", 2);
        }
        """);

    [Fact]
    public Task Base64_blob_not_in_a_sink() => Check($$"""
        class C
        {
            private const string Pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
            byte[] M() => Convert.FromBase64String(Pixel);
        }
        """);

    [Fact]
    public Task Connection_string_and_urls_are_not_keys() => Check("""
        class C
        {
            void M(GatewayOptions options)
            {
                options.ConnectionString = "Server=tcp:db1.example.net,1433;Database=app;User ID=app;Password=Xy7#kP2$qL9";
                options.TokenEndpoint = "https://login.example.net/7c3a1e2f9b8d/oauth2/v2.0/token";
                options.MaxTokens = 4096;
            }
        }
        """ + Stubs);

    [Fact]
    public Task Fixture_marked_by_its_name() => Check($$"""
        class C
        {
            private const string FakeOpenAIKey = "{{OpenAIKey("sk-proj-", 30)}}";
            private const string TestApiKey = "{{Hex32(31)}}";
            object M() => new System.ClientModel.ApiKeyCredential(TestApiKey);
        }
        {{Stubs}}
        """);

    [Fact]
    public Task Fixture_marked_by_a_comment() => Check($$"""
        class C
        {
            // Not a real key: the gateway stub in these tests accepts anything.
            private const string Key = "{{Groq(32)}}";
            private const string Other = "{{XAI(33)}}"; // pragma: allowlist secret
        }
        """);

    [Fact]
    public Task Fixture_in_a_fake_server_type() => Check($$"""
        class FakeGatewayServer
        {
            public string Issued { get; } = "{{Anthropic("sk-ant-api03-", 34)}}";
        }
        """);

    [Fact]
    public Task Random_value_not_in_a_sink() => Check($$"""
        class C
        {
            private const string BuildId = "{{Hex32(40)}}";
            private const string Nonce = "{{Token(40, 41)}}";
        }
        """);

    [Fact]
    public Task Word_like_and_short_values_in_sinks() => Check("""
        class C
        {
            void M(GatewayOptions options, HttpClient http)
            {
                options.ApiKey = "prod_service_account_2024";
                options.ClientSecret = "abc123";
                http.DefaultRequestHeaders.Add("x-api-key", "Development-Key-For-Staging-01");
            }
        }
        """ + Stubs);

    [Fact]
    public Task Lookalikes_of_provider_formats() => Check($$"""
        class C
        {
            private const string A = "gsk_{{Random(40)}}";
            private const string B = "hf_{{Random(20)}}";
            private const string C1 = "sk-{{Random(48)}}";
            private const string D = "AIza{{Random(20)}}";
            private const string E = "xai-{{Random(30)}}";
        }
        """);

    [Fact]
    public Task Bearer_token_from_a_parameter_or_configuration() => Check("""
        class C
        {
            void M(HttpRequestMessage request, string token, Func<string, string> config)
            {
                request.Headers.Add("Authorization", $"Bearer {token}");
                request.Headers.Add("api-key", config("OpenAI:ApiKey"));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
        }
        """);

    [Fact]
    public Task Generated_code_is_skipped() => Verify<SharedApiKeyAnalyzer>.AnalyzerAsync($$"""
        // <auto-generated/>
        class C
        {
            private const string Key = "{{OpenAIKey("sk-proj-", 50)}}";
        }
        """, only: "RG0004");

    [Fact]
    public Task Invalid_custom_pattern_is_ignored() => Check(
        """class C { const string K = "acme_0123"; }""",
        editorConfig: "retryguard.additional_key_patterns = Acme=acme_[ bad(\n");
}
