using System;
using System.Diagnostics;
using System.Net.Http;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;

namespace RetryGuard;

/// <summary>
/// Keeps a client under its key's limits before the server has to say 429: a request bucket and a token bucket
/// (see <see cref="Bucket"/>), a pause that every request honours (set by a 429's Retry-After or by
/// <c>x-ratelimit-*</c> headers saying the budget is nearly gone), and a bounded count of waiting requests.
/// </summary>
internal sealed class ProactiveLimiter : IDisposable
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private readonly int _queueLimit;
    private readonly double _headroom;
    private readonly string _name;
    private readonly Bucket? _requests;
    private readonly Bucket? _tokens;
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
            // Requests: a small burst (a tenth of the sustained rate, within the spare share) keeps them smooth,
            // as gateways often enforce RPM over shorter intervals.
            int sustained = Sustained(rpm, options.Headroom);
            _requests = new Bucket(_time, sustained, Math.Min(Spare(rpm, sustained), Math.Max(1, (sustained + 9) / 10)));
        }

        if (options.TokensPerMinute is { } tpm)
        {
            // Tokens: the whole spare share as burst, since one request can carry thousands of them.
            int sustained = Sustained(tpm, options.Headroom);
            _tokens = new Bucket(_time, sustained, Spare(tpm, sustained));
            TokenLimit = _tokens.Capacity;
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
        // Permits are held from acquisition, but their return is timed from the moment the request is let go: a
        // request that then waits out a pause keeps its permits, so no burst builds up behind the pause.
        RateLimitLease? request = null;
        RateLimitLease? tokenLease = null;
        if (!IsPaused())
        {
            request = _requests?.TryAcquire(1);
            tokenLease = (_requests is null || request is not null) ? _tokens?.TryAcquire(charge) : null;
            if ((_requests is null || request is not null) && (_tokens is null || tokenLease is not null))
            {
                Release(request, tokenLease);
                return;
            }
        }

        if (Interlocked.Increment(ref _waiting) > _queueLimit)
        {
            Interlocked.Decrement(ref _waiting);
            Release(request, null);
            Telemetry.Rejected.Add(1, Telemetry.Client(_name));
            throw new RateLimiterQueueFullException(
                $"RetryGuard '{_name}': {_queueLimit} requests are already waiting for the rate limiter, so this one was not sent. " +
                "Raise QueueLimit, send fewer requests at once, or raise the key's limit (RequestsPerMinute/TokensPerMinute).");
        }

        long started = _time.GetTimestamp();
        bool sent = false;
        try
        {
            await WaitWhilePausedAsync(cancellationToken).ConfigureAwait(false);
            if (_requests is not null && request is null)
            {
                request = await _requests.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
            }

            if (_tokens is not null)
            {
                tokenLease = await _tokens.AcquireAsync(charge, cancellationToken).ConfigureAwait(false);
            }

            // A 429 elsewhere may have paused the client while this request queued for its permits: sending into
            // the pause would only earn another 429, so it keeps its permits and waits the pause out.
            await WaitWhilePausedAsync(cancellationToken).ConfigureAwait(false);
            Release(request, tokenLease);
            sent = true;
        }
        finally
        {
            if (!sent)
            {
                // Cancelled or disposed before sending: the permits were not used, so they go straight back.
                request?.Dispose();
                tokenLease?.Dispose();
            }

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

        _tokens.Charge((int)Math.Min(extra, TokenLimit));
    }

    public void Dispose()
    {
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

    /// <summary>Starts the return timers of the permits of a request that is being sent now.</summary>
    private void Release(RateLimitLease? request, RateLimitLease? tokens)
    {
        if (request is not null)
        {
            _requests!.ReturnLater(request);
        }

        if (tokens is not null)
        {
            _tokens!.ReturnLater(tokens);
        }
    }

    private static int Sustained(int limit, double headroom) => Math.Max(1, (int)Math.Floor(limit * headroom));

    private static int Spare(int limit, int sustained) => Math.Max(1, limit - sustained);

    /// <summary>
    /// A token bucket of <see cref="Capacity"/> permits in which every spent permit comes back exactly
    /// 60 s × capacity / sustained later: it sustains <c>sustained</c> permits a minute, bursts at most
    /// <see cref="Capacity"/>, and lets any 60-second window see fewer than sustained + capacity ≤ the published limit.
    /// </summary>
    /// <remarks>
    /// The queue, its fairness (oldest first) and cancellation are System.Threading.RateLimiting's
    /// <see cref="ConcurrencyLimiter"/>; the returns are timers on the policy's <see cref="TimeProvider"/>. The
    /// library's replenishing limiters are not used because their manual replenishment measures real elapsed time in
    /// newer versions (the ones ASP.NET Core apps load), which would break fake clocks and differ between versions.
    /// </remarks>
    private sealed class Bucket : IDisposable
    {
        private readonly TimeProvider _time;
        private readonly ConcurrencyLimiter _permits;
        private readonly TimeSpan _hold;
        private readonly CancellationTokenSource _disposed = new();

        public Bucket(TimeProvider time, int sustained, int capacity)
        {
            _time = time;
            Capacity = capacity;
            _hold = TimeSpan.FromTicks((long)Math.Ceiling((double)Minute.Ticks * capacity / sustained));
            _permits = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = capacity,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }

        public int Capacity { get; }

        /// <summary>The permits, or null when the bucket does not have them now. Hand them to <see cref="ReturnLater"/>.</summary>
        public RateLimitLease? TryAcquire(int permits)
        {
            RateLimitLease lease = _permits.AttemptAcquire(permits);
            if (!lease.IsAcquired)
            {
                lease.Dispose();
                return null;
            }

            return lease;
        }

        /// <summary>Waits for the permits. Hand them to <see cref="ReturnLater"/> when they are used.</summary>
        public async ValueTask<RateLimitLease> AcquireAsync(int permits, CancellationToken cancellationToken)
        {
            RateLimitLease lease = await _permits.AcquireAsync(permits, cancellationToken).ConfigureAwait(false);
            if (!lease.IsAcquired)
            {
                lease.Dispose();

                // The queue is unbounded (the waiting count is the bound), so a refusal means disposal.
                throw new ObjectDisposedException(nameof(RetryGuardHandler), "The RetryGuard limiter was disposed while the request waited.");
            }

            return lease;
        }

        /// <summary>Spends up to <paramref name="permits"/> more, as far as the bucket has them, without waiting.</summary>
        public void Charge(int permits)
        {
            int available = (int)Math.Min(permits, _permits.GetStatistics()?.CurrentAvailablePermits ?? 0);
            if (available > 0 && TryAcquire(available) is { } lease)
            {
                ReturnLater(lease);
            }
        }

        public void Dispose()
        {
            _disposed.Cancel();
            _permits.Dispose();
        }

        /// <summary>Returns the permits one hold time from now.</summary>
        public void ReturnLater(RateLimitLease lease) => _ = ReturnAsync(lease);

        private async Task ReturnAsync(RateLimitLease lease)
        {
            try
            {
                await Clock.Delay(_time, _hold, _disposed.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Disposed: nobody waits for the permit any more.
            }
            finally
            {
                lease.Dispose();
            }
        }
    }
}
