using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
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
    private int _atGate;

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
            int burst = Math.Min(Spare(rpm, sustained), Math.Max(1, (sustained + 9) / 10));
            _requests = new Bucket(_time, Within(rpm, sustained, burst), burst);
        }

        if (options.TokensPerMinute is { } tpm)
        {
            // Tokens: the whole spare share as burst, since one request can carry thousands of them.
            int sustained = Sustained(tpm, options.Headroom);
            int burst = Spare(tpm, sustained);
            _tokens = new Bucket(_time, Within(tpm, sustained, burst), burst);
            TokenLimit = _tokens.Capacity;
        }

        Gate = new OutageGate(options);
    }

    /// <summary>The client-wide hold after 502/503 answers (see <see cref="OutageGate"/>).</summary>
    public OutageGate Gate { get; }

    /// <summary>Largest charge the token bucket can take at once (its burst); bigger requests are charged this.</summary>
    public int TokenLimit { get; }

    public bool LimitsTokens => _tokens is not null;

    /// <summary>Requests currently waiting (for tests and diagnostics).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// Requests queued in the request bucket itself (not yet granted a permit). Unlike <see cref="Waiting"/>, which
    /// drops only once the granted caller's continuation has run, this drops the moment the bucket grants: tests on a
    /// fake clock read it to stop the clock exactly at the grant.
    /// </summary>
    internal int QueuedForRequestPermits => _requests?.Queued ?? 0;

    /// <summary>UTC ticks when the pause in force ends; 0 when none was set since the last one ended (for tests).</summary>
    internal long PausedUntilTicks => Volatile.Read(ref _pausedUntilTicks);

    /// <summary>Requests waiting at the outage gate, holding no permits (for tests).</summary>
    internal int WaitingAtGate => Volatile.Read(ref _atGate);

    /// <summary>
    /// Takes one request permit and <paramref name="tokens"/> token permits if they are there now, nobody queues
    /// ahead, no pause is in force and the outage gate is open; false otherwise (then
    /// <see cref="AcquireAsync(int, CancellationToken)"/> waits for them). <paramref name="epoch"/>: the outage gate's
    /// epoch the request passed at, which its answer is judged by (see <see cref="OutageGate.Observe"/>).
    /// </summary>
    public bool TryAcquire(int tokens, out int epoch)
    {
        if (!Gate.IsOpenAt(out epoch) || IsPaused() || Volatile.Read(ref _waiting) > 0)
        {
            return false;
        }

        if (_requests is not null && !_requests.TryAcquire(1))
        {
            return false;
        }

        if (_tokens is not null && !_tokens.TryAcquire(Charge(tokens)))
        {
            // All or nothing: the request permit goes back.
            _requests?.Refund(1);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Gives back what <see cref="TryAcquire"/> or <see cref="AcquireAsync(int, CancellationToken)"/> took for a request that is not sent
    /// after all (a daily cap was remembered meanwhile): the permits go to the next request instead of being lost.
    /// </summary>
    public void Release(int tokens)
    {
        _requests?.Refund(1);
        _tokens?.Refund(Charge(tokens));
    }

    /// <summary>
    /// Waits until a request may be sent: past any pause, then one request permit and <paramref name="tokens"/>
    /// token permits, oldest waiter first. Fails at once with <see cref="RateLimiterQueueFullException"/> when the
    /// queue is full.
    /// </summary>
    public ValueTask AcquireAsync(int tokens, CancellationToken cancellationToken)
    {
        ValueTask<(bool, int)> acquired = AcquireAsync(tokens, cancellationToken, CancellationToken.None);
        return acquired.IsCompletedSuccessfully ? default : new ValueTask(acquired.AsTask());
    }

    /// <summary>
    /// As <see cref="AcquireAsync(int, CancellationToken)"/>, but a signal on <paramref name="wake"/> ends the wait early
    /// without permits and without an exception: not acquired (the caller re-checks why, then waits again). Once the
    /// permits are taken: acquired, with the outage gate's epoch the request passed at (as <see cref="TryAcquire"/>).
    /// </summary>
    public ValueTask<(bool Acquired, int Epoch)> AcquireAsync(int tokens, CancellationToken cancellationToken, CancellationToken wake)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return TryAcquire(tokens, out int epoch)
            ? new ValueTask<(bool, int)>((true, epoch))
            : WaitAsync(Charge(tokens), cancellationToken, wake);
    }

    private async ValueTask<(bool Acquired, int Epoch)> WaitAsync(int charge, CancellationToken cancellationToken, CancellationToken wake)
    {
        if (Interlocked.Increment(ref _waiting) > _queueLimit)
        {
            Interlocked.Decrement(ref _waiting);
            Telemetry.Rejected.Add(1, Telemetry.Client(_name));
            throw new RateLimiterQueueFullException(Gate.IsOpen
                ? $"RetryGuard '{_name}': {_queueLimit} requests are already waiting for the rate limiter, so this one was not sent. " +
                  "Raise QueueLimit, send fewer requests at once, or raise the key's limit (RequestsPerMinute/TokensPerMinute)."
                : $"RetryGuard '{_name}': {_queueLimit} requests are already waiting while the client holds back after the service " +
                  "answered 502/503 (OutageHold), so this one was not sent. Raise QueueLimit, or send fewer requests at once while the service is down.");
        }

        long started = _time.GetTimestamp();
        bool request = false;
        bool tokens = false;
        bool sent = false;
        try
        {
            while (true)
            {
                // Permits are not taken during a pause or an outage hold: the buckets fill up meanwhile (at most to
                // their small burst), and what is sent after it is that burst, not everything that queued behind it.
                if (!await WaitWhilePausedAsync(cancellationToken, wake).ConfigureAwait(false))
                {
                    return (false, 0);
                }

                int passed;
                while (true)
                {
                    if (Gate.TryPass(out TimeSpan hold, out CancellationToken opened, out passed))
                    {
                        break;
                    }

                    Interlocked.Increment(ref _atGate);
                    bool elapsed;
                    try
                    {
                        elapsed = await Clock.WaitAsync(_time, hold, cancellationToken, wake, opened).ConfigureAwait(false);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _atGate);
                    }

                    if (!elapsed && wake.IsCancellationRequested)
                    {
                        return (false, 0);
                    }
                }

                if (_requests is not null)
                {
                    if (!await _requests.AcquireAsync(1, cancellationToken, wake).ConfigureAwait(false))
                    {
                        return (false, 0);
                    }

                    request = true;
                }

                if (_tokens is not null)
                {
                    if (!await _tokens.AcquireAsync(charge, cancellationToken, wake).ConfigureAwait(false))
                    {
                        return (false, 0);
                    }

                    tokens = true;
                }

                // A 429 elsewhere may have paused the client while this request queued for its permits: sending into
                // the pause would only earn another 429, so it keeps its permits and waits the pause out.
                if (!await WaitWhilePausedAsync(cancellationToken, wake).ConfigureAwait(false))
                {
                    return (false, 0);
                }

                if (Gate.StillPasses(ref passed))
                {
                    sent = true;
                    return (true, passed);
                }

                // The service went down while this request queued for its permits: it gives them back (to the
                // bucket, for whoever goes first once the hold ends) and waits at the gate.
                GiveBack(ref request, ref tokens, charge);
            }
        }
        finally
        {
            if (!sent)
            {
                // Cancelled, woken or disposed before sending: the permits taken were not used, so they go straight back.
                GiveBack(ref request, ref tokens, charge);
            }

            Interlocked.Decrement(ref _waiting);
            Telemetry.LimiterWait.Record(_time.GetElapsedTime(started).TotalSeconds, Telemetry.Client(_name));
        }
    }

    private void GiveBack(ref bool request, ref bool tokens, int charge)
    {
        if (request)
        {
            _requests!.Refund(1);
            request = false;
        }

        if (tokens)
        {
            _tokens!.Refund(charge);
            tokens = false;
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
        RateLimitHeaders headers = RateLimitHeaders.Read(response);
        if (!headers.Any)
        {
            return;
        }

        Adapt(headers.RemainingRequests, headers.LimitRequests, headers.ResetRequests);
        Adapt(headers.RemainingTokens, headers.LimitTokens, headers.ResetTokens);
    }

    /// <summary>Charges tokens a response reported beyond the estimate (as far as the bucket has them).</summary>
    public void ChargeExtraTokens(long extra)
    {
        if (_tokens is null || extra <= 0)
        {
            return;
        }

        _tokens.ChargeAvailable((int)Math.Min(extra, TokenLimit));
    }

    public void Dispose()
    {
        _requests?.Dispose();
        _tokens?.Dispose();
    }

    /// <summary>
    /// One budget's headers. The reset is parsed only when the budget calls for a pause: without a valid reset there is
    /// none, and with plenty left nothing needs it.
    /// </summary>
    private void Adapt(string? remainingText, string? limitText, string? resetText)
    {
        if (RetryAfter.ParseLong(remainingText) is not { } remaining)
        {
            return;
        }

        if (remaining <= 0)
        {
            if (RetryAfter.TryParseGoDuration(resetText, out TimeSpan reset))
            {
                Pause(reset);
            }

            return;
        }

        if (RetryAfter.ParseLong(limitText) is > 0 and { } limit && remaining < limit * (1 - _headroom) &&
            RetryAfter.TryParseGoDuration(resetText, out TimeSpan window))
        {
            Pause(TimeSpan.FromTicks(window.Ticks / (remaining + 1)));
        }
    }

    private bool IsPaused()
    {
        long until = Volatile.Read(ref _pausedUntilTicks);
        if (until == 0)
        {
            // Never paused, or the last pause is over: no need to read the clock.
            return false;
        }

        if (until > _time.GetUtcNow().UtcTicks)
        {
            return true;
        }

        // Over: forget it, unless a new pause arrived meanwhile.
        Interlocked.CompareExchange(ref _pausedUntilTicks, 0, until);
        return false;
    }

    /// <summary>Waits out a pause; false when <paramref name="wake"/> is signalled first.</summary>
    private async ValueTask<bool> WaitWhilePausedAsync(CancellationToken cancellationToken, CancellationToken wake)
    {
        while (true)
        {
            if (Volatile.Read(ref _pausedUntilTicks) == 0)
            {
                return true;
            }

            long now = _time.GetUtcNow().UtcTicks;
            long until = Volatile.Read(ref _pausedUntilTicks);
            if (until <= now)
            {
                return true;
            }

            if (!await Clock.WaitAsync(_time, TimeSpan.FromTicks(until - now), cancellationToken, wake).ConfigureAwait(false))
            {
                return false;
            }
        }
    }

    private int Charge(int tokens) => Math.Max(1, Math.Min(tokens, TokenLimit));

    private static int Sustained(int limit, double headroom) => Math.Max(1, (int)Math.Floor(limit * headroom));

    private static int Spare(int limit, int sustained) => Math.Max(1, limit - sustained);

    /// <summary>
    /// The sustained rate, lowered when the burst would not fit under the limit beside it (a headroom of 1): a full
    /// bucket plus a minute of refill must stay within the published limit.
    /// </summary>
    private static int Within(int limit, int sustained, int burst) => Math.Max(1, Math.Min(sustained, limit - burst));

    /// <summary>
    /// A token bucket: <see cref="Capacity"/> permits at most, refilled continuously at <c>sustained</c> permits a
    /// minute. Any 60-second window sees at most sustained + capacity ≤ the published limit. The refill is computed
    /// from <see cref="TimeProvider"/> timestamps when someone asks; waiters queue oldest first, and one timer (created
    /// on the first wait, re-armed for the oldest waiter) wakes them: nothing runs per permit.
    /// </summary>
    private sealed class Bucket : IDisposable
    {
        /// <summary>Rounding slack of the refill arithmetic: a permit due at an instant is there at that instant.</summary>
        private const double Slack = 1e-9;

        private readonly object _gate = new();
        private readonly TimeProvider _time;
        private readonly double _permitsPerTick;
        private readonly LinkedList<Waiter> _queue = new();
        private double _available;
        private long _refilledAt;
        private ITimer? _timer;
        private bool _disposed;

        public Bucket(TimeProvider time, int sustained, int capacity)
        {
            _time = time;
            Capacity = capacity;
            _permitsPerTick = sustained / (Minute.TotalSeconds * time.TimestampFrequency);
            _available = capacity;
            _refilledAt = time.GetTimestamp();
        }

        public int Capacity { get; }

        /// <summary>Takes the permits if they are there and nobody waits for them already.</summary>
        public bool TryAcquire(int permits)
        {
            lock (_gate)
            {
                if (_disposed || _queue.Count > 0)
                {
                    return false;
                }

                Refill();
                if (_available + Slack < permits)
                {
                    return false;
                }

                _available -= permits;
                return true;
            }
        }

        /// <summary>Gives back permits that were taken but not used.</summary>
        public void Refund(int permits)
        {
            lock (_gate)
            {
                Refill();
                _available = Math.Min(Capacity, _available + permits);
                GrantLocked();
            }
        }

        public int Queued
        {
            get
            {
                lock (_gate)
                {
                    return _queue.Count;
                }
            }
        }

        /// <summary>
        /// Waits for the permits, behind everyone who waits already: true once they are taken, false when
        /// <paramref name="wake"/> is signalled first (the waiter leaves the queue without permits, and nothing throws).
        /// </summary>
        public async ValueTask<bool> AcquireAsync(int permits, CancellationToken cancellationToken, CancellationToken wake)
        {
            Waiter waiter;
            lock (_gate)
            {
                if (_disposed)
                {
                    throw Disposed();
                }

                if (_queue.Count == 0)
                {
                    Refill();
                    if (_available + Slack >= permits)
                    {
                        _available -= permits;
                        return true;
                    }
                }

                waiter = new Waiter(this, permits);
                waiter.Node = _queue.AddLast(waiter);
                ArmLocked();
            }

            using CancellationTokenRegistration registration = cancellationToken.Register(
                static state => ((Waiter)state!).Bucket.Cancel((Waiter)state!, woken: false), waiter);
            using CancellationTokenRegistration woken = wake.Register(
                static state => ((Waiter)state!).Bucket.Cancel((Waiter)state!, woken: true), waiter);
            return await waiter.Granted.Task.ConfigureAwait(false);
        }

        /// <summary>Spends up to <paramref name="permits"/> more, as far as the bucket has them, without waiting.</summary>
        public void ChargeAvailable(int permits)
        {
            lock (_gate)
            {
                Refill();
                _available -= Math.Max(0, Math.Min(permits, Math.Floor(_available)));
            }
        }

        public void Dispose()
        {
            Waiter[] waiters;
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                _timer?.Dispose();
                waiters = new Waiter[_queue.Count];
                _queue.CopyTo(waiters, 0);
                _queue.Clear();
            }

            foreach (Waiter waiter in waiters)
            {
                waiter.Granted.TrySetException(Disposed());
            }
        }

        private static ObjectDisposedException Disposed() =>
            new(nameof(RetryGuardHandler), "The RetryGuard limiter was disposed while the request waited.");

        /// <summary>
        /// Takes a waiter out of the queue: cancelled (its wait throws) or woken (its wait returns false: a daily cap
        /// was remembered, and waking a hundred queued requests then costs no exceptions of the limiter's own).
        /// </summary>
        private void Cancel(Waiter waiter, bool woken)
        {
            lock (_gate)
            {
                if (waiter.Node?.List is null)
                {
                    // Granted already: the limiter gives the permits back if the request is not sent.
                    return;
                }

                _queue.Remove(waiter.Node);

                // The oldest waiter may have changed: someone behind it may be served now.
                GrantLocked();
            }

            if (woken)
            {
                waiter.Granted.TrySetResult(false);
            }
            else
            {
                waiter.Granted.TrySetCanceled();
            }
        }

        private void Refill()
        {
            long now = _time.GetTimestamp();
            if (now > _refilledAt)
            {
                _available = Math.Min(Capacity, _available + (now - _refilledAt) * _permitsPerTick);
                _refilledAt = now;
            }
        }

        private void OnTimer()
        {
            lock (_gate)
            {
                if (!_disposed)
                {
                    Refill();
                    GrantLocked();
                }
            }
        }

        /// <summary>Serves waiters oldest first while permits last, then arms the timer for the next one.</summary>
        private void GrantLocked()
        {
            while (_queue.First is { } first && _available + Slack >= first.Value.Permits)
            {
                _available -= first.Value.Permits;
                _queue.RemoveFirst();
                first.Value.Granted.TrySetResult(true);
            }

            ArmLocked();
        }

        private void ArmLocked()
        {
            if (_queue.First is not { } first)
            {
                _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                return;
            }

            double missing = Math.Max(0, first.Value.Permits - _available);
            long ticks = (long)Math.Ceiling(missing / _permitsPerTick * TimeSpan.TicksPerSecond / _time.TimestampFrequency);
            TimeSpan due = Clock.CeilingToMilliseconds(TimeSpan.FromTicks(Math.Max(ticks, 1)));
            _timer ??= _time.CreateTimer(static state => ((Bucket)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }

        private sealed class Waiter
        {
            public Waiter(Bucket bucket, int permits)
            {
                Bucket = bucket;
                Permits = permits;
            }

            public Bucket Bucket { get; }

            public int Permits { get; }

            public LinkedListNode<Waiter>? Node { get; set; }

            /// <summary>The waiter goes on on the thread pool, never under the bucket's lock or on the thread that freed permits.</summary>
            public TaskCompletionSource<bool> Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
