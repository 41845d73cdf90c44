using System.Diagnostics;
using System.Globalization;
using RetryStorm;

// The retry-storm shoot-out: one loopback gateway, every strategy in turn against the same rules, one table.
// dotnet run -c Release --project bench/RetryStorm -- [--clients 100] [--requests 30] [--rpm 600] [--scale 10] [--seed 42] [--out DIR]
Settings settings = Settings.Parse(args);
GatewayRules rules = new() { RequestsPerMinute = settings.Rpm, Seed = settings.Seed };
TimeSpan phaseWorld = rules.DailyCapAt + TimeSpan.FromMinutes(1);

Console.WriteLine($"RetryStorm: {settings.Clients} clients x {settings.Requests} requests per strategy; limit {rules.RequestsPerMinute} RPM per key; " +
                  $"time scale {settings.Scale.ToString(CultureInfo.InvariantCulture)} (a world minute lasts {60 / settings.Scale:0.#} s); " +
                  $"5xx bursts at {string.Join(", ", rules.Bursts.Select(b => $"{Runner.Clock(b.Start)}+{b.Length.TotalSeconds:0}s"))}; " +
                  $"daily cap from {Runner.Clock(rules.DailyCapAt)}; phase ends at {Runner.Clock(phaseWorld)} (world times).");

await using Gateway gateway = await Gateway.StartAsync(rules);
Console.WriteLine($"Gateway on {gateway.BaseAddress}");

Func<WorldClock, Strategy>[] strategies =
[
    clock => new NaiveStrategy(gateway.BaseAddress, clock, settings.Seed),
    clock => new PollyStrategy(gateway.BaseAddress, clock, settings.Seed),
    clock => new StandardStrategy(gateway.BaseAddress, clock, settings.Seed),
    clock => new OpenAiSdkStrategy(gateway.BaseAddress, clock, settings.Seed),
    clock => new RetryGuardStrategy(gateway.BaseAddress, clock, settings.Seed, rules.RequestsPerMinute),
];

Stopwatch total = Stopwatch.StartNew();
await Runner.WarmUpAsync(gateway, strategies, settings);
List<PhaseResult> results = new();
for (int i = 0; i < strategies.Length; i++)
{
    results.Add(await Runner.RunPhaseAsync(gateway, strategies[i], settings, rules, phaseWorld, $"{i + 1}/{strategies.Length}"));
}

string markdown = Report.Markdown(results, rules, settings);
Console.WriteLine();
Console.WriteLine(markdown);
Directory.CreateDirectory(settings.Out);
File.WriteAllText(Path.Combine(settings.Out, "retry-storm.md"), markdown);
File.WriteAllText(Path.Combine(settings.Out, "retry-storm.svg"), Report.Svg(results, rules));
Console.WriteLine($"Written {Path.Combine(settings.Out, "retry-storm.md")} and retry-storm.svg in {total.Elapsed.TotalSeconds:0} s.");

/// <summary>Command-line settings.</summary>
public sealed record Settings(int Clients, int Requests, int Rpm, double Scale, int Seed, string Out)
{
    public static Settings Parse(string[] args)
    {
        Settings s = new(100, 30, 600, 10, 42, "storm-results");
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            string value = args[i + 1];
            s = args[i] switch
            {
                "--clients" => s with { Clients = int.Parse(value, CultureInfo.InvariantCulture) },
                "--requests" => s with { Requests = int.Parse(value, CultureInfo.InvariantCulture) },
                "--rpm" => s with { Rpm = int.Parse(value, CultureInfo.InvariantCulture) },
                "--scale" => s with { Scale = double.Parse(value, CultureInfo.InvariantCulture) },
                "--seed" => s with { Seed = int.Parse(value, CultureInfo.InvariantCulture) },
                "--out" => s with { Out = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}; use --clients, --requests, --rpm, --scale, --seed, --out."),
            };
        }

        return s;
    }
}
