using System;
using System.Threading;

namespace RetryGuard;

/// <summary>
/// The client-wide hold after the service says it is down (502, 503). One such answer closes the gate for
/// <see cref="RetryGuardOptions.OutageHold"/> (or the server's Retry-After, if longer and within
/// <see cref="RetryGuardOptions.MaxRetryAfter"/>); while it is closed, one request of the client goes through per
/// hold interval, and the others wait (none is dropped or failed). Each further 502/503 of a request sent after the
/// hold began doubles the interval (up to <see cref="RetryGuardOptions.MaxDelay"/>); each answer that is not one halves
/// it and lets the next request go at once; once the interval is below a sixteenth of the hold the gate opens.
/// Answers of requests that passed the gate before the latest hold began (in flight, or on their way, when it began)
/// change nothing: they say nothing about the service since.
/// </summary>
internal sealed class OutageGate
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly long _holdTicks;
    private readonly long _maxTicks;
    private readonly long _maxServerTicks;

    /// <summary>UTC ticks when the next request may pass; 0 while the gate is open. Written under the lock, read without it.</summary>
    private long _nextPassTicks;

    private long _notBeforeTicks;
    private long _intervalTicks;
    private int _epoch;
    private CancellationTokenSource _changed = new();

    public OutageGate(RetryGuardOptions options)
    {
        _time = options.TimeProvider;
        _holdTicks = options.OutageHold.Ticks;
        _maxTicks = Math.Max(options.MaxDelay.Ticks, _holdTicks);
        _maxServerTicks = options.MaxRetryAfter.Ticks;
    }

    /// <summary>True while no hold is in force (the usual case): every request may go.</summary>
    public bool IsOpen => Volatile.Read(ref _nextPassTicks) == 0;

    /// <summary>
    /// Changes whenever a hold begins or is extended. A request is judged by the epoch in force when it passed the gate
    /// (see <see cref="IsOpenAt"/>, <see cref="TryPass"/>, <see cref="StillPasses"/>), never by one read later.
    /// </summary>
    public int Epoch => Volatile.Read(ref _epoch);

    /// <summary>
    /// <see cref="IsOpen"/>, with the epoch a request that passes now is judged by. The epoch is read first: a hold is
    /// published by writing its pass time before its epoch, so a request that sees the gate open either sees the epoch
    /// from before a hold that began after its check (its answer then says nothing of that hold), or one whose hold has
    /// already ended. Reading the epoch after the check instead could hand a request that passed the open gate the
    /// epoch of a hold begun just after, and make its answer count as that hold's probe.
    /// </summary>
    public bool IsOpenAt(out int epoch)
    {
        epoch = Volatile.Read(ref _epoch);
        return Volatile.Read(ref _nextPassTicks) == 0;
    }

    /// <summary>
    /// True when a request may be sent now: the gate is open, or the hold interval has passed and this request is the
    /// one that goes (the next may go one interval later); <paramref name="epoch"/> is then the epoch it passed at.
    /// Otherwise false, with how long to wait and a token that is signalled when the gate opens early.
    /// </summary>
    public bool TryPass(out TimeSpan wait, out CancellationToken changed, out int epoch)
    {
        wait = TimeSpan.Zero;
        changed = default;
        if (IsOpenAt(out epoch))
        {
            return true;
        }

        lock (_gate)
        {
            epoch = _epoch;
            if (_nextPassTicks == 0)
            {
                return true;
            }

            long now = _time.GetUtcNow().UtcTicks;
            if (now >= _nextPassTicks)
            {
                Volatile.Write(ref _nextPassTicks, now + _intervalTicks);
                return true;
            }

            wait = TimeSpan.FromTicks(_nextPassTicks - now);
            changed = _changed.Token;
            return false;
        }
    }

    /// <summary>
    /// True when a request that passed the gate at <paramref name="passedEpoch"/> may still be sent: no new hold began
    /// since it passed (it keeps that epoch), or the gate is open again (it passes anew: <paramref name="passedEpoch"/>
    /// becomes the epoch now in force).
    /// </summary>
    public bool StillPasses(ref int passedEpoch)
    {
        if (Epoch == passedEpoch)
        {
            return true;
        }

        if (IsOpenAt(out int now))
        {
            passedEpoch = now;
            return true;
        }

        return false;
    }

    /// <summary>
    /// Takes note of how the service answered a request that passed the gate at <paramref name="sentEpoch"/>: a 502/503
    /// closes the gate; any other status, or a result without one (an operation of <see cref="RetryGuardPolicy"/> that
    /// returned), eases it. A failure without an answer (no connection, a timeout) changes nothing.
    /// </summary>
    /// <returns>What the answer did to the gate (for the pipeline's log and metrics); <paramref name="hold"/>: how long
    /// the client now holds, when a hold began or grew.</returns>
    public OutageChange Observe(int sentEpoch, Classification outcome, bool returned, out TimeSpan hold)
    {
        hold = TimeSpan.Zero;
        if (outcome.Status is 502 or 503)
        {
            return Close(sentEpoch, outcome.ServerDelay, out hold);
        }

        if ((outcome.Status is not null || returned) && !IsOpen)
        {
            return Ease(sentEpoch);
        }

        return OutageChange.None;
    }

    private OutageChange Close(int sentEpoch, TimeSpan? serverDelay, out TimeSpan held)
    {
        held = TimeSpan.Zero;
        if (_holdTicks <= 0)
        {
            return OutageChange.None;
        }

        lock (_gate)
        {
            if (sentEpoch != _epoch)
            {
                // Sent before the latest hold began: the outage is known already.
                return OutageChange.None;
            }

            long now = _time.GetUtcNow().UtcTicks;
            OutageChange change = _nextPassTicks == 0 ? OutageChange.Began : OutageChange.Extended;
            _intervalTicks = _intervalTicks == 0 ? _holdTicks : Math.Min(_maxTicks, _intervalTicks * 2);
            long hold = _intervalTicks;
            if (serverDelay is { } asked && asked.Ticks <= _maxServerTicks && asked.Ticks > hold)
            {
                // The server said how long: nobody of this client goes before that.
                hold = asked.Ticks;
                _notBeforeTicks = Math.Max(_notBeforeTicks, now + hold);
            }

            Volatile.Write(ref _nextPassTicks, Math.Max(_nextPassTicks, now + hold));
            Volatile.Write(ref _epoch, _epoch + 1);
            held = TimeSpan.FromTicks(hold);
            return change;
        }
    }

    private OutageChange Ease(int sentEpoch)
    {
        CancellationTokenSource changed;
        OutageChange change = OutageChange.None;
        lock (_gate)
        {
            if (_nextPassTicks == 0 || sentEpoch != _epoch)
            {
                return OutageChange.None;
            }

            long now = _time.GetUtcNow().UtcTicks;
            _intervalTicks /= 2;
            if (_intervalTicks < _holdTicks / 16 && _notBeforeTicks <= now)
            {
                // The service answers again: every request may go.
                _intervalTicks = 0;
                _notBeforeTicks = 0;
                Volatile.Write(ref _nextPassTicks, 0);
                change = OutageChange.Ended;
            }
            else
            {
                // The next request may go now (not before a time the server named), the one after it an interval later.
                Volatile.Write(ref _nextPassTicks, Math.Max(1, Math.Min(_nextPassTicks, Math.Max(now, _notBeforeTicks))));
            }

            changed = _changed;
            _changed = new CancellationTokenSource();
        }

        // Wakes the requests waiting at the gate, on the thread pool (the request that answered goes back to its caller
        // first); each registration only completes a waiter, nothing throws. The old source is left to the collector
        // (it has no timer): a waiter may still be registering with its token.
        ThreadPool.QueueUserWorkItem(static state => ((CancellationTokenSource)state!).Cancel(), changed);
        return change;
    }
}

/// <summary>What one answer did to the <see cref="OutageGate"/>.</summary>
internal enum OutageChange
{
    /// <summary>Nothing the client's operators need to hear of (a hold eased, or no hold).</summary>
    None,

    /// <summary>A 502/503 closed the open gate: the client holds.</summary>
    Began,

    /// <summary>The request that went during the hold met a 502/503 again: the hold doubled.</summary>
    Extended,

    /// <summary>The service answered again often enough: the gate is open.</summary>
    Ended,
}
