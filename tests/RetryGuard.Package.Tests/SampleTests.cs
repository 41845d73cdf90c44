using Xunit.Abstractions;

namespace RetryGuard.Package.Tests;

/// <summary>
/// samples/RetryGuard.Sample, the README's first command: it must build in spite of its RetryGuard warnings (the
/// repository treats warnings as errors) and run without a network.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class SampleTests(PackedPackage package, ITestOutputHelper log)
{
    [Fact]
    public async Task Sample_builds_with_RG0001_on_the_jitterless_client_only_and_runs_against_its_fake_gateway()
    {
        package.AssertPacked();
        log.WriteLine(package.PackResult.Summary());
        var sampleDirectory = Path.Combine(RepositoryLayout.Root, "samples", "RetryGuard.Sample");

        // The pack's artifacts path already holds the analyzers and the runtime in Release: only the sample compiles.
        var build = await DotNetCli.RunAsync(sampleDirectory, TimeSpan.FromMinutes(2),
            "build", "--configuration", "Release", "--artifacts-path", package.ArtifactsDirectory);
        log.WriteLine(build.Summary());
        Assert.True(build.Succeeded, build.Describe());

        var warnings = build.Output.Split('\n').Where(line => line.Contains("warning RG", StringComparison.Ordinal)).ToList();
        Assert.True(warnings.Any(line => line.Contains("NaiveChatClient.cs", StringComparison.Ordinal) && line.Contains("warning RG0001", StringComparison.Ordinal)),
            "Expected RG0001 on NaiveChatClient.cs. " + build.Describe());
        Assert.True(!warnings.Any(line => line.Contains("JitteredChatClient.cs", StringComparison.Ordinal)),
            "Expected no RetryGuard warning on JitteredChatClient.cs. " + build.Describe());

        // The sample imports src/Runtime/build/RetryGuard.props as the package would: its appsettings.json reaches the analyzers.
        var items = await DotNetCli.RunAsync(sampleDirectory, TimeSpan.FromMinutes(1),
            "msbuild", "-getItem:AdditionalFiles", "-p:Configuration=Release", $"-p:ArtifactsPath={package.ArtifactsDirectory}", "-p:UseArtifactsOutput=true");
        log.WriteLine(items.Summary());
        Assert.True(items.Succeeded, items.Describe());
        Assert.Contains(Path.Combine(sampleDirectory, "appsettings.json"), MSBuildItems.FullPaths(items.Output, "AdditionalFiles"));

        var sample = Path.Combine(package.ArtifactsDirectory, "bin", "RetryGuard.Sample", "release", "RetryGuard.Sample.dll");
        var run = await DotNetCli.RunAsync(sampleDirectory, TimeSpan.FromMinutes(1), sample);
        log.WriteLine(run.Summary());
        Assert.True(run.Succeeded, run.Describe());
        Assert.Equal(2, CountOccurrences(run.Output, "5 of 5 workers got an answer"));
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var index = text.IndexOf(value, StringComparison.Ordinal); index >= 0; index = text.IndexOf(value, index + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
