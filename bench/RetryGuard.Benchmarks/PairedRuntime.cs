using System.Diagnostics;
using System.Globalization;

namespace RetryGuard.Benchmarks;

/// <summary>
/// `dotnet run -c Release -- paired [rounds] [sends] [--gateway-headers]`: the handler chains of <see cref="RuntimeBenchmarks"/> timed in
/// interleaved rounds (each round times every chain once, in a rotating order, for <c>sends</c> requests), and each
/// chain's time divided by the raw invoker's time of the same round. On a shared machine whose load drifts within
/// seconds, the median of these per-round ratios is far steadier than ratios of means taken minutes apart; the
/// spread printed is the interquartile range of the per-round ratios. Bytes allocated per request are counted on the
/// sending thread (every request completes synchronously there).
/// </summary>
internal static class PairedRuntime
{
    /// <remarks>
    /// With <paramref name="gatewayHeaders"/>, only GET whose 200 carries an OpenAI response's headers, and nothing else:
    /// run in its own process. After the bare-response tables in one process the same chains (the raw invoker too)
    /// measured several hundred nanoseconds slower than in a fresh process: what ran before (the JIT's profile of
    /// responses that never had an <c>x-ratelimit-*</c> header, the heap) shapes this table too much.
    /// </remarks>
    public static void Run(int rounds, int sends, bool gatewayHeaders)
    {
        foreach (string verb in gatewayHeaders ? new[] { "GET" } : new[] { "GET", "POST" })
        {
            RuntimeBenchmarks bench = new() { Verb = verb, GatewayHeaders = gatewayHeaders };
            string shape = gatewayHeaders ? $"{verb}, the 200 carries an OpenAI response's headers (six x-ratelimit-* among them)" : verb;
            bench.Setup();
            try
            {
                (string Name, Func<Task<int>> Body)[] bodies =
                [
                    ("HttpMessageInvoker (raw)", bench.Raw),
                    ("Empty DelegatingHandler (floor)", bench.PassThrough),
                    ("RetryGuardHandler", bench.RetryGuard),
                    ("RetryGuardHandler + token bucket", bench.RetryGuardWithBucket),
                    ("Polly v8 retry pipeline", bench.Polly),
                    ("Standard resilience handler", bench.StandardResilience),
                ];

                // Warm-up: every chain through the JIT's tiers.
                foreach ((_, Func<Task<int>> body) in bodies)
                {
                    Time(body, 50_000);
                }

                List<double>[] ratios = bodies.Select(_ => new List<double>()).ToArray();
                List<double>[] nanos = bodies.Select(_ => new List<double>()).ToArray();
                List<double>[] bytes = bodies.Select(_ => new List<double>()).ToArray();
                double[] round = new double[bodies.Length];
                for (int r = 0; r < rounds; r++)
                {
                    for (int k = 0; k < bodies.Length; k++)
                    {
                        int i = (k + r) % bodies.Length;
                        (round[i], double allocated) = Measure(bodies[i].Body, sends);
                        bytes[i].Add(allocated);
                    }

                    for (int i = 0; i < bodies.Length; i++)
                    {
                        ratios[i].Add(round[i] / round[0]);
                        nanos[i].Add(round[i]);
                    }
                }

                Console.WriteLine();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{shape}: {rounds} interleaved rounds of {sends} requests per chain; per-round ratio to the raw invoker"));
                Console.WriteLine("| Handler chain | Verb | Median time | Median ratio | Ratio p25–p75 | Allocated |");
                Console.WriteLine("|---|---|---:|---:|---:|---:|");
                for (int i = 0; i < bodies.Length; i++)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {bodies[i].Name} | {verb} | {Quantile(nanos[i], 0.5):0} ns | {Quantile(ratios[i], 0.5):0.000} | {Quantile(ratios[i], 0.25):0.000}–{Quantile(ratios[i], 0.75):0.000} | {Quantile(bytes[i], 0.5):0} B |"));
                }
            }
            finally
            {
                bench.Cleanup();
            }
        }

        if (!gatewayHeaders)
        {
            HeaderCollectionCost(rounds, sends * 10);
        }
    }

    /// <summary>
    /// What asking a bare response (as the benchmark's in-memory handler returns) for its header collection and scanning
    /// it costs: the part of RetryGuard's fast path that looks for <c>x-ratelimit-*</c> headers, timed alone.
    /// </summary>
    private static void HeaderCollectionCost(int rounds, int sends)
    {
        static Task<int> Bare()
        {
            using HttpResponseMessage response = new(System.Net.HttpStatusCode.OK);
            return Task.FromResult((int)response.StatusCode);
        }

        static Task<int> Scanned()
        {
            using HttpResponseMessage response = new(System.Net.HttpStatusCode.OK);
            foreach (KeyValuePair<string, System.Net.Http.Headers.HeaderStringValues> header in response.Headers.NonValidated)
            {
                if (header.Key.StartsWith("x-ratelimit-", StringComparison.OrdinalIgnoreCase))
                {
                    return Task.FromResult(0);
                }
            }

            return Task.FromResult((int)response.StatusCode);
        }

        Time(Bare, 200_000);
        Time(Scanned, 200_000);
        List<double> extra = new();
        for (int r = 0; r < rounds; r++)
        {
            extra.Add(Time(Scanned, sends) - Time(Bare, sends));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Creating and scanning a bare response's header collection: median +{Quantile(extra, 0.5):0.0} ns per response (p25–p75 {Quantile(extra, 0.25):0.0}–{Quantile(extra, 0.75):0.0} ns), {rounds} interleaved rounds of {sends}"));
    }

    /// <summary>Nanoseconds per request over <paramref name="sends"/> requests (each completes synchronously).</summary>
    private static double Time(Func<Task<int>> body, int sends) => Measure(body, sends).Nanos;

    /// <summary>
    /// Nanoseconds and bytes allocated per request over <paramref name="sends"/> requests. Each completes synchronously
    /// on this thread, so this thread's allocation counter sees all of a request's allocations.
    /// </summary>
    private static (double Nanos, double Bytes) Measure(Func<Task<int>> body, int sends)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        long started = Stopwatch.GetTimestamp();
        for (int i = 0; i < sends; i++)
        {
            body().GetAwaiter().GetResult();
        }

        double nanos = Stopwatch.GetElapsedTime(started).TotalNanoseconds / sends;
        return (nanos, (double)(GC.GetAllocatedBytesForCurrentThread() - allocated) / sends);
    }

    private static double Quantile(List<double> values, double q)
    {
        double[] sorted = values.Order().ToArray();
        double at = q * (sorted.Length - 1);
        int low = (int)Math.Floor(at);
        int high = Math.Min(sorted.Length - 1, low + 1);
        return sorted[low] + ((at - low) * (sorted[high] - sorted[low]));
    }
}
