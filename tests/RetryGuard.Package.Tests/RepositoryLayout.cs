namespace RetryGuard.Package.Tests;

/// <summary>Where the repository under test is, found from the test assembly's location.</summary>
internal static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    public static string RuntimeProject => Path.Combine(Root, "src", "Runtime", "RetryGuard.Runtime.csproj");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Analyzers.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No Analyzers.sln in {AppContext.BaseDirectory} or any folder above it; the package tests run from the repository's build output.");
    }
}
