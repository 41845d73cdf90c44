using static RetryGuard.Analyzers.Tests.Keys.TestKeys;

namespace RetryGuard.Analyzers.Tests.Keys;

/// <summary>RG0004 in configuration files (AdditionalFiles): one key value in several environments' files.</summary>
public class RG0004ConfigKeyTests : KeyTestBase
{
    private const string NoCode = "class C { }";

    private static string Json(string section, string key, string value) => $$"""
        {
          "{{section}}": {
            "{{key}}": "{{value}}"
          }
        }
        """;

    // ---------------------------------------------------------------- positive

    [Fact]
    public Task Same_key_in_development_and_production()
    {
        string key = OpenAIKey(seed: 100);
        return CheckFiles(NoCode,
            ("/app/appsettings.Development.json", Json("OpenAI", "ApiKey", "{|RG0004:" + key + "|}")),
            ("/app/appsettings.Production.json", Json("OpenAI", "ApiKey", "{|RG0004:" + key + "|}")));
    }

    [Fact]
    public Task Key_in_the_base_file_that_no_environment_overrides() => CheckFiles(NoCode,
        ("/app/appsettings.json", Json("Anthropic", "ApiKey", "{|RG0004:" + Anthropic(seed: 101) + "|}")),
        ("/app/appsettings.Development.json", """{ "Logging": { "LogLevel": { "Default": "Debug" } } }"""));

    [Fact]
    public Task Key_in_the_only_appsettings_file() => CheckFiles(NoCode,
        ("/app/appsettings.json", Json("Groq", "Key", "{|RG0004:" + Groq(102) + "|}")));

    [Fact]
    public Task Key_in_the_base_env_file_that_no_environment_overrides() => CheckFiles(NoCode,
        ("/app/.env", "OPENROUTER_API_KEY={|RG0004:" + OpenRouter(103) + "|}\nLOG_LEVEL=debug\n"),
        ("/app/.env.production", "LOG_LEVEL=warning\n"));

    [Fact]
    public Task Same_key_in_env_files_with_quotes_and_export() => CheckFiles(NoCode,
        ("/app/.env.development", "# dev\nexport XAI_API_KEY=\"{|RG0004:" + XAI(104) + "|}\"\n"),
        ("/app/.env.staging", "XAI_API_KEY='{|RG0004:" + XAI(104) + "|}'  \n"),
        ("/app/.env.production", "XAI_API_KEY=" + XAI(105) + " # prod has its own\n"));

    [Fact]
    public Task Json_with_comments_and_trailing_commas()
    {
        string key = Google(106);
        return CheckFiles(NoCode,
            ("/app/appsettings.Staging.json", $$"""
                // Staging
                {
                  /* the model gateway */
                  "Gemini": {
                    "ApiKey": "{|RG0004:{{key}}|}", // same as prod, for now
                    "Model": "gemini-2.0-flash",
                  },
                }
                """),
            ("/app/appsettings.Production.json", Json("Gemini", "ApiKey", "{|RG0004:" + key + "|}")));
    }

    [Fact]
    public Task Nested_sections() => CheckFiles(NoCode,
        ("/app/appsettings.json", $$"""
            { "AI": { "Providers": { "HuggingFace": { "Endpoint": "https://api-inference.example", "Token": "{|RG0004:{{HuggingFace(107)}}|}" } } } }
            """),
        ("/app/appsettings.Production.json", """{ "AI": { "Providers": { "HuggingFace": { "Endpoint": "https://prod.example" } } } }"""));

    [Fact]
    public Task Keys_in_an_array() => CheckFiles(NoCode,
        ("/app/appsettings.json", $$"""
            { "Gateway": { "ApiKeys": [ "{|RG0004:{{Hex32(108)}}|}", "{|RG0004:{{Hex32(109)}}|}" ] } }
            """));

    [Fact]
    public Task Same_key_in_appsettings_and_env_file() => CheckFiles(NoCode,
        ("/app/appsettings.Development.json", Json("OpenAI", "ApiKey", "{|RG0004:" + OpenAIKey("sk-svcacct-", 110) + "|}")),
        ("/app/.env.production", "OPENAI_API_KEY={|RG0004:" + OpenAIKey("sk-svcacct-", 110) + "|}\n"));

    [Fact]
    public Task Random_secret_under_a_key_like_setting_in_two_environments() => CheckFiles(NoCode,
        ("/app/appsettings.Development.json", Json("AzureOpenAI", "SubscriptionKey", "{|RG0004:" + Hex32(111) + "|}")),
        ("/app/appsettings.Production.json", Json("AzureOpenAI", "SubscriptionKey", "{|RG0004:" + Hex32(111) + "|}")));

    [Fact]
    public Task Double_underscore_env_names_override_by_section_but_values_still_compared() => CheckFiles(NoCode,
        ("/app/.env", "Anthropic__ApiKey={|RG0004:" + Anthropic("sk-ant-admin01-", 112) + "|}\n"),
        ("/app/.env.local", "Anthropic__ApiKey={|RG0004:" + Anthropic("sk-ant-admin01-", 112) + "|}\n"));

    [Fact]
    public Task Custom_format_in_configuration() => CheckFilesWithConfig(
        "root = true\n\n[*]\nretryguard.additional_key_patterns = Acme=acme_[A-Za-z0-9]{32}\n",
        NoCode,
        ("/app/appsettings.json", Json("Acme", "Endpoint", "{|RG0004:acme_" + Random(32, seed: 113) + "|}")));

    [Fact]
    public Task Reported_in_each_directory_separately() => CheckFiles(NoCode,
        ("/api/appsettings.json", Json("OpenAI", "ApiKey", "{|RG0004:" + OpenAIKey(seed: 114) + "|}")),
        ("/worker/appsettings.json", Json("OpenAI", "ApiKey", "{|RG0004:" + OpenAIKey(seed: 115) + "|}")));

    // ---------------------------------------------------------------- negative

    [Fact]
    public Task Each_environment_has_its_own_key() => CheckFiles(NoCode,
        ("/app/appsettings.json", """{ "OpenAI": { "Model": "gpt-4o-mini" } }"""),
        ("/app/appsettings.Development.json", Json("OpenAI", "ApiKey", OpenAIKey(seed: 200))),
        ("/app/appsettings.Production.json", Json("OpenAI", "ApiKey", OpenAIKey(seed: 201))));

    [Fact]
    public Task Base_key_overridden_by_an_environment() => CheckFiles(NoCode,
        ("/app/appsettings.json", Json("OpenAI", "ApiKey", OpenAIKey(seed: 202))),
        ("/app/appsettings.Production.json", Json("OpenAI", "apikey", OpenAIKey(seed: 203))));

    [Fact]
    public Task Base_env_key_overridden_by_an_environment() => CheckFiles(NoCode,
        ("/app/.env", "GROQ_API_KEY=" + Groq(204) + "\n"),
        ("/app/.env.production", "export GROQ_API_KEY=\"" + Groq(205) + "\"\n"));

    [Theory]
    [InlineData("")]
    [InlineData("<your-api-key>")]
    [InlineData("${OPENAI_API_KEY}")]
    [InlineData("sk-...")]
    [InlineData("changeme")]
    [InlineData("set-me-in-user-secrets")]
    public Task Placeholders_in_every_file(string placeholder) => CheckFiles(NoCode,
        ("/app/appsettings.json", Json("OpenAI", "ApiKey", placeholder)),
        ("/app/appsettings.Development.json", Json("OpenAI", "ApiKey", placeholder)),
        ("/app/appsettings.Production.json", Json("OpenAI", "ApiKey", placeholder)));

    [Fact]
    public Task Malformed_json_is_skipped() => CheckFiles(NoCode,
        ("/app/appsettings.json", "{ \"OpenAI\": { \"ApiKey\": \"" + OpenAIKey(seed: 206) + "\" "),
        ("/app/appsettings.Development.json", "{ \"OpenAI\": { \"ApiKey\": \"" + OpenAIKey(seed: 207) + "\", \"ApiKey\": \"x\" } }"),
        ("/app/appsettings.Staging.json", "[ \"" + OpenAIKey(seed: 208) + "\" ]"),
        ("/app/appsettings.Production.json", "{ \"A\": \"unterminated\n\" }"));

    [Fact]
    public Task Empty_and_odd_files_do_not_throw() => CheckFiles(NoCode,
        ("/app/appsettings.json", ""),
        ("/app/appsettings.Development.json", "// nothing but a comment"),
        ("/app/.env", "\n\n   \n=novalue\nNAME\nexport\n\"\n"),
        ("/app/.env.production", "KEY=\"unterminated " + Groq(209) + "\n"),
        ("/app/appsettings.Staging.json", new string('[', 5000)));

    [Fact]
    public Task Templates_are_not_read() => CheckFiles(NoCode,
        ("/app/.env.example", "OPENAI_API_KEY=" + OpenAIKey(seed: 210) + "\n"),
        ("/app/.env.sample", "OPENAI_API_KEY=" + OpenAIKey(seed: 210) + "\n"),
        ("/app/appsettings.Template.json", Json("OpenAI", "ApiKey", OpenAIKey(seed: 210))));

    [Fact]
    public Task Random_values_under_names_that_are_not_keys() => CheckFiles(NoCode,
        ("/app/appsettings.json", $$"""
            {
              "Build": { "Commit": "{{Random(40, "0123456789abcdef", 211)}}", "Checksum": "{{Hex32(212)}}" },
              "Tracing": { "InstanceId": "3f2504e0-4f89-11d3-9a0c-0305e82c3301" },
              "Cache": { "CacheKey": "{{Token(40, 213)}}" },
              "ConnectionStrings": { "Db": "Server=db;Database=app;User Id=app;Password=Pa55w0rd!;" }
            }
            """));

    [Fact]
    public Task Same_value_in_two_directories_is_not_shared() => CheckFiles(NoCode,
        ("/api/appsettings.Production.json", Json("OpenAI", "ApiKey", OpenAIKey(seed: 214))),
        ("/worker/appsettings.Production.json", Json("OpenAI", "ApiKey", OpenAIKey(seed: 214))));

    [Fact]
    public Task Commented_out_keys_are_not_read() => CheckFiles(NoCode,
        ("/app/appsettings.json", "{\n  // \"ApiKey\": \"" + OpenAIKey(seed: 215) + "\",\n  /* \"Secret\": \"" + OpenAIKey(seed: 215) + "\" */\n  \"Model\": \"gpt-4o\"\n}"),
        ("/app/.env", "# OPENAI_API_KEY=" + OpenAIKey(seed: 215) + "\n"));

    [Fact]
    public Task Other_files_are_not_read() => CheckFiles(NoCode,
        ("/app/secrets.json", Json("OpenAI", "ApiKey", OpenAIKey(seed: 216))),
        ("/app/launchSettings.json", Json("OpenAI", "ApiKey", OpenAIKey(seed: 216))),
        ("/app/appsettings.Development.json.bak", Json("OpenAI", "ApiKey", OpenAIKey(seed: 216))));
}
