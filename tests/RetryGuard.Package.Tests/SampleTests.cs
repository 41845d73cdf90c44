using Xunit.Abstractions;

namespace RetryGuard.Package.Tests;

/// <summary>
/// samples/RetryGuard.Sample, the README's first command: it must build in spite of its RetryGuard warnings (the
/// repository treats warnings as errors) and run without a network.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class SampleTests(PackedPackage package, ITestOutputHelper log)
{
    private static readonly string SampleDirectory = Path.Combine(RepositoryLayout.Root, "samples", "RetryGuard.Sample");

    [Fact]
    public async Task Sample_builds_with_RG0001_on_the_jitterless_client_only_and_runs_against_its_fake_gateway()
    {
        package.AssertPacked();
        log.WriteLine(package.PackResult.Summary());

        // The pack's artifacts path already holds the analyzers and the runtime in Release: only the sample compiles.
        var build = await DotNetAsync("build", "--configuration", "Release", "--artifacts-path", package.ArtifactsDirectory);
        Assert.True(build.Succeeded, build.Describe());

        var warnings = build.Output.Split('\n').Where(line => line.Contains("warning RG", StringComparison.Ordinal)).ToList();
        Assert.True(warnings.Any(line => line.Contains("NaiveChatClient.cs", StringComparison.Ordinal) && line.Contains("warning RG0001", StringComparison.Ordinal)),
            "Expected RG0001 on NaiveChatClient.cs. " + build.Describe());
        Assert.False(warnings.Any(line => line.Contains("JitteredChatClient.cs", StringComparison.Ordinal)),
            "Expected no RetryGuard warning on JitteredChatClient.cs. " + build.Describe());

        // The sample imports src/Runtime/build/RetryGuard.props as the package would: its appsettings.json reaches the analyzers.
        var items = await DotNetAsync("msbuild", "-getItem:AdditionalFiles",
            "-p:Configuration=Release", "-p:UseArtifactsOutput=true", $"-p:ArtifactsPath={package.ArtifactsDirectory}");
        Assert.True(items.Succeeded, items.Describe());
        Assert.Contains(Path.Combine(SampleDirectory, "appsettings.json"), MSBuildItems.FullPaths(items.Output, "AdditionalFiles"));

        var run = await DotNetAsync(Path.Combine(package.ArtifactsDirectory, "bin", "RetryGuard.Sample", "release", "RetryGuard.Sample.dll"));
        Assert.True(run.Succeeded, run.Describe());
        var answeredRuns = run.Output.Split("5 of 5 workers got an answer").Length - 1;
        Assert.True(answeredRuns == 2, "Expected both retry loops to get all five answers. " + run.Describe());
    }

    private async Task<CommandResult> DotNetAsync(params string[] arguments)
    {
        var result = await DotNetCli.RunAsync(SampleDirectory, TimeSpan.FromMinutes(2), arguments);
        log.WriteLine(result.Summary());
        return result;
    }
}
