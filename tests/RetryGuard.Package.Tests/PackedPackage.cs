using System.Globalization;

namespace RetryGuard.Package.Tests;

/// <summary>
/// Packs RetryGuard once per test run, in Release, with a version of its own so that no earlier copy in the NuGet
/// global packages folder can stand in for it, and removes that copy from the global packages folder afterwards.
/// </summary>
public sealed class PackedPackage : IAsyncLifetime
{
    public const string Id = "RetryGuard";

    /// <summary>The temporary folder that holds the feed, the pack's build output and every consumer project.</summary>
    public string WorkRoot { get; } = Path.Combine(Path.GetTempPath(), "retryguard-package-tests", Guid.NewGuid().ToString("N")[..12]);

    /// <summary>A version no other run uses: the NuGet cache never serves a stale package under it.</summary>
    public string Version { get; } = string.Create(CultureInfo.InvariantCulture,
        $"0.1.0-e2e.{DateTime.UtcNow:yyyyMMddHHmmss}.{Random.Shared.Next(100_000)}");

    /// <summary>The local feed: a folder with the one .nupkg.</summary>
    public string FeedDirectory => Path.Combine(WorkRoot, "feed");

    public string PackagePath => Path.Combine(FeedDirectory, $"{Id}.{Version}.nupkg");

    /// <summary>
    /// The pack's build output (an MSBuild artifacts path), apart from the working tree's bin/ and obj/ so that a
    /// developer's Debug build and this Release pack never share intermediate files.
    /// </summary>
    public string ArtifactsDirectory => Path.Combine(WorkRoot, "artifacts");

    internal CommandResult PackResult { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(FeedDirectory);

        PackResult = await DotNetCli.RunAsync(RepositoryLayout.Root, TimeSpan.FromMinutes(6),
            "pack", RepositoryLayout.RuntimeProject,
            "--configuration", "Release",
            "--output", FeedDirectory,
            "--artifacts-path", ArtifactsDirectory,
            $"-p:PackageVersion={Version}");
    }

    /// <summary>Fails the calling test with the pack's output when the pack itself failed.</summary>
    public void AssertPacked()
    {
        Assert.True(PackResult.Succeeded && File.Exists(PackagePath),
            $"Packing RetryGuard {Version} failed or produced no {PackagePath}. {PackResult.Describe()}");
    }

    /// <summary>Writes a NuGet.config that adds the local feed and keeps the machine's configured sources.</summary>
    public void WriteNuGetConfig(string directory)
    {
        File.WriteAllText(Path.Combine(directory, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="retryguard-under-test" value="{FeedDirectory}" />
              </packageSources>
            </configuration>
            """);
    }

    public Task DisposeAsync()
    {
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        TryDelete(Path.Combine(globalPackages, Id.ToLowerInvariant(), Version.ToLowerInvariant()));
        TryDelete(WorkRoot);
        return Task.CompletedTask;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder or a cached test version is harmless to the next run.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PackedPackage>
{
    public const string Name = "Packed RetryGuard";
}
