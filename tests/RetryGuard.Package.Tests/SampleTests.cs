using Xunit.Abstractions;

namespace RetryGuard.Package.Tests;

/// <summary>
/// samples/RetryGuard.Sample, the README's first command: it must build in spite of its RetryGuard warnings (the
/// repository treats warnings as errors) and run without a network.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class SampleTests(PackedPackage package, ITestOutputHelper log)
{
    /// <summary>The rules the sample's hand-written HTTP retry loops break (NaiveChatClient.cs).</summary>
    private static readonly string[] LoopRules = ["RG0001", "RG0002", "RG0003", "RG0005", "RG0007"];

    /// <summary>
    /// The rules SdkChatClient.cs breaks: a key written into source (RG0004) and a hand-written retry around OpenAI's
    /// ChatClient, which retries on its own (RG0006). Both have code fixes that keep the sample running.
    /// </summary>
    private static readonly string[] SdkRules = ["RG0004", "RG0006"];

    private static readonly string SampleDirectory = Path.Combine(RepositoryLayout.Root, "samples", "RetryGuard.Sample");

    [Fact]
    public async Task Sample_builds_with_the_rules_on_its_hand_written_retries_only_and_runs_against_its_fake_gateway()
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

        foreach (var rule in SdkRules)
        {
            Assert.True(warnings.Any(line => line.Contains("SdkChatClient.cs", StringComparison.Ordinal) && line.Contains($"warning {rule}:", StringComparison.Ordinal)),
                $"Expected {rule} on SdkChatClient.cs. " + build.Describe());
        }

        Assert.True(warnings.All(line => line.Contains("NaiveChatClient.cs", StringComparison.Ordinal) ||
                                         (line.Contains("SdkChatClient.cs", StringComparison.Ordinal) && SdkRules.Any(rule => line.Contains($"warning {rule}:", StringComparison.Ordinal)))),
            "Expected the loop rules on NaiveChatClient.cs and RG0004/RG0006 on SdkChatClient.cs only. " + build.Describe());

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

        // The OpenAI SDK's ChatClient, pointed at the fake gateway, gets through the 503 (the SDK's own retry, until the fix turns it off).
        Assert.True(run.Output.Contains("OpenAI SDK ChatClient: answered, 2 requests to the gateway: 503", StringComparison.Ordinal), run.Describe());
    }

    private async Task<CommandResult> DotNetAsync(params string[] arguments)
    {
        var result = await DotNetCli.RunAsync(SampleDirectory, TimeSpan.FromMinutes(4), arguments);
        log.WriteLine(result.Summary());
        return result;
    }
}
