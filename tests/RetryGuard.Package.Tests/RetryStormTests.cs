using System.Globalization;
using Xunit.Abstractions;

namespace RetryGuard.Package.Tests;

/// <summary>
/// bench/RetryStorm, the README's retry-storm command, in a short configuration (a low RPM limit so that 429s, caller
/// errors and the daily cap all happen within seconds): it runs every strategy against its loopback gateway and writes
/// the table and the chart, and RetryGuard's row keeps the properties the policy guarantees whatever the machine's speed.
/// </summary>
public sealed class RetryStormTests(ITestOutputHelper log)
{
    private static readonly string StormProject = Path.Combine(RepositoryLayout.Root, "bench", "RetryStorm", "RetryStorm.csproj");

    [Fact]
    public async Task A_short_storm_runs_every_strategy_and_RetryGuard_never_trips_the_limit_or_retries_a_caller_error()
    {
        string output = Path.Combine(Path.GetTempPath(), "retryguard-storm-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var run = await DotNetCli.RunAsync(RepositoryLayout.Root, TimeSpan.FromMinutes(5),
                "run", "--project", StormProject, "--", "--clients", "40", "--requests", "12", "--rpm", "60", "--scale", "40", "--out", output);
            log.WriteLine(run.Summary());
            Assert.True(run.Succeeded, run.Describe());

            var rows = File.ReadAllLines(Path.Combine(output, "retry-storm.md"))
                .Where(line => line.StartsWith("| ", StringComparison.Ordinal) && line.Contains(" s / ", StringComparison.Ordinal))
                .Select(line => line.Split('|').Select(cell => cell.Trim()).ToArray())
                .ToDictionary(cells => cells[1]);
            Assert.Equal(5, rows.Count);

            string[] retryGuard = rows.Single(row => row.Key.StartsWith("RetryGuard", StringComparison.Ordinal)).Value;
            string[] naive = rows.Single(row => row.Key.StartsWith("Naive", StringComparison.Ordinal)).Value;
            string[] polly = rows.Single(row => row.Key.StartsWith("Polly", StringComparison.Ordinal)).Value;

            // Columns: 5 attempts per success, 6 429s, 7 sent before Retry-After, 8 caller-error retries, 10 daily cap known after.
            Assert.Equal("0", retryGuard[6]);
            Assert.Equal("0", retryGuard[7]);
            Assert.Equal("0", retryGuard[8]);
            Assert.NotEqual("—", retryGuard[10]);
            Assert.True(Number(retryGuard[5]) < Number(naive[5]) && Number(retryGuard[5]) < Number(polly[5]),
                $"attempts per success: RetryGuard {retryGuard[5]}, naive {naive[5]}, Polly {polly[5]}");

            // Not a storm without them: the naive loop met the limit and retried the gateway's caller errors.
            Assert.True(Number(naive[6]) > 0 && Number(naive[8]) > 0, $"naive: {naive[6]} 429s, {naive[8]} caller-error retries");
            Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(output, "retry-storm.svg")).TrimStart(), StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    private static double Number(string cell) => double.Parse(cell.Replace(",", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture);
}
