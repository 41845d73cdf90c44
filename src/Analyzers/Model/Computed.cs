using System;
using System.Threading;

namespace RetryGuard.Analyzers.Model;

/// <summary>
/// A value computed once, on first use, with the cancellation token of the analysis that asks for it (a
/// <see cref="Lazy{T}"/> would keep the token of the first caller). Threads that ask at the same time may each
/// compute it; the first result stored wins. A computation that throws (cancelled) stores nothing.
/// </summary>
internal sealed class Computed<T>
{
    private readonly Func<CancellationToken, T> _compute;
    private Box? _box;

    public Computed(Func<CancellationToken, T> compute) => _compute = compute;

    public T Get(CancellationToken cancellationToken)
    {
        var box = Volatile.Read(ref _box);
        if (box is null)
        {
            var computed = new Box(_compute(cancellationToken));
            box = Interlocked.CompareExchange(ref _box, computed, null) ?? computed;
        }

        return box.Value;
    }

    /// <summary>Holds the value, so that a computed null or default is stored too.</summary>
    private sealed class Box
    {
        public Box(T value) => Value = value;

        public T Value { get; }
    }
}
