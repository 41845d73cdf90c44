using Microsoft.Extensions.Configuration;

namespace RetryGuard.Runtime.Tests;

public class OptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_match_the_policy()
    {
        RetryGuardOptions options = new();
        options.Validate();
        Assert.Equal(3, options.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(1), options.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MaxDelay);
        Assert.Equal(TimeSpan.FromSeconds(120), options.MaxRetryAfter);
        Assert.Equal(0.8, options.Headroom);
        Assert.Null(options.RequestsPerMinute);
    }

    public static TheoryData<Action<RetryGuardOptions>, string> Invalid => new()
    {
        { o => o.MaxRetries = -1, "MaxRetries is -1" },
        { o => o.BaseDelay = TimeSpan.FromSeconds(-1), "BaseDelay is -00:00:01; it must be positive" },
        { o => o.BaseDelay = TimeSpan.Zero, "BaseDelay is 00:00:00" },
        { o => o.MaxDelay = TimeSpan.FromMilliseconds(10), "MaxDelay (00:00:00.0100000) is shorter than BaseDelay" },
        { o => o.MaxRetryAfter = TimeSpan.FromSeconds(-5), "MaxRetryAfter is -00:00:05; it cannot be negative" },
        { o => o.OutageHold = TimeSpan.FromSeconds(-1), "OutageHold is -00:00:01; it cannot be negative" },
        { o => o.OutageHold = TimeSpan.FromTicks(5), "OutageHold is 00:00:00.0000005; use at least 1 ms" },
        { o => o.RequestsPerMinute = 0, "RequestsPerMinute is 0" },
        { o => o.TokensPerMinute = -10, "TokensPerMinute is -10" },
        { o => o.Headroom = 0, "Headroom is 0; it is a share of the limit in (0, 1]" },
        { o => o.Headroom = 1.5, "Headroom is 1.5" },
        { o => o.Headroom = double.NaN, "Headroom is NaN" },
        { o => o.QueueLimit = -1, "QueueLimit is -1" },
        { o => o.AttemptTimeout = TimeSpan.Zero, "AttemptTimeout is 00:00:00; it must be positive" },
        { o => o.FallbackModels["gpt-4o"] = new List<string>(), "FallbackModels[\"gpt-4o\"] is empty" },
        { o => o.FallbackModels["gpt-4o"] = new List<string> { "gpt-4o-mini", " " }, "contains an empty model name" },
        { o => o.FallbackModels["gpt-4o"] = new List<string> { "GPT-4o" }, "lists the model itself" },
        { o => o.FallbackModels = null!, "FallbackModels is null" },
        { o => o.TimeProvider = null!, "TimeProvider is null" },
        { o => o.Name = "", "Name is empty" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_settings_fail_with_a_message_that_says_what_to_change(Action<RetryGuardOptions> breakIt, string expected)
    {
        RetryGuardOptions options = new();
        breakIt(options);
        ArgumentException error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(expected, error.Message);
        Assert.Throws<ArgumentException>(() => new RetryGuardHandler(options));
        Assert.Throws<ArgumentException>(() => new RetryGuardPolicy(options));
    }

    [Fact]
    public void Every_problem_is_listed_at_once()
    {
        RetryGuardOptions options = new() { MaxRetries = -1, Headroom = 2, QueueLimit = -3 };
        string message = Assert.Throws<ArgumentException>(options.Validate).Message;
        Assert.Contains("MaxRetries", message);
        Assert.Contains("Headroom", message);
        Assert.Contains("QueueLimit", message);
    }

    [Fact]
    public void ToString_lists_the_settings()
    {
        RetryGuardOptions options = new() { RequestsPerMinute = 60 };
        options.FallbackModels["gpt-4o"] = new List<string> { "gpt-4o-mini" };
        string text = options.ToString();
        Assert.Contains("RequestsPerMinute = 60", text);
        Assert.Contains("gpt-4o -> gpt-4o-mini", text);
    }

    [Fact]
    public void The_handler_takes_a_snapshot_so_later_changes_do_not_leak_in()
    {
        RetryGuardOptions options = new();
        options.FallbackModels["a"] = new List<string> { "b" };
        using RetryGuardHandler handler = new(options);
        options.FallbackModels["a"].Add("c");
        options.MaxRetries = 9;
        Assert.Equal(3, handler.Pipeline.Options.MaxRetries);
        Assert.Equal(new[] { "b" }, handler.Pipeline.Options.FallbackModels["a"]);
    }
}

public class KeyTests
{
    private const string Canary = "sk-proj-CANARY0123456789abcdefXYZ7Qa";

    [Theory]
    [InlineData("sk-abcdefghijklmnop7Qa", "sk-…7Qa")]
    [InlineData("sk-proj-abcdefghijkl7Qa", "sk-…7Qa")]
    [InlineData("AIzaSyA1234567890abcdefghijXYZ", "…XYZ")]
    [InlineData("short", "…")]
    [InlineData("", "…")]
    [InlineData(null, "…")]
    public void Keys_are_shown_as_prefix_and_last_three_at_most(string? key, string expected) =>
        Assert.Equal(expected, KeyRedactor.Redact(key));

    [Fact]
    public void Server_text_loses_known_secrets_and_key_shaped_tokens()
    {
        string text = $"Incorrect API key provided: {Canary}. Bearer abcdefghij1234 used. Also {new string('a', 40)}.";
        string redacted = KeyRedactor.RedactText(text, new[] { "abcdefghij1234" });
        Assert.DoesNotContain("CANARY", redacted);
        Assert.DoesNotContain("abcdefghij1234", redacted);
        Assert.DoesNotContain(new string('a', 40), redacted);
        Assert.Contains("sk-…7Qa", redacted);
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void The_per_environment_key_wins()
    {
        string key = ApiKeys.Require("OPENAI_API_KEY", Env(("DOTNET_ENVIRONMENT", "Staging"),
            ("OPENAI_API_KEY_STAGING", "sk-staging"), ("OPENAI_API_KEY", "sk-shared")));
        Assert.Equal("sk-staging", key);
    }

    [Fact]
    public void The_shared_key_is_the_fallback_and_aspnetcore_environment_counts_too()
    {
        Assert.Equal("sk-shared", ApiKeys.Require("OPENAI_API_KEY", Env(("ASPNETCORE_ENVIRONMENT", "Production"), ("OPENAI_API_KEY", "sk-shared"))));
        Assert.Equal("sk-prod", ApiKeys.Require("OPENAI_API_KEY", Env(("ASPNETCORE_ENVIRONMENT", "Production"), ("OPENAI_API_KEY_PRODUCTION", "sk-prod"))));
        Assert.Equal("sk-dev", ApiKeys.Require("K", Env(("DOTNET_ENVIRONMENT", "Development"), ("ASPNETCORE_ENVIRONMENT", "Production"), ("K_DEVELOPMENT", "sk-dev"), ("K_PRODUCTION", "sk-prod"))));
    }

    [Fact]
    public void A_missing_key_names_the_variables_never_a_value()
    {
        ApiKeyNotFoundException error = Assert.Throws<ApiKeyNotFoundException>(() =>
            ApiKeys.Require("OPENAI_API_KEY", Env(("DOTNET_ENVIRONMENT", "Staging"), ("OTHER_KEY", Canary), ("OPENAI_API_KEY", "   "))));
        Assert.Contains("OPENAI_API_KEY_STAGING", error.Message);
        Assert.Contains("OPENAI_API_KEY", error.Message);
        Assert.DoesNotContain("CANARY", error.Message);
        Assert.Equal(new[] { "OPENAI_API_KEY_STAGING", "OPENAI_API_KEY" }, error.LookedUp);

        ApiKeyNotFoundException noEnvironment = Assert.Throws<ApiKeyNotFoundException>(() => ApiKeys.Require("K", Env()));
        Assert.Equal(new[] { "K" }, noEnvironment.LookedUp);
        Assert.Contains("set K", noEnvironment.Message);
    }

    [Fact]
    public void Reads_configuration_too()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["environment"] = "qa", ["LLM_KEY_QA"] = "sk-qa", ["LLM_KEY"] = "sk-any" })
            .Build();
        Assert.Equal("sk-qa", ApiKeys.Require(configuration, "LLM_KEY"));
        var staging = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["DOTNET_ENVIRONMENT"] = "Staging", ["environment"] = "qa", ["LLM_KEY"] = "sk-any" })
            .Build();
        Assert.Equal("sk-any", ApiKeys.Require(staging, "LLM_KEY"));
        ApiKeyNotFoundException missing = Assert.Throws<ApiKeyNotFoundException>(() => ApiKeys.Require(staging, "OTHER_KEY"));
        Assert.Equal(new[] { "OTHER_KEY_STAGING", "OTHER_KEY" }, missing.LookedUp);
        Assert.Throws<ArgumentException>(() => ApiKeys.Require(" "));
    }

    [Fact]
    public void The_process_environment_overload_names_what_to_set()
    {
        string name = "RETRYGUARD_TEST_UNSET_" + Guid.NewGuid().ToString("N").ToUpperInvariant();
        ApiKeyNotFoundException error = Assert.Throws<ApiKeyNotFoundException>(() => ApiKeys.Require(name));
        Assert.Contains(name, error.Message);
        Assert.Equal(name, error.LookedUp[^1]);
    }
}

public class BackoffTests
{
    [Fact]
    public void A_seeded_random_source_gives_reproducible_full_jitter_within_the_window()
    {
        TimeSpan[] first = Enumerable.Range(0, 8).Select(i => Backoff.Exponential(i, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(7))).ToArray();
        TimeSpan[] again = Enumerable.Range(0, 8).Select(i => Backoff.Exponential(i, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(7))).ToArray();
        Assert.Equal(first, again);
        for (int i = 0; i < 8; i++)
        {
            TimeSpan ceiling = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, i)));
            Assert.InRange(first[i], TimeSpan.Zero, ceiling);
            Assert.Equal(Backoff.Scale(ceiling, new Random(7).NextDouble()), first[i]);
        }
    }

    [Fact]
    public void The_public_helpers_keep_their_contract()
    {
        for (int i = 0; i < 100; i++)
        {
            Assert.InRange(Backoff.WithJitter(TimeSpan.FromSeconds(2)), TimeSpan.Zero, TimeSpan.FromSeconds(2));
            Assert.InRange(Backoff.Exponential(40, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)), TimeSpan.Zero, TimeSpan.FromSeconds(30));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.WithJitter(TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.Exponential(-1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)));
    }
}
