using Xunit.Abstractions;

namespace RetryGuard.Package.Tests;

/// <summary>
/// samples/RetryGuard.Sample, the README's first command: it must build in spite of its RetryGuard warnings (the
/// repository treats warnings as errors) and run without a network.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class SampleTests(PackedPackage package, ITestOutputHelper log)
{
    /// <summary>The rules the sample's hand-written loops break; RG0004 (keys) and RG0006 (SDK clients) are not in the sample yet.</summary>
    private static readonly string[] LoopRules = ["RG0001", "RG0002", "RG0003", "RG0005", "RG0007"];

    private static readonly string SampleDirectory = Path.Combine(RepositoryLayout.Root, "samples", "RetryGuard.Sample");

    [Fact]
    public async Task Sample_builds_with_the_retry_rules_on_its_hand_written_loops_only_and_runs_against_its_fake_gateway()
    {
        package.AssertPacked();
        log.WriteLine(package.PackResult.Summary());

        // The pack's artifacts path already holds the analyzers and the runtime in Release: only the sample compiles.
        var build = await DotNetAsync("build", "--configuration", "Release", "--artifacts-path", package.ArtifactsDirectory);
        Assert.True(build.Succeeded, build.Describe());

        // Each of those rules fires on the hand-written loops, and only there: the runtime's client and the program are clean.
        var warnings = build.Output.Split('\n').Where(line => line.Contains("warning RG", StringComparison.Ordinal)).ToList();
        foreach (var rule in LoopRules)
        {
            Assert.True(warnings.Any(line => line.Contains("NaiveChatClient.cs", StringComparison.Ordinal) && line.Contains($"warning {rule}:", StringComparison.Ordinal)),
                $"Expected {rule} on NaiveChatClient.cs. " + build.Describe());
        }

        Assert.True(warnings.All(line => line.Contains("NaiveChatClient.cs", StringComparison.Ordinal)),
            "Expected RetryGuard warnings on NaiveChatClient.cs only. " + build.Describe());

        // The sample imports src/Runtime/build/RetryGuard.props as the package would: its appsettings.json reaches the analyzers.
        var items = await DotNetAsync("msbuild", "-getItem:AdditionalFiles",
            "-p:Configuration=Release", "-p:UseArtifactsOutput=true", $"-p:ArtifactsPath={package.ArtifactsDirectory}");
        Assert.True(items.Succeeded, items.Describe());
        Assert.Contains(Path.Combine(SampleDirectory, "appsettings.json"), MSBuildItems.FullPaths(items.Output, "AdditionalFiles"));

        var run = await DotNetAsync(Path.Combine(package.ArtifactsDirectory, "bin", "RetryGuard.Sample", "release", "RetryGuard.Sample.dll"));
        Assert.True(run.Succeeded, run.Describe());

        // The deterministic parts of each scenario: the stampede of the jitter-less loop still gets through; the handler
        // waits out one Retry-After instead of hammering, and refuses to sleep until midnight for the daily cap.
        Assert.True(run.Output.Contains("hand-written retry loop: 5 of 5 answered", StringComparison.Ordinal), run.Describe());
        Assert.True(run.Output.Contains("RetryGuardHandler: 1 of 1 answered, 2 requests to the gateway", StringComparison.Ordinal), run.Describe());
        Assert.True(run.Output.Contains("-> DailyTokenCapExceededException:", StringComparison.Ordinal), run.Describe());
        Assert.True(run.Output.Contains("-> still waiting after 1 s, cancelled", StringComparison.Ordinal), run.Describe());
    }

    private async Task<CommandResult> DotNetAsync(params string[] arguments)
    {
        var result = await DotNetCli.RunAsync(SampleDirectory, TimeSpan.FromMinutes(4), arguments);
        log.WriteLine(result.Summary());
        return result;
    }
}
