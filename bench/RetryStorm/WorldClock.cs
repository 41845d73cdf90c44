using System.Diagnostics;

namespace RetryStorm;

/// <summary>
/// The simulated world's clock: it runs <see cref="Scale"/> times faster than the wall clock (scale 10: a world
/// minute lasts 6 real seconds). The gateway states its windows and Retry-After values in world seconds, and every
/// strategy waits on this clock, so every backoff, Retry-After sleep and timeout keeps its documented length in world
/// time. Only waits are scaled; the work itself (sockets, JSON, the policies' code) runs at real speed.
/// </summary>
public sealed class WorldClock : TimeProvider
{
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private readonly DateTimeOffset _startWorld;

    public WorldClock(double scale, DateTimeOffset startWorld)
    {
        Scale = scale;
        _startWorld = startWorld;
    }

    public double Scale { get; }

    /// <summary>Real time since the clock started.</summary>
    public TimeSpan RealElapsed => Stopwatch.GetElapsedTime(_startTimestamp);

    /// <summary>World time since the clock started.</summary>
    public TimeSpan WorldElapsed => RealElapsed * Scale;

    public override DateTimeOffset GetUtcNow() => _startWorld + WorldElapsed;

    public override long GetTimestamp() => (long)((Stopwatch.GetTimestamp() - _startTimestamp) * Scale);

    public override long TimestampFrequency => Stopwatch.Frequency;

    public TimeSpan ToReal(TimeSpan world) => world / Scale;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(this, System.CreateTimer(callback, state, Real(dueTime), Real(period)));

    private TimeSpan Real(TimeSpan world) => world == Timeout.InfiniteTimeSpan || world <= TimeSpan.Zero ? world : world / Scale;

    private sealed class ScaledTimer : ITimer
    {
        private readonly WorldClock _clock;
        private readonly ITimer _inner;

        public ScaledTimer(WorldClock clock, ITimer inner)
        {
            _clock = clock;
            _inner = inner;
        }

        public bool Change(TimeSpan dueTime, TimeSpan period) => _inner.Change(_clock.Real(dueTime), _clock.Real(period));

        public void Dispose() => _inner.Dispose();

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }
}
