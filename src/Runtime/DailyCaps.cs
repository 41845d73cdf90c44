using System;
using System.Collections.Generic;
using System.Threading;

namespace RetryGuard;

/// <summary>
/// Daily caps a policy has been told of, per model, until their reset time. Once one 429 said the cap is used up,
/// no other request of the policy sends into it before the reset: each fails at once (or falls back) instead of
/// spending a permit and a round trip to hear the same answer. A cap met by a request whose model is not known
/// (no JSON body, a delegate of <see cref="RetryGuardPolicy"/>) holds for every model of the key.
/// </summary>
internal sealed class DailyCaps
{
    private const string AnyModel = "";

    private readonly object _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _resetsAt = new(StringComparer.OrdinalIgnoreCase);
    private CancellationTokenSource _changed = new();
    private int _count;

    /// <summary>True when some cap may be in force; false (the usual case) means nothing to check.</summary>
    public bool Any => Volatile.Read(ref _count) > 0;

    /// <summary>Cancelled when a cap is remembered, so requests queued in the limiter re-check before they send.</summary>
    public CancellationToken Changed
    {
        get
        {
            lock (_gate)
            {
                return _changed.Token;
            }
        }
    }

    public void Remember(string? model, DateTimeOffset resetsAt)
    {
        CancellationTokenSource changed;
        lock (_gate)
        {
            string key = model ?? AnyModel;
            if (_resetsAt.TryGetValue(key, out DateTimeOffset known) && resetsAt <= known)
            {
                // Known already (several requests in flight met the same cap): the queue was woken the first time.
                return;
            }

            _resetsAt[key] = resetsAt;
            Volatile.Write(ref _count, _resetsAt.Count);
            changed = _changed;
            _changed = new CancellationTokenSource();
        }

        // On the thread pool: waking every queued request (each then fails or falls back) must not delay the request
        // that met the cap on its way back to its caller. The old source is left to the collector (it has no timer),
        // since a waiter may still be linking to its token.
        ThreadPool.QueueUserWorkItem(static state => ((CancellationTokenSource)state!).Cancel(), changed);
    }

    /// <summary>When the cap that stops <paramref name="model"/> resets, or null when none is in force at <paramref name="now"/>.</summary>
    public DateTimeOffset? Find(string? model, DateTimeOffset now)
    {
        if (!Any)
        {
            return null;
        }

        lock (_gate)
        {
            DateTimeOffset? found = null;
            if (model is not null && Current(model, now) is { } forModel)
            {
                found = forModel;
            }

            if (Current(AnyModel, now) is { } forKey && (found is null || forKey > found))
            {
                found = forKey;
            }

            return found;
        }
    }

    private DateTimeOffset? Current(string key, DateTimeOffset now)
    {
        if (!_resetsAt.TryGetValue(key, out DateTimeOffset resetsAt))
        {
            return null;
        }

        if (resetsAt <= now)
        {
            // Reset: requests go out again.
            _resetsAt.Remove(key);
            Volatile.Write(ref _count, _resetsAt.Count);
            return null;
        }

        return resetsAt;
    }
}
