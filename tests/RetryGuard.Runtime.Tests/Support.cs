using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace RetryGuard.Runtime.Tests;

/// <summary>Moves a fake clock forward while real I/O (Kestrel) runs, until the work completes.</summary>
public static class Drive
{
    /// <summary>
    /// Advances <paramref name="clock"/> by <paramref name="step"/> whenever the work has had a moment to run, until it
    /// completes. The real pauses only let sockets make progress; no delay is checked against real time.
    /// </summary>
    public static async Task<T> Until<T>(FakeTimeProvider clock, Task<T> work, TimeSpan step, TimeSpan? limit = null)
    {
        await Until(clock, (Task)work, step, limit);
        return await work;
    }

    public static async Task Until(FakeTimeProvider clock, Task work, TimeSpan step, TimeSpan? limit = null)
    {
        DateTimeOffset end = clock.GetUtcNow() + (limit ?? TimeSpan.FromHours(1));
        while (!work.IsCompleted)
        {
            await Task.WhenAny(work, Task.Delay(2));
            if (work.IsCompleted)
            {
                break;
            }

            Assert.True(clock.GetUtcNow() < end, "The work did not complete within the fake-time limit.");
            clock.Advance(step);
        }

        await work;
    }

    /// <summary>
    /// Advances <paramref name="clock"/> by <paramref name="step"/> only while the handler waits for time (a backoff,
    /// a Retry-After, the limiter), never while a request is on the wire: fake time then measures the policy's
    /// waits alone.
    /// </summary>
    public static Task<T> WhileWaiting<T>(FakeTimeProvider clock, Task<T> work, TimeSpan step, RetryGuardHandler handler) =>
        WhileWaiting(clock, work, step, () => handler.Pipeline.IsWaitingForTime);

    public static async Task<T> WhileWaiting<T>(FakeTimeProvider clock, Task<T> work, TimeSpan step, Func<bool> waiting)
    {
        DateTimeOffset end = clock.GetUtcNow() + TimeSpan.FromHours(2);
        int idle = 0;
        while (!work.IsCompleted)
        {
            if (waiting())
            {
                Assert.True(clock.GetUtcNow() < end, "The work did not complete within the fake-time limit.");
                clock.Advance(step);

                // A request the advance released runs on the thread pool: give it the moment it needs before the
                // clock moves on.
                SpinWait.SpinUntil(() => !waiting() || work.IsCompleted, 2);
                await Task.Yield();
                idle = 0;
            }
            else
            {
                await Task.WhenAny(work, Task.Delay(1));
                Assert.True(++idle < 10_000, "The work neither completed nor waited for time for 10 s.");
            }
        }

        return await work;
    }

    /// <summary>Waits (really, bounded) for a condition that I/O makes true; fails after 10 s.</summary>
    public static async Task Eventually(Func<bool> condition, string what)
    {
        for (int i = 0; i < 2000 && !condition(); i++)
        {
            await Task.Delay(5);
        }

        Assert.True(condition(), what);
    }
}

/// <summary>An inner handler whose replies are scripted; counts what it was sent.</summary>
public sealed class ScriptedHandler : HttpMessageHandler
{
    private readonly Func<int, HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> _reply;
    private readonly ConcurrentQueue<(DateTimeOffset At, string? Body)> _sent = new();
    private readonly TimeProvider _clock;
    private int _count;

    public ScriptedHandler(TimeProvider clock, Func<int, HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> reply)
    {
        _clock = clock;
        _reply = reply;
    }

    public ScriptedHandler(TimeProvider clock, Func<int, HttpResponseMessage> reply)
        : this(clock, (n, _, _) => Task.FromResult(reply(n)))
    {
    }

    public int Count => Volatile.Read(ref _count);

    public IReadOnlyList<(DateTimeOffset At, string? Body)> Sent => _sent.ToList();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        int n = Interlocked.Increment(ref _count);
        string? body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        _sent.Enqueue((_clock.GetUtcNow(), body));
        HttpResponseMessage response = await _reply(n, request, cancellationToken);
        response.RequestMessage = request;
        return response;
    }

    public static HttpResponseMessage Reply(int status, string? body = null, params (string Name, string Value)[] headers)
    {
        HttpResponseMessage response = new((HttpStatusCode)status)
        {
            Content = new StringContent(body ?? "{}", Encoding.UTF8, "application/json"),
        };
        foreach ((string name, string value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    public const string DailyCapBody =
        """{"error":{"code":"rate_limit_exceeded","message":"Daily token cap reached for this key."}}""";

    public const string RateLimitBody =
        """{"error":{"code":"rate_limit_exceeded","message":"Rate limit reached for requests per minute."}}""";
}

/// <summary>Collects log lines (formatted with their exception) for assertions.</summary>
public sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, EventId Id, string Text)> _entries = new();

    public IReadOnlyList<(LogLevel Level, EventId Id, string Text)> Entries => _entries.ToList();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        StringBuilder text = new(formatter(state, exception));
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (KeyValuePair<string, object?> pair in pairs)
            {
                text.Append(" | ").Append(pair.Key).Append('=').Append(pair.Value);
            }
        }

        if (exception is not null)
        {
            text.Append(" | ").Append(exception);
        }

        _entries.Enqueue((logLevel, eventId, text.ToString()));
    }
}

public sealed class LoggerFactoryOf : ILoggerFactory
{
    public LoggerFactoryOf(ILogger logger) => Logger = logger;

    public ILogger Logger { get; }

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => Logger;

    public void Dispose()
    {
    }
}

/// <summary>Records RetryGuard measurements tagged with one client name (tests run in parallel).</summary>
public sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

    public MetricsRecorder(string client)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "RetryGuard")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(client, i.Name, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(client, i.Name, v, tags));
        _listener.Start();
    }

    public IReadOnlyList<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> Measurements => _measurements.ToList();

    public double Sum(string instrument, string? tag = null, string? value = null) => Measurements
        .Where(m => m.Instrument == instrument && (tag is null || m.Tags.Any(t => t.Key == tag && Equals(t.Value?.ToString(), value))))
        .Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();

    private void Record(string client, string instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        KeyValuePair<string, object?>[] copy = tags.ToArray();
        if (copy.Any(t => t.Key == "retryguard.client" && Equals(t.Value, client)))
        {
            _measurements.Enqueue((instrument, value, copy));
        }
    }
}

/// <summary>
/// A fake clock that counts the timers created on it and the one-shot timers (waits) still pending, so a test knows
/// when the policy is waiting for time rather than for I/O.
/// </summary>
public sealed class CountingClock : FakeTimeProvider
{
    private int _timers;
    private int _pendingWaits;

    public CountingClock()
        : this(new DateTimeOffset(2026, 11, 28, 22, 0, 0, TimeSpan.Zero))
    {
    }

    public CountingClock(DateTimeOffset start)
        : base(start)
    {
    }

    public int Timers => Volatile.Read(ref _timers);

    /// <summary>One-shot timers (Task.Delay, timeouts) created and neither fired nor disposed.</summary>
    public int PendingWaits => Volatile.Read(ref _pendingWaits);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _timers);
        if (period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero)
        {
            return base.CreateTimer(callback, state, dueTime, period);
        }

        Interlocked.Increment(ref _pendingWaits);
        OneShot timer = new(this);
        timer.Inner = base.CreateTimer(s =>
        {
            timer.Done();
            callback(s);
        }, state, dueTime, period);
        return timer;
    }

    private sealed class OneShot : ITimer
    {
        private readonly CountingClock _clock;
        private int _done;

        public OneShot(CountingClock clock) => _clock = clock;

        public ITimer Inner { get; set; } = null!;

        public void Done()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Interlocked.Decrement(ref _clock._pendingWaits);
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period) => Inner.Change(dueTime, period);

        public void Dispose()
        {
            Done();
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
