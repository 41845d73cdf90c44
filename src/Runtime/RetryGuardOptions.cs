using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace RetryGuard;

/// <summary>
/// Settings of the RetryGuard policy: how often and how long to retry, how fast to send, and which model to fall back
/// to. The defaults follow the gateway guidance the analyzers enforce; <see cref="Validate"/> says what to change when a
/// value is out of range.
/// </summary>
public sealed class RetryGuardOptions
{
    /// <summary>Default of <see cref="MaxRetries"/>.</summary>
    public const int DefaultMaxRetries = 3;

    /// <summary>Default of <see cref="Headroom"/>: stay at 80 % of the key's published limits.</summary>
    public const double DefaultHeadroom = 0.8;

    /// <summary>Default of <see cref="QueueLimit"/>.</summary>
    public const int DefaultQueueLimit = 1000;

    /// <summary>Default of <see cref="BaseDelay"/>: one second.</summary>
    public static readonly TimeSpan DefaultBaseDelay = TimeSpan.FromSeconds(1);

    /// <summary>Default of <see cref="MaxDelay"/>: thirty seconds.</summary>
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>Default of <see cref="OutageHold"/>: one second.</summary>
    public static readonly TimeSpan DefaultOutageHold = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Default of <see cref="MaxRetryAfter"/>: two minutes, the same bound the RG0007 analyzer uses. A daily-cap 429
    /// says "wait until midnight UTC"; no request should sleep that long.
    /// </summary>
    public static readonly TimeSpan DefaultMaxRetryAfter = TimeSpan.FromSeconds(120);

    /// <summary>
    /// How many times one request is re-sent after a retryable failure (408, 429, 5xx, connection failure, attempt
    /// timeout); 0 turns retries off. A fallback model gets the same budget again. Default 3.
    /// </summary>
    public int MaxRetries { get; set; } = DefaultMaxRetries;

    /// <summary>Window of the first jittered backoff; each further retry doubles it up to <see cref="MaxDelay"/>. Default 1 s.</summary>
    public TimeSpan BaseDelay { get; set; } = DefaultBaseDelay;

    /// <summary>Largest backoff window. Default 30 s.</summary>
    public TimeSpan MaxDelay { get; set; } = DefaultMaxDelay;

    /// <summary>
    /// Longest server-requested wait (Retry-After, retry-after-ms, x-ratelimit-reset-*) that is slept through. A
    /// longer one is never slept: the request falls back to another model or fails with
    /// <see cref="RateLimitExceededException"/>. Default 120 s.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = DefaultMaxRetryAfter;

    /// <summary>
    /// Client-wide hold after the service answers 502 or 503 (it is down or overloaded, for every request alike): for
    /// this long no request of the client is sent, then one goes per hold interval while the others wait (nothing is
    /// dropped; like any wait for the limiter, the waiting requests count against <see cref="QueueLimit"/>, beyond which
    /// a request fails fast with <see cref="RateLimiterQueueFullException"/>). At least 1 ms when not zero. Each further 502/503 doubles the interval up to <see cref="MaxDelay"/>, each other answer
    /// halves it, and the client sends freely again once it is below a sixteenth of this value. A longer Retry-After on
    /// the 502/503 (within <see cref="MaxRetryAfter"/>) is honoured by the whole client. The failed request itself is
    /// retried with jittered backoff as before. <see cref="TimeSpan.Zero"/> turns the hold off. Default 1 s.
    /// </summary>
    public TimeSpan OutageHold { get; set; } = DefaultOutageHold;

    /// <summary>
    /// The key's requests-per-minute limit. When set, requests pass a token bucket that allows
    /// <see cref="Headroom"/> of it. <see langword="null"/> (default): no proactive request limiting.
    /// </summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>
    /// The key's tokens-per-minute limit. When set, requests pass a second bucket at <see cref="Headroom"/> of it,
    /// charged with an estimate of the request (body size / 4 + max_tokens) and corrected by the <c>usage</c> the
    /// response reports. <see langword="null"/> (default): no token budget.
    /// </summary>
    public int? TokensPerMinute { get; set; }

    /// <summary>Share of the published limits the buckets allow, in (0, 1]. Default 0.8.</summary>
    public double Headroom { get; set; } = DefaultHeadroom;

    /// <summary>
    /// How many requests may wait for the limiter at once. One more fails at once with
    /// <see cref="RateLimiterQueueFullException"/>: nothing is dropped silently. Default 1000.
    /// </summary>
    public int QueueLimit { get; set; } = DefaultQueueLimit;

    /// <summary>
    /// Time limit of one attempt, until the response headers arrive (a streamed body is not cut). An attempt that
    /// runs out is retried like a connection failure. <see langword="null"/> (default): no per-attempt limit.
    /// </summary>
    public TimeSpan? AttemptTimeout { get; set; }

    /// <summary>
    /// When <see langword="true"/>, a request that ends on an attempt's own exception ends with that exception as it
    /// is: a 402, a daily token cap, or a Retry-After longer than <see cref="MaxRetryAfter"/> carried by an
    /// <see cref="System.Net.Http.HttpRequestException"/> or an SDK exception still ends the request at once (after any
    /// fallback model), but the caller gets the original exception instead of <see cref="InsufficientCreditsException"/>,
    /// <see cref="DailyTokenCapExceededException"/> or <see cref="RateLimitExceededException"/>. Outcomes that are
    /// responses, not exceptions, are unaffected, and so is a request that a daily cap remembered from an earlier
    /// request of the same policy stops before it is sent (it has no exception of its own: it gets
    /// <see cref="DailyTokenCapExceededException"/>). For code whose callers already catch the operation's own exceptions,
    /// such as a hand-written retry loop replaced by <see cref="RetryGuardPolicy.ExecuteAsync{T}"/>. Default
    /// <see langword="false"/>.
    /// </summary>
    public bool RethrowAttemptExceptions { get; set; }

    /// <summary>
    /// Ordered fallbacks per model, for example <c>["gpt-4o"] = ["gpt-4o-mini"]</c>. Used when the model hit its
    /// daily cap, when the server asks to wait longer than <see cref="MaxRetryAfter"/>, and when retries of a
    /// transient failure ran out. Never used for 4xx caller errors. Model names compare case-insensitively.
    /// </summary>
    public IDictionary<string, IList<string>> FallbackModels { get; set; } =
        new Dictionary<string, IList<string>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Clock and timers of every wait. Default <see cref="TimeProvider.System"/>; tests pass a fake.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Source of the backoff jitter. <see langword="null"/> (default): a shared thread-safe generator. A supplied
    /// instance (for example <c>new Random(42)</c> in tests) is used under a lock, so it may be shared.
    /// </summary>
    public Random? Random { get; set; }

    /// <summary>
    /// Label of this policy in logs, metrics (tag <c>retryguard.client</c>) and traces. <c>AddRetryGuard</c> sets it to the
    /// HttpClient's name. Default "default".
    /// </summary>
    public string Name { get; set; } = "default";

    /// <summary>Called before each retry, after the delay is chosen.</summary>
    public Action<RetryGuardRetryInfo>? OnRetry { get; set; }

    /// <summary>Called when a request is re-sent with a fallback model.</summary>
    public Action<RetryGuardFallbackInfo>? OnFallback { get; set; }

    /// <summary>Called once per request that is still rate limited after two backoffs.</summary>
    public Action<RetryGuardEscalationInfo>? OnEscalation { get; set; }

    /// <summary>
    /// Checks every setting and throws one <see cref="ArgumentException"/> listing each value to change.
    /// </summary>
    /// <exception cref="ArgumentException">At least one setting is out of range.</exception>
    public void Validate()
    {
        List<string> problems = new();

        if (MaxRetries < 0)
        {
            problems.Add($"MaxRetries is {MaxRetries}; use 0 to turn retries off or a positive count such as {DefaultMaxRetries}.");
        }

        if (BaseDelay <= TimeSpan.Zero)
        {
            problems.Add($"BaseDelay is {BaseDelay}; it must be positive, for example TimeSpan.FromSeconds(1).");
        }

        if (MaxDelay < BaseDelay)
        {
            problems.Add($"MaxDelay ({MaxDelay}) is shorter than BaseDelay ({BaseDelay}); raise MaxDelay or lower BaseDelay.");
        }

        if (MaxRetryAfter < TimeSpan.Zero)
        {
            problems.Add($"MaxRetryAfter is {MaxRetryAfter}; it cannot be negative (use TimeSpan.Zero to never sleep on a 429).");
        }

        if (OutageHold > TimeSpan.Zero && OutageHold < TimeSpan.FromMilliseconds(1))
        {
            problems.Add($"OutageHold is {OutageHold}; use at least 1 ms, or TimeSpan.Zero to turn the client-wide hold off.");
        }

        if (OutageHold < TimeSpan.Zero)
        {
            problems.Add($"OutageHold is {OutageHold}; it cannot be negative (use TimeSpan.Zero to turn the client-wide hold off).");
        }

        if (RequestsPerMinute is <= 0)
        {
            problems.Add($"RequestsPerMinute is {RequestsPerMinute}; set the key's limit (a positive number) or null for no limiting.");
        }

        if (TokensPerMinute is <= 0)
        {
            problems.Add($"TokensPerMinute is {TokensPerMinute}; set the key's limit (a positive number) or null for no token budget.");
        }

        if (double.IsNaN(Headroom) || Headroom <= 0 || Headroom > 1)
        {
            problems.Add($"Headroom is {Headroom.ToString(CultureInfo.InvariantCulture)}; it is a share of the limit in (0, 1], for example 0.8.");
        }

        if (QueueLimit < 0)
        {
            problems.Add($"QueueLimit is {QueueLimit}; use 0 to fail at once when the limiter is busy, or a positive bound.");
        }

        if (AttemptTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            problems.Add($"AttemptTimeout is {timeout}; it must be positive, or null for no per-attempt limit.");
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            problems.Add("Name is empty; leave the default or name the client, for example \"openai\".");
        }

        if (TimeProvider is null)
        {
            problems.Add("TimeProvider is null; leave the default (TimeProvider.System) or pass a clock.");
        }

        if (FallbackModels is null)
        {
            problems.Add("FallbackModels is null; leave it empty when no model has a fallback.");
        }
        else
        {
            foreach (KeyValuePair<string, IList<string>> chain in FallbackModels)
            {
                if (string.IsNullOrWhiteSpace(chain.Key))
                {
                    problems.Add("FallbackModels has an empty model name as a key; name the model whose fallbacks these are.");
                    continue;
                }

                if (chain.Value is null || chain.Value.Count == 0)
                {
                    problems.Add($"FallbackModels[\"{chain.Key}\"] is empty; list at least one model to fall back to, or remove the entry.");
                    continue;
                }

                if (chain.Value.Any(string.IsNullOrWhiteSpace))
                {
                    problems.Add($"FallbackModels[\"{chain.Key}\"] contains an empty model name; remove it.");
                }

                if (chain.Value.Any(m => string.Equals(m, chain.Key, StringComparison.OrdinalIgnoreCase)))
                {
                    problems.Add($"FallbackModels[\"{chain.Key}\"] lists the model itself; a fallback must be a different model.");
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(
                "RetryGuardOptions are invalid:" + Environment.NewLine + "- " +
                string.Join(Environment.NewLine + "- ", problems));
        }
    }

    /// <summary>A copy whose fallback lists are copied too, so later changes to this instance do not leak in.</summary>
    internal RetryGuardOptions Snapshot()
    {
        RetryGuardOptions copy = (RetryGuardOptions)MemberwiseClone();
        Dictionary<string, IList<string>> chains = new(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, IList<string>> chain in FallbackModels)
        {
            chains[chain.Key] = chain.Value.ToArray();
        }

        copy.FallbackModels = chains;
        return copy;
    }

    /// <summary>The settings, for logs. Holds no keys: the options never see one.</summary>
    public override string ToString()
    {
        StringBuilder text = new();
        text.Append("RetryGuardOptions { Name = ").Append(Name)
            .Append(", MaxRetries = ").Append(MaxRetries)
            .Append(", BaseDelay = ").Append(BaseDelay)
            .Append(", MaxDelay = ").Append(MaxDelay)
            .Append(", MaxRetryAfter = ").Append(MaxRetryAfter)
            .Append(", OutageHold = ").Append(OutageHold)
            .Append(", RequestsPerMinute = ").Append(RequestsPerMinute?.ToString(CultureInfo.InvariantCulture) ?? "none")
            .Append(", TokensPerMinute = ").Append(TokensPerMinute?.ToString(CultureInfo.InvariantCulture) ?? "none")
            .Append(", Headroom = ").Append(Headroom.ToString(CultureInfo.InvariantCulture))
            .Append(", QueueLimit = ").Append(QueueLimit)
            .Append(", AttemptTimeout = ").Append(AttemptTimeout?.ToString() ?? "none")
            .Append(", RethrowAttemptExceptions = ").Append(RethrowAttemptExceptions ? "true" : "false")
            .Append(", FallbackModels = [");
        if (FallbackModels is not null)
        {
            text.Append(string.Join("; ", FallbackModels.Select(c => c.Key + " -> " + string.Join(", ", c.Value ?? Array.Empty<string>()))));
        }

        return text.Append("] }").ToString();
    }
}
