using System;
using System.Diagnostics;
using System.Net.Http;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;

namespace RetryGuard;

/// <summary>
/// Keeps a client under its key's limits before the server has to say 429: a request bucket and a token bucket
/// (System.Threading.RateLimiting, replenished on the options' <see cref="TimeProvider"/> so fake clocks drive them),
/// a pause that every request honours (set by a 429's Retry-After or by <c>x-ratelimit-*</c> headers saying the
/// budget is nearly gone), and a bounded count of waiting requests.
/// </summary>
internal sealed class ProactiveLimiter : IDisposable
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private readonly int _queueLimit;
    private readonly double _headroom;
    private readonly string _name;
    private readonly TokenBucketRateLimiter? _requests;
    private readonly TokenBucketRateLimiter? _tokens;
    private readonly ITimer? _requestTimer;
    private readonly ITimer? _tokenTimer;
    private long _pausedUntilTicks;
    private int _waiting;

    public ProactiveLimiter(RetryGuardOptions options)
    {
        _time = options.TimeProvider;
        _queueLimit = options.QueueLimit;
        _headroom = options.Headroom;
        _name = options.Name;
        if (options.RequestsPerMinute is { } rpm)
        {
            (_requests, _requestTimer) = CreateBucket(rpm, options.Headroom);
        }

        if (options.TokensPerMinute is { } tpm)
        {
            (_tokens, _tokenTimer) = CreateBucket(tpm, options.Headroom);
            TokenLimit = tpm - (int)Math.Floor(tpm * options.Headroom) is var spare and > 0 ? spare : 1;
        }
    }

    /// <summary>Largest charge the token bucket can take at once (its burst); bigger requests are charged this.</summary>
    public int TokenLimit { get; }

    public bool LimitsTokens => _tokens is not null;

    /// <summary>Requests currently waiting (for tests and diagnostics).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// Waits until a request may be sent: past any pause, then one request permit and <paramref name="tokens"/>
    /// token permits. Fails at once with <see cref="RateLimiterQueueFullException"/> when the queue is full.
    /// </summary>
    public async ValueTask AcquireAsync(int tokens, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int charge = Math.Max(1, Math.Min(tokens, TokenLimit));
        bool haveRequest = _requests is null;
        if (!IsPaused())
        {
            haveRequest = haveRequest || TryAcquire(_requests!, 1);
            if (haveRequest && (_tokens is null || TryAcquire(_tokens, charge)))
            {
                return;
            }
        }

        if (Interlocked.Increment(ref _waiting) > _queueLimit)
        {
            Interlocked.Decrement(ref _waiting);
            Telemetry.Rejected.Add(1, Telemetry.Client(_name));
            throw new RateLimiterQueueFullException(
                $"RetryGuard '{_name}': {_queueLimit} requests are already waiting for the rate limiter, so this one was not sent. " +
                "Raise QueueLimit, send fewer requests at once, or raise the key's limit (RequestsPerMinute/TokensPerMinute).");
        }

        long started = _time.GetTimestamp();
        try
        {
            await WaitWhilePausedAsync(cancellationToken).ConfigureAwait(false);
            if (!haveRequest)
            {
                using RateLimitLease lease = await _requests!.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
                EnsureAcquired(lease);
            }

            if (_tokens is not null)
            {
                using RateLimitLease lease = await _tokens.AcquireAsync(charge, cancellationToken).ConfigureAwait(false);
                EnsureAcquired(lease);
            }

            // A 429 elsewhere may have paused the client while this request queued for its permits: sending into
            // the pause would only earn another 429, so it keeps its permits and waits the pause out.
            await WaitWhilePausedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
            Telemetry.LimiterWait.Record(_time.GetElapsedTime(started).TotalSeconds, Telemetry.Client(_name));
        }
    }

    /// <summary>No request of this client starts before now + <paramref name="delay"/>.</summary>
    public void Pause(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        long until = Clock.AddSaturating(_time.GetUtcNow(), delay).UtcTicks;
        long current = Volatile.Read(ref _pausedUntilTicks);
        while (until > current)
        {
            long seen = Interlocked.CompareExchange(ref _pausedUntilTicks, until, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>
    /// Reads <c>x-ratelimit-remaining-*</c> / <c>-reset-*</c> / <c>-limit-*</c>. A used-up budget pauses the client until
    /// its reset; a budget below the spare share (1 − Headroom of the limit) spreads what is left over the reset window.
    /// </summary>
    public void Observe(HttpResponseMessage response)
    {
        Adapt(response, RetryAfter.RemainingRequestsHeader, RetryAfter.LimitRequestsHeader, RetryAfter.ResetRequestsHeader);
        Adapt(response, RetryAfter.RemainingTokensHeader, RetryAfter.LimitTokensHeader, RetryAfter.ResetTokensHeader);
    }

    /// <summary>Charges tokens a response reported beyond the estimate (as far as the bucket has them).</summary>
    public void ChargeExtraTokens(long extra)
    {
        if (_tokens is null || extra <= 0)
        {
            return;
        }

        long available = _tokens.GetStatistics()?.CurrentAvailablePermits ?? 0;
        int charge = (int)Math.Min(Math.Min(extra, available), TokenLimit);
        if (charge > 0)
        {
            _tokens.AttemptAcquire(charge).Dispose();
        }
    }

    public void Dispose()
    {
        _requestTimer?.Dispose();
        _tokenTimer?.Dispose();
        _requests?.Dispose();
        _tokens?.Dispose();
    }

    private void Adapt(HttpResponseMessage response, string remainingHeader, string limitHeader, string resetHeader)
    {
        long? remaining = RetryAfter.TryGetLong(response, remainingHeader);
        if (remaining is null ||
            !RetryAfter.TryGetHeader(response, resetHeader, out string? resetText) ||
            !RetryAfter.TryParseGoDuration(resetText, out TimeSpan reset))
        {
            return;
        }

        if (remaining <= 0)
        {
            Pause(reset);
            return;
        }

        long? limit = RetryAfter.TryGetLong(response, limitHeader);
        if (limit is > 0 && remaining < limit * (1 - _headroom))
        {
            Pause(TimeSpan.FromTicks(reset.Ticks / (remaining.Value + 1)));
        }
    }

    private bool IsPaused() => Volatile.Read(ref _pausedUntilTicks) > _time.GetUtcNow().UtcTicks;

    private static bool TryAcquire(TokenBucketRateLimiter bucket, int permits)
    {
        using RateLimitLease lease = bucket.AttemptAcquire(permits);
        return lease.IsAcquired;
    }

    private async Task WaitWhilePausedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            long now = _time.GetUtcNow().UtcTicks;
            long until = Volatile.Read(ref _pausedUntilTicks);
            if (until <= now)
            {
                return;
            }

            await Clock.Delay(_time, TimeSpan.FromTicks(until - now), cancellationToken).ConfigureAwait(false);
        }
    }

    private static void EnsureAcquired(RateLimitLease lease)
    {
        if (!lease.IsAcquired)
        {
            // The inner queues are unbounded (the waiting count above is the bound), so this means disposal.
            throw new ObjectDisposedException(nameof(RetryGuardHandler), "The RetryGuard limiter was disposed while the request waited.");
        }
    }

    /// <summary>
    /// A bucket that sustains ⌊limit × headroom⌋ permits a minute and bursts the spare (limit − sustained, at least 1),
    /// so any 60-second window sees at most the published limit. Replenished by a timer on the clock.
    /// </summary>
    private (TokenBucketRateLimiter Bucket, ITimer Timer) CreateBucket(int limit, double headroom)
    {
        int sustained = Math.Max(1, (int)Math.Floor(limit * headroom));
        int burst = Math.Max(1, limit - sustained);
        int perPeriod = Math.Max(1, sustained / 600);
        TimeSpan period = TimeSpan.FromTicks((long)Math.Ceiling((double)Minute.Ticks * perPeriod / sustained));
        TokenBucketRateLimiter bucket = new(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = period,
            AutoReplenishment = false,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        ITimer timer = _time.CreateTimer(static state => ((TokenBucketRateLimiter)state!).TryReplenish(), bucket, period, period);
        return (bucket, timer);
    }
}
