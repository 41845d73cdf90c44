using Microsoft.CodeAnalysis;

namespace RetryGuard.Analyzers;

/// <summary>
/// Every RetryGuard diagnostic descriptor. Titles, messages, categories and default severities live here and
/// nowhere else; the help link of each points at its page under docs/rules.
/// </summary>
/// <remarks>
/// Descriptors are written as plain <c>new DiagnosticDescriptor("RGxxxx", ...)</c> calls with constant IDs,
/// categories and severities so that release tracking (AnalyzerReleases.*.md) can check them.
/// A rule enters the release files only when an analyzer reports it; until then its descriptor is kept here
/// with release tracking suppressed for it alone.
/// </remarks>
internal static class RuleCatalog
{
    public const string HelpLinkBase = "https://github.com/retryguard/retryguard/blob/main/docs/rules/";

    public static string HelpLink(string id) => HelpLinkBase + id + ".md";

    public static class Categories
    {
        public const string Reliability = "Reliability";
        public const string Security = "Security";
    }

    public static readonly DiagnosticDescriptor RG0001NoJitter = new(
        "RG0001",
        title: "Retry delay has no jitter",
        messageFormat: "The retry delay '{0}' has no random component: clients that failed together all retry at the same instant; add jitter (Backoff.WithJitter)",
        Categories.Reliability,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Exponential or fixed backoff without jitter makes every client that failed at the same time retry at the same time, so the retries arrive as a stampede. Spread them out with full jitter.",
        helpLinkUri: HelpLink("RG0001"));

    public static readonly DiagnosticDescriptor RG0002NonRetryableStatus = new(
        "RG0002",
        title: "Retry covers a status that must not be retried (400, 401, 402, 403, 422)",
        messageFormat: "This retry also repeats {0}: caller errors are deterministic and retrying them only burns quota and money; retry 408, 429 and 5xx only",
        Categories.Reliability,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "400, 401, 403 and 422 mean the request itself is wrong and 402 means the account is out of credits; another attempt gets the same answer.",
        helpLinkUri: HelpLink("RG0002"));

    public static readonly DiagnosticDescriptor RG0003IgnoresRetryAfter = new(
        "RG0003",
        title: "429 is retried without honouring Retry-After",
        messageFormat: "429 is retried after '{0}' instead of the server's Retry-After; wait as long as the server says (RetryAfter.GetDelay)",
        Categories.Reliability,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Every 429 carries Retry-After; retrying sooner is refused again and keeps the key over its limit.",
        helpLinkUri: HelpLink("RG0003"));

    public static readonly DiagnosticDescriptor RG0004SharedApiKey = new(
        "RG0004",
        title: "API key is shared across environments",
        messageFormat: "{0} {1}; give each environment its own key ({2})",
        Categories.Security,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "One key across dev, staging and prod lets dev experiments drain prod's rate limit, widens the blast radius of a leak and blurs per-environment analytics. A key written into source, or the same key in two environments' configuration, is shared by construction.",
        helpLinkUri: HelpLink("RG0004"));

    public static readonly DiagnosticDescriptor RG0005Unbounded = new(
        "RG0005",
        title: "Retry has no bound (no attempt cap, no deadline)",
        messageFormat: "This retry has no attempt cap and no deadline ({0}); bound it",
        Categories.Reliability,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A retry without a bound turns an outage or an exhausted quota into a request loop that never ends.",
        helpLinkUri: HelpLink("RG0005"));

    public static readonly DiagnosticDescriptor RG0006StackedRetries = new(
        "RG0006",
        title: "Retry wraps a client that already retries",
        messageFormat: "'{0}' already retries on its own; this retry around it multiplies the attempts ({1})",
        Categories.Reliability,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "OpenAI, Azure and System.ClientModel SDK clients, and HttpClients whose factory registration adds the standard resilience handler, retry 408, 429 and 5xx themselves; a hand-written or Polly retry around them multiplies the requests sent for one call and hides the 429s.",
        helpLinkUri: HelpLink("RG0006"));

    public static readonly DiagnosticDescriptor RG0007UncappedRetryAfter = new(
        "RG0007",
        title: "Retry-After is honoured without an upper bound",
        messageFormat: "The delay '{0}' comes from Retry-After {1}; a daily-cap 429 says to wait until midnight UTC, so cap it (at most {2}) and surface longer waits",
        Categories.Reliability,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Hitting a daily token cap also returns 429, with Retry-After set to the seconds until midnight UTC; sleeping for it blocks the caller for hours.",
        helpLinkUri: HelpLink("RG0007"));
}
