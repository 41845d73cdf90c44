using Xunit.Abstractions;

namespace RetryGuard.Package.Tests;

/// <summary>
/// A throwaway project that uses RetryGuard the way a user does: a PackageReference to the packed version, restored
/// from the local feed plus the machine's own sources, in a folder outside the repository.
/// </summary>
internal sealed class ConsumerProject
{
    /// <summary>Generous: a timeout only guards against a hung command, and a shared 2-core machine can be slow.</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(4);

    private readonly ITestOutputHelper _log;

    private ConsumerProject(string directory, string name, ITestOutputHelper log)
    {
        Directory = directory;
        Name = name;
        _log = log;
    }

    public string Directory { get; }

    public string Name { get; }

    public string ProjectPath => Path.Combine(Directory, Name + ".csproj");

    /// <summary>
    /// Creates the project; <paramref name="projectItems"/> is extra MSBuild content (item groups) for its .csproj.
    /// </summary>
    public static ConsumerProject Create(PackedPackage package, ITestOutputHelper log, string name, string outputType = "Exe", string projectItems = "")
    {
        var directory = Path.Combine(package.WorkRoot, name);
        System.IO.Directory.CreateDirectory(directory);

        // The temp folder is outside the repository, but nothing guarantees what lies above it: these stop MSBuild's
        // upward search so that only the package decides what this project sees.
        File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Packages.props"), "<Project />\n");

        package.WriteNuGetConfig(directory);
        File.WriteAllText(Path.Combine(directory, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>{outputType}</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{PackedPackage.Id}" Version="{package.Version}" />
              </ItemGroup>
            {projectItems}
            </Project>
            """);
        return new ConsumerProject(directory, name, log);
    }

    public void WriteFile(string relativePath, string contents) =>
        File.WriteAllText(Path.Combine(Directory, relativePath), contents);

    public string ReadFile(string relativePath) => File.ReadAllText(Path.Combine(Directory, relativePath));

    /// <summary>Runs a <c>dotnet</c> command in the project's folder and logs how long it took.</summary>
    public async Task<CommandResult> DotNetAsync(params string[] arguments)
    {
        var result = await DotNetCli.RunAsync(Directory, CommandTimeout, arguments);
        _log.WriteLine(result.Summary());
        return result;
    }
}
