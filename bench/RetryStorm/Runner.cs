using System.Collections.Concurrent;
using System.Globalization;

namespace RetryStorm;

/// <summary>One finished (or cut-off) call as its caller saw it; times are real stopwatch times of the phase clock.</summary>
public readonly record struct Call(int Id, TimeSpan Started, TimeSpan Ended, Outcome Outcome);

/// <summary>Everything one phase measured.</summary>
public sealed record PhaseResult(string Strategy, KeyLedger Ledger, IReadOnlyList<Call> Calls, double Scale, TimeSpan RealDuration,
    IReadOnlyDictionary<string, int> Exceptions);

public static class Runner
{
    public static string Clock(TimeSpan world) => $"{(int)world.TotalMinutes}:{world.Seconds:00}";

    /// <summary>A few calls through every strategy on a throw-away key, so no phase pays for JIT and first connections.</summary>
    public static async Task WarmUpAsync(Gateway gateway, Func<WorldClock, Strategy>[] strategies, Settings settings)
    {
        foreach (Func<WorldClock, Strategy> create in strategies)
        {
            WorldClock clock = new(settings.Scale, DateTimeOffset.UnixEpoch);
            using Strategy strategy = create(clock);
            gateway.OpenKey(strategy.Key, clock);
            await Task.WhenAll(Enumerable.Range(0, 10).Select(i => strategy.CallAsync(1_000_000 + i, CancellationToken.None)));
        }
    }

    public static async Task<PhaseResult> RunPhaseAsync(Gateway gateway, Func<WorldClock, Strategy> create, Settings settings,
        GatewayRules rules, TimeSpan phaseWorld, string label)
    {
        WorldClock clock = new(settings.Scale, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) + rules.PhaseStartsAtTimeOfDay);
        using Strategy strategy = create(clock);
        KeyLedger ledger = gateway.OpenKey(strategy.Key, clock);
        ConcurrentBag<Call> calls = new();
        ConcurrentDictionary<string, int> exceptions = new(StringComparer.Ordinal);
        using CancellationTokenSource end = new(clock.ToReal(phaseWorld));

        async Task ClientAsync(int client)
        {
            for (int r = 0; r < settings.Requests; r++)
            {
                int id = client * settings.Requests + r;
                TimeSpan started = clock.RealElapsed;
                Outcome outcome;
                try
                {
                    outcome = await strategy.CallAsync(id, end.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (end.IsCancellationRequested)
                {
                    outcome = Outcome.Cancelled;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Timeouts, open circuits, limiter rejections, exhausted retries: the call failed.
                    exceptions.AddOrUpdate(ex.GetType().Name, 1, (_, n) => n + 1);
                    outcome = Outcome.Failed;
                }

                calls.Add(new Call(id, started, clock.RealElapsed, outcome));
                if (outcome is Outcome.DailyCap or Outcome.Cancelled)
                {
                    return;
                }
            }
        }

        Task all = Task.WhenAll(Enumerable.Range(0, settings.Clients).Select(c => Task.Run(() => ClientAsync(c))));
        while (await Task.WhenAny(all, Task.Delay(1000)) != all)
        {
            Progress(label, strategy.Name, clock, ledger, calls.Count);
        }

        await all;
        Progress(label, strategy.Name, clock, ledger, calls.Count);
        Console.WriteLine();
        return new PhaseResult(strategy.Name, ledger, calls.ToArray(), settings.Scale, clock.RealElapsed, exceptions);
    }

    private static void Progress(string label, string name, WorldClock clock, KeyLedger ledger, int calls)
    {
        int attempts, successes, limited, capped;
        lock (ledger.Gate)
        {
            (attempts, successes, limited, capped) = (ledger.Attempts, ledger.Successes, ledger.RateLimited, ledger.DailyCapped);
        }

        string line = string.Create(CultureInfo.InvariantCulture,
            $"[{label}] {name,-42} world {Clock(clock.WorldElapsed)}  calls {calls,5}  attempts {attempts,5}  ok {successes,5}  429 {limited,5}  daily-cap 429 {capped,5}");
        if (Console.IsOutputRedirected)
        {
            Console.WriteLine(line);
        }
        else
        {
            Console.Write("\r" + line);
        }
    }
}
