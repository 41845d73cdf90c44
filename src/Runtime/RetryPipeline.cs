using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RetryGuard;

/// <summary>
/// The policy itself, shared by <see cref="RetryGuardHandler"/> and <see cref="RetryGuardPolicy"/>: one validated
/// options snapshot, one limiter, one loop. Several handlers of one named HttpClient share one pipeline, so the
/// buckets and pauses survive handler rotation.
/// </summary>
internal sealed class RetryPipeline : IDisposable
{
    /// <summary>429s in a row after which the request is escalated: the third 429 comes after two backoffs.</summary>
    private const int EscalateAfterRateLimits = 3;

    private static readonly Action<ILogger, string, int, string, double, string, Exception?> LogRetry =
        LoggerMessage.Define<string, int, string, double, string>(LogLevel.Information, new EventId(1, "Retry"),
            "RetryGuard {Client}: attempt {Attempt} failed ({Outcome}); retrying in {DelayMs} ms (model {Model})");

    private static readonly Action<ILogger, string, string, string, string, Exception?> LogFallback =
        LoggerMessage.Define<string, string, string, string>(LogLevel.Warning, new EventId(2, "Fallback"),
            "RetryGuard {Client}: model {FromModel} cannot serve the request ({Reason}); re-sending with {ToModel}");

    private static readonly Action<ILogger, string, int, string, string, Exception?> LogEscalation =
        LoggerMessage.Define<string, int, string, string>(LogLevel.Warning, new EventId(3, "Escalation"),
            "RetryGuard {Client}: {Count} rate-limit responses in a row for model {Model}. {Advice}");

    private static readonly Action<ILogger, string, int, string, Exception?> LogGaveUp =
        LoggerMessage.Define<string, int, string>(LogLevel.Warning, new EventId(4, "GaveUp"),
            "RetryGuard {Client}: giving up after {Attempts} attempts ({Outcome}); the last outcome goes back to the caller");

    private static readonly Action<ILogger, string, string, Exception?> LogCallbackFailed =
        LoggerMessage.Define<string, string>(LogLevel.Error, new EventId(5, "CallbackFailed"),
            "RetryGuard {Client}: the {Callback} callback threw; the request goes on");

    private static readonly Action<ILogger, string, int, double, Exception?> LogOutageHold =
        LoggerMessage.Define<string, int, double>(LogLevel.Warning, new EventId(6, "OutageHold"),
            "RetryGuard {Client}: the service answered {Status}; this client's requests wait {HoldMs} ms, then go one at a time until it answers again");

    private static readonly Action<ILogger, string, Exception?> LogOutageOver =
        LoggerMessage.Define<string>(LogLevel.Information, new EventId(7, "OutageOver"),
            "RetryGuard {Client}: the service answers again; the outage hold is over");

    private readonly KeyValuePair<string, object?> _clientTag;

    /// <summary>What the options decide once about the fast path: no attempt timeout, no token budget.</summary>
    private readonly bool _mayGoDirectly;
    private int _retryWaits;

    public RetryPipeline(RetryGuardOptions options, ILogger? logger)
    {
        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        options.Validate();
        Options = options.Snapshot();
        Logger = logger ?? NullLogger.Instance;
        Limiter = new ProactiveLimiter(Options);
        _clientTag = Telemetry.Client(Options.Name);
        _mayGoDirectly = Options.AttemptTimeout is null && !Limiter.LimitsTokens;
    }

    public RetryGuardOptions Options { get; }

    public ILogger Logger { get; }

    public ProactiveLimiter Limiter { get; }

    public TimeProvider Time => Options.TimeProvider;

    /// <summary>True while some request waits for time (a backoff, a Retry-After, the limiter) rather than for I/O.</summary>
    public bool IsWaitingForTime => Volatile.Read(ref _retryWaits) > 0 || Limiter.Waiting > 0;

    public void Dispose() => Limiter.Dispose();

    /// <summary>Remembered daily caps (see <see cref="DailyCaps"/>).</summary>
    public DailyCaps Caps { get; } = new();

    /// <summary>
    /// True when a request may go straight to the inner handler, its response handed back if it is final: no attempt
    /// timeout, no remembered daily cap, nobody tracing, no token budget (it needs the body), and the limiter lets one
    /// request through now (no pause, nobody queued, a request permit at hand, which this takes). The handler's
    /// first-attempt fast path; <paramref name="epoch"/> is the outage gate's epoch the request passed at.
    /// </summary>
    public bool TrySendDirectly(out int epoch)
    {
        epoch = 0;
        return _mayGoDirectly && !Caps.Any && !Telemetry.Source.HasListeners() && Limiter.TryAcquire(1, out epoch);
    }

    /// <summary>
    /// For the fast path: reads the response's rate-limit headers and, when the response goes back to the caller as
    /// it is (a success, a caller error), counts the attempt and returns true.
    /// </summary>
    public bool TryFinishDirectly(HttpResponseMessage response)
    {
        Limiter.Observe(response);
        if (!HttpResponses.IsFinal((int)response.StatusCode))
        {
            return false;
        }

        if (Telemetry.Attempts.Enabled)
        {
            Telemetry.Attempts.Add(1, _clientTag);
        }

        return true;
    }

    /// <summary>
    /// Runs the policy for one call. <paramref name="firstAttempt"/>, when given, is the first attempt already sent
    /// (by the handler's fast path, when the outage gate was at <paramref name="firstEpoch"/>): it is judged like any
    /// other, and only later attempts pass the limiter.
    /// </summary>
    public async Task<T> ExecuteAsync<T>(AttemptStrategy<T> strategy, CancellationToken cancellationToken, Task<T>? firstAttempt = null,
        int firstEpoch = 0)
    {
        int sentEpoch = firstEpoch;
        bool described = false;
        string? model = null;
        IList<string>? chain = null;
        int nextFallback = 0;
        int attempt = 0;
        int retries = 0;
        int rateLimitsInARow = 0;
        bool escalated = false;

        using Activity? activity = Telemetry.Source.StartActivity("RetryGuard.Request");
        activity?.SetTag("retryguard.client", Options.Name);

        try
        {
            if (activity is not null || Limiter.LimitsTokens || Caps.Any)
            {
                await strategy.DescribeAsync(cancellationToken).ConfigureAwait(false);
                (described, _, model, chain) = Described(strategy, activity);
            }

            while (true)
            {
                if (Caps.Any && (attempt > 0 || firstAttempt is null))
                {
                    if (!described)
                    {
                        await strategy.DescribeAsync(cancellationToken).ConfigureAwait(false);
                        (described, _, model, chain) = Described(strategy, activity);
                    }

                    if (Caps.Find(model, Time.GetUtcNow()) is { } remembered)
                    {
                        // Told already: not sent again before the reset.
                        Telemetry.RateLimited.Add(1, _clientTag, new("retryguard.kind", "daily_cap_remembered"));
                        if (TryFallback(FallbackReason.DailyTokenCap))
                        {
                            continue;
                        }

                        throw DailyCapExceeded(model, remembered, null, null, sent: false);
                    }
                }

                if (attempt > 0 || firstAttempt is null)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!Limiter.TryAcquire(strategy.TokenEstimate, out sentEpoch))
                    {
                        (bool acquired, sentEpoch) = await WaitForLimiterAsync(strategy.TokenEstimate, cancellationToken).ConfigureAwait(false);
                        if (!acquired)
                        {
                            // A daily cap was remembered while this request queued: check it before sending.
                            continue;
                        }
                    }

                    if (Caps.Any && (!described || Caps.Find(model, Time.GetUtcNow()) is not null))
                    {
                        // A cap came back while this request took its permit: the check above decides, before sending.
                        // The permit goes back, or a request not sent would spend one (and take a second on the retry).
                        Limiter.Release(strategy.TokenEstimate);
                        continue;
                    }
                }

                attempt++;
                Telemetry.Attempts.Add(1, _clientTag);

                (T? result, Exception? error, Classification outcome) =
                    await AttemptAsync(strategy, model, attempt == 1 ? firstAttempt : null, cancellationToken).ConfigureAwait(false);
                OutageChange gate = Limiter.Gate.Observe(sentEpoch, outcome, returned: error is null && outcome.Verdict == Verdict.Return, out TimeSpan hold);
                if (gate != OutageChange.None)
                {
                    OnOutageChange(gate, outcome.Status, hold);
                }

                if (outcome.Verdict != Verdict.Return && !described)
                {
                    // Something went wrong: now the model matters (fallbacks, messages, events).
                    await strategy.DescribeAsync(cancellationToken).ConfigureAwait(false);
                    (described, _, model, chain) = Described(strategy, activity);
                }

                switch (outcome.Verdict)
                {
                    case Verdict.Return:
                        return await ServeAsync(strategy, result, error, model, attempt, activity, cancellationToken).ConfigureAwait(false);

                    case Verdict.InsufficientCredits:
                        Discard(result);
                        RethrowIfKept(error);
                        throw new InsufficientCreditsException(
                            "The API answered 402 (insufficient credits): the account is out of balance. Retrying cannot help; " +
                            "top up the balance or check the plan." + Quote(outcome.Detail), error);

                    case Verdict.DailyCap:
                    {
                        Telemetry.RateLimited.Add(1, _clientTag, new("retryguard.kind", "daily_cap"));
                        DateTimeOffset now = Time.GetUtcNow();
                        DateTimeOffset resetsAt = outcome.ServerDelay is { } wait ? Clock.AddSaturating(now, wait) : Clock.NextMidnightUtc(now);
                        Caps.Remember(model, resetsAt);
                        Discard(result);
                        if (TryFallback(FallbackReason.DailyTokenCap))
                        {
                            continue;
                        }

                        RethrowIfKept(error);
                        throw DailyCapExceeded(model, resetsAt, outcome.Detail, error, sent: true);
                    }

                    case Verdict.RateLimited:
                    {
                        Telemetry.RateLimited.Add(1, _clientTag, new("retryguard.kind", "rate_limit"));
                        rateLimitsInARow++;
                        if (outcome.ServerDelay is { } wait && wait > Options.MaxRetryAfter)
                        {
                            if (TryFallback(FallbackReason.RetryAfterTooLong))
                            {
                                Discard(result);
                                continue;
                            }

                            Discard(result);
                            RethrowIfKept(error);
                            throw new RateLimitExceededException(
                                $"Rate limited{ModelText(model)}: the server asks to wait {wait}, longer than MaxRetryAfter ({Options.MaxRetryAfter}), " +
                                "so the request was not retried. Lower the request rate (RequestsPerMinute), configure a fallback model, " +
                                "or retry after the given time." + Quote(outcome.Detail),
                                wait, error);
                        }

                        if (rateLimitsInARow >= EscalateAfterRateLimits && !escalated)
                        {
                            escalated = true;
                            Escalate(rateLimitsInARow, model, activity);
                        }

                        if (retries >= Options.MaxRetries)
                        {
                            return GiveUp(result, error, attempt, "429");
                        }

                        TimeSpan delay = outcome.ServerDelay ?? Backoff.Exponential(retries, Options.BaseDelay, Options.MaxDelay, Options.Random);
                        if (outcome.ServerDelay is { } serverWait)
                        {
                            // The wait applies to the key, not just this request: hold every request of the client.
                            Limiter.Pause(serverWait);
                        }

                        await RetryAfterAsync(result, attempt, outcome, delay, model, activity, cancellationToken).ConfigureAwait(false);
                        retries++;
                        continue;
                    }

                    default:
                    {
                        rateLimitsInARow = 0;
                        if (retries >= Options.MaxRetries)
                        {
                            if (TryFallback(FallbackReason.RetriesExhausted))
                            {
                                Discard(result);
                                continue;
                            }

                            return GiveUp(result, error, attempt, Describe(outcome));
                        }

                        TimeSpan delay = Backoff.Exponential(retries, Options.BaseDelay, Options.MaxDelay, Options.Random);
                        if (outcome.ServerDelay is { } serverWait && serverWait <= Options.MaxRetryAfter && serverWait > delay)
                        {
                            delay = serverWait;
                        }

                        await RetryAfterAsync(result, attempt, outcome, delay, model, activity, cancellationToken).ConfigureAwait(false);
                        retries++;
                        continue;
                    }
                }
            }
        }
        catch (Exception ex) when (Failed(activity, ex, attempt))
        {
            // Never reached: the filter tags the trace and lets the exception go on without a catch and a rethrow.
            throw;
        }

        bool TryFallback(FallbackReason reason)
        {
            if (chain is null || nextFallback >= chain.Count)
            {
                return false;
            }

            string from = model!;
            model = chain[nextFallback++];
            retries = 0;
            rateLimitsInARow = 0;
            Telemetry.Fallbacks.Add(1, _clientTag, new("retryguard.reason", reason.ToString()));
            LogFallback(Logger, Options.Name, from, reason.ToString(), model, null);
            activity?.AddEvent(new ActivityEvent("retryguard.fallback", tags: new ActivityTagsCollection
            {
                ["retryguard.model.from"] = from,
                ["retryguard.model.to"] = model,
                ["retryguard.reason"] = reason.ToString(),
            }));
            Invoke(Options.OnFallback, new RetryGuardFallbackInfo(from, model, reason), nameof(RetryGuardOptions.OnFallback));
            return true;
        }
    }

    /// <summary>Tags a failed request's trace; false, so the exception filter that calls it never catches.</summary>
    private static bool Failed(Activity? activity, Exception exception, int attempts)
    {
        if (activity is not null)
        {
            activity.SetTag("retryguard.attempts", attempts);
            activity.SetTag("error.type", exception.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error);
        }

        return false;
    }

    private async ValueTask<(T? Result, Exception? Error, Classification Outcome)> AttemptAsync<T>(
        AttemptStrategy<T> strategy, string? model, Task<T>? sent, CancellationToken cancellationToken)
    {
        using CancellationTokenSource? timeout = Options.AttemptTimeout is { } limit ? Clock.CreateTimeout(Time, limit) : null;
        using CancellationTokenSource? linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        CancellationToken token = linked?.Token ?? cancellationToken;
        T? result = default;
        try
        {
            result = await (sent ?? strategy.SendAsync(model, token)).ConfigureAwait(false);
            Classification outcome = await strategy.ClassifyAsync(result, token).ConfigureAwait(false);
            return (result, null, outcome);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up: no retry, no further request.
            Discard(result);
            throw;
        }
        catch (OperationCanceledException ex) when (timeout?.IsCancellationRequested == true)
        {
            Discard(result);
            return (default, ex, Classification.Transient(null, RetryReason.AttemptTimeout));
        }
        catch (Exception ex) when (strategy.ClassifyException(ex) is { } outcome)
        {
            Discard(result);
            return (default, ex, outcome);
        }
    }

    private (bool Described, string? Requested, string? Model, IList<string>? Chain) Described<T>(AttemptStrategy<T> strategy, Activity? activity)
    {
        string? requested = strategy.RequestedModel;
        if (requested is not null)
        {
            activity?.SetTag("retryguard.model.requested", requested);
        }

        IList<string>? chain = requested is not null && Options.FallbackModels.TryGetValue(requested, out IList<string>? c) ? c : null;
        return (true, requested, requested, chain);
    }

    /// <summary>
    /// Waits for the limiter: the outage gate's epoch the request passed at, or not acquired when a daily cap was
    /// remembered meanwhile (the caller checks it, then waits again).
    /// </summary>
    private ValueTask<(bool Acquired, int Epoch)> WaitForLimiterAsync(int tokens, CancellationToken cancellationToken) =>
        // Woken without an exception when a cap is remembered: a hundred queued requests then fail at the cost of
        // their own DailyTokenCapExceededException only.
        Limiter.AcquireAsync(tokens, cancellationToken, Caps.Changed);

    private DailyTokenCapExceededException DailyCapExceeded(string? model, DateTimeOffset resetsAt, string? detail, Exception? error, bool sent)
    {
        DateTimeOffset now = Time.GetUtcNow();
        string how = sent
            ? "Not waiting for it"
            : "This request was not sent: an earlier response of this client said so";
        return new DailyTokenCapExceededException(
            $"The daily token cap{ModelText(model)} is used up; it resets at {resetsAt:u}. {how}: " +
            "reduce request volume, switch to a cheaper model (FallbackModels), or move to a higher plan." + Quote(detail),
            resetsAt, resetsAt - now, error);
    }

    private async ValueTask<T> ServeAsync<T>(AttemptStrategy<T> strategy, T? result, Exception? error, string? model, int attempt,
        Activity? activity, CancellationToken cancellationToken)
    {
        activity?.SetTag("retryguard.attempts", attempt);
        if (model is not null)
        {
            activity?.SetTag("retryguard.model.served", model);
        }

        if (error is not null)
        {
            ExceptionDispatchInfo.Capture(error).Throw();
        }

        await strategy.OnServedAsync(result!, model, cancellationToken).ConfigureAwait(false);
        return result!;
    }

    /// <summary>With <see cref="RetryGuardOptions.RethrowAttemptExceptions"/>, an attempt's own exception ends the request as it is.</summary>
    private void RethrowIfKept(Exception? error)
    {
        if (error is not null && Options.RethrowAttemptExceptions)
        {
            ExceptionDispatchInfo.Capture(error).Throw();
        }
    }

    /// <summary>A hold began or grew (a warning and <c>retryguard.outage_holds</c>), or ended (information).</summary>
    private void OnOutageChange(OutageChange change, int? status, TimeSpan hold)
    {
        if (change == OutageChange.Ended)
        {
            LogOutageOver(Logger, Options.Name, null);
            return;
        }

        Telemetry.OutageHolds.Add(1, _clientTag, new KeyValuePair<string, object?>("retryguard.kind", change == OutageChange.Began ? "began" : "extended"));
        LogOutageHold(Logger, Options.Name, status ?? 0, hold.TotalMilliseconds, null);
    }

    private T GiveUp<T>(T? result, Exception? error, int attempt, string outcome)
    {
        LogGaveUp(Logger, Options.Name, attempt, outcome, null);
        if (error is not null)
        {
            ExceptionDispatchInfo.Capture(error).Throw();
        }

        return result!;
    }

    private async Task RetryAfterAsync<T>(T? result, int attempt, Classification outcome, TimeSpan delay, string? model,
        Activity? activity, CancellationToken cancellationToken)
    {
        Discard(result);
        string reason = outcome.Reason.ToString();
        Telemetry.Retries.Add(1, _clientTag, new("retryguard.reason", reason));
        if (Logger.IsEnabled(LogLevel.Information))
        {
            LogRetry(Logger, Options.Name, attempt, Describe(outcome), delay.TotalMilliseconds, model ?? "-", null);
        }

        activity?.AddEvent(new ActivityEvent("retryguard.retry", tags: new ActivityTagsCollection
        {
            ["retryguard.attempt"] = attempt,
            ["retryguard.reason"] = reason,
            ["retryguard.delay_ms"] = delay.TotalMilliseconds,
        }));
        Invoke(Options.OnRetry,
            new RetryGuardRetryInfo(attempt, outcome.Reason, outcome.Status is { } s ? (HttpStatusCode)s : null, delay, model),
            nameof(RetryGuardOptions.OnRetry));
        Interlocked.Increment(ref _retryWaits);
        try
        {
            await Clock.Delay(Time, delay, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _retryWaits);
        }
    }

    private void Escalate(int count, string? model, Activity? activity)
    {
        Telemetry.Escalations.Add(1, _clientTag);
        LogEscalation(Logger, Options.Name, count, model ?? "-", RetryGuardEscalationInfo.Advice, null);
        activity?.AddEvent(new ActivityEvent("retryguard.escalation"));
        Invoke(Options.OnEscalation, new RetryGuardEscalationInfo(count, model), nameof(RetryGuardOptions.OnEscalation));
    }

    private void Invoke<TInfo>(Action<TInfo>? callback, TInfo info, string name)
    {
        if (callback is null)
        {
            return;
        }

        try
        {
            callback(info);
        }
        catch (Exception ex)
        {
            LogCallbackFailed(Logger, Options.Name, name, ex);
        }
    }

    private static void Discard<T>(T? result)
    {
        if (result is HttpResponseMessage response)
        {
            response.Dispose();
        }
    }

    private static string Describe(Classification outcome) => outcome.Status is { } status
        ? status.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : outcome.Reason.ToString();

    private static string ModelText(string? model) => model is null ? string.Empty : $" for model '{model}'";

    private static string Quote(string? detail) => string.IsNullOrWhiteSpace(detail) ? string.Empty : $" Server said: \"{detail}\"";
}
