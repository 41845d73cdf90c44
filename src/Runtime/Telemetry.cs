using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace RetryGuard;

/// <summary>
/// RetryGuard's metrics (<c>Meter</c> "RetryGuard") and traces (<c>ActivitySource</c> "RetryGuard"). Tags carry the
/// client name, reasons, statuses and model names: never keys, URLs or bodies.
/// </summary>
internal static class Telemetry
{
    public const string Name = "RetryGuard";

    private static readonly string? Version = typeof(Telemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static readonly ActivitySource Source = new(Name, Version);
    public static readonly Meter Meter = new(Name, Version);

    public static readonly Counter<long> Attempts = Meter.CreateCounter<long>(
        "retryguard.attempts", "{attempt}", "Requests sent, first attempts and retries alike.");

    public static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "retryguard.retries", "{retry}", "Retries, tagged with retryguard.reason.");

    public static readonly Counter<long> RateLimited = Meter.CreateCounter<long>(
        "retryguard.rate_limited", "{response}", "429 responses, tagged retryguard.kind = rate_limit | daily_cap.");

    public static readonly Histogram<double> LimiterWait = Meter.CreateHistogram<double>(
        "retryguard.limiter.wait", "s", "Time a request waited for the proactive limiter or a server-requested pause.");

    public static readonly Counter<long> Fallbacks = Meter.CreateCounter<long>(
        "retryguard.fallbacks", "{fallback}", "Requests re-sent with a fallback model.");

    public static readonly Counter<long> Escalations = Meter.CreateCounter<long>(
        "retryguard.escalations", "{escalation}", "Requests still rate limited after two backoffs.");

    public static readonly Counter<long> OutageHolds = Meter.CreateCounter<long>(
        "retryguard.outage_holds", "{hold}", "Client-wide holds after a 502/503, tagged retryguard.kind = began | extended.");

    public static readonly Counter<long> Rejected = Meter.CreateCounter<long>(
        "retryguard.limiter.rejected", "{request}", "Requests refused because the limiter queue was full.");

    public static KeyValuePair<string, object?> Client(string name) => new("retryguard.client", name);
}
