using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace RetryGuard.Package.Tests;

/// <summary>What is inside RetryGuard.nupkg, read with System.IO.Compression as NuGet itself would.</summary>
[Collection(PackageCollection.Name)]
public sealed class PackageContentsTests(PackedPackage package)
{
    private static readonly string[] ExpectedFiles =
    [
        "README.md",
        "analyzers/dotnet/cs/RetryGuard.Analyzers.dll",
        "analyzers/dotnet/cs/RetryGuard.CodeFixes.dll",
        "build/RetryGuard.props",
        "buildTransitive/RetryGuard.props",
        "lib/net8.0/RetryGuard.Runtime.dll",
        "lib/net8.0/RetryGuard.Runtime.xml",
        "lib/netstandard2.0/RetryGuard.Runtime.dll",
        "lib/netstandard2.0/RetryGuard.Runtime.xml",
    ];

    [Fact]
    public void Package_holds_exactly_the_analyzers_the_runtime_the_props_and_the_readme()
    {
        package.AssertPacked();
        using var archive = ZipFile.OpenRead(package.PackagePath);

        var files = archive.Entries
            .Select(entry => entry.FullName)
            .Where(name => !IsPackagingMetadata(name))
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(ExpectedFiles.Order(StringComparer.Ordinal), files);
    }

    [Theory]
    [InlineData("analyzers/dotnet/cs/RetryGuard.Analyzers.dll", "RetryGuard.Analyzers", "netstandard")]
    [InlineData("analyzers/dotnet/cs/RetryGuard.CodeFixes.dll", "RetryGuard.CodeFixes", "netstandard")]
    [InlineData("lib/netstandard2.0/RetryGuard.Runtime.dll", "RetryGuard.Runtime", "netstandard")]
    [InlineData("lib/net8.0/RetryGuard.Runtime.dll", "RetryGuard.Runtime", "System.Runtime")]
    public void Each_assembly_is_the_one_its_folder_promises(string entryName, string assemblyName, string coreLibrary)
    {
        package.AssertPacked();
        using var archive = ZipFile.OpenRead(package.PackagePath);

        var (name, references) = ReadMetadata(archive, entryName, metadata => (
            metadata.GetString(metadata.GetAssemblyDefinition().Name),
            metadata.AssemblyReferences.Select(handle => metadata.GetString(metadata.GetAssemblyReference(handle).Name)).ToList()));

        Assert.Equal(assemblyName, name);
        Assert.Contains(coreLibrary, references);
    }

    [Fact]
    public void Runtime_assemblies_carry_the_public_Backoff_helper_the_code_fixes_emit()
    {
        package.AssertPacked();
        using var archive = ZipFile.OpenRead(package.PackagePath);

        foreach (var framework in new[] { "netstandard2.0", "net8.0" })
        {
            var types = ReadMetadata(archive, $"lib/{framework}/RetryGuard.Runtime.dll", metadata => metadata.TypeDefinitions
                .Select(metadata.GetTypeDefinition)
                .Where(type => type.Attributes.HasFlag(System.Reflection.TypeAttributes.Public))
                .Select(type => $"{metadata.GetString(type.Namespace)}.{metadata.GetString(type.Name)}")
                .ToList());
            Assert.Contains("RetryGuard.Backoff", types);
        }
    }

    [Fact]
    public void Nuspec_names_the_package_its_dependency_groups_and_is_not_a_development_dependency()
    {
        package.AssertPacked();
        using var archive = ZipFile.OpenRead(package.PackagePath);
        var nuspecEntry = Assert.Single(archive.Entries, entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !entry.FullName.Contains('/'));

        XDocument nuspec;
        using (var stream = nuspecEntry.Open())
        {
            nuspec = XDocument.Load(stream);
        }

        var metadata = nuspec.Root!.Elements().Single(element => element.Name.LocalName == "metadata");
        string? Value(string name) => metadata.Elements().SingleOrDefault(element => element.Name.LocalName == name)?.Value;

        Assert.Equal(PackedPackage.Id, Value("id"));
        Assert.Equal(package.Version, Value("version"));
        Assert.Equal("README.md", Value("readme"));

        // A development dependency would hide the runtime from the consumer's compile: users call RetryGuard's API.
        Assert.True(Value("developmentDependency") is null or "false",
            $"The package must not be a development dependency, but the nuspec says developmentDependency={Value("developmentDependency")}.");

        var groups = metadata.Descendants()
            .Where(element => element.Name.LocalName == "group")
            .ToDictionary(
                group => group.Attribute("targetFramework")?.Value ?? "",
                group => group.Elements().Where(element => element.Name.LocalName == "dependency").Select(dependency => dependency.Attribute("id")!.Value).ToHashSet());

        Assert.Equal(new[] { ".NETStandard2.0", "net8.0" }, groups.Keys.Order(StringComparer.Ordinal));
        foreach (var (framework, dependencies) in groups)
        {
            // The analyzers and code fixes travel inside the package: their projects must not become package dependencies.
            Assert.DoesNotContain(dependencies, id => id.StartsWith("RetryGuard", StringComparison.OrdinalIgnoreCase));
            Assert.True(dependencies.Contains("Microsoft.Extensions.Http"), $"{framework} lacks the Microsoft.Extensions.Http dependency: {string.Join(", ", dependencies)}");
            Assert.True(dependencies.Contains("System.Threading.RateLimiting"), $"{framework} lacks the System.Threading.RateLimiting dependency: {string.Join(", ", dependencies)}");
        }

        // netstandard2.0 has no TimeProvider of its own; net8.0 must not drag in the polyfill.
        Assert.Contains("Microsoft.Bcl.TimeProvider", groups[".NETStandard2.0"]);
        Assert.DoesNotContain("Microsoft.Bcl.TimeProvider", groups["net8.0"]);
    }

    [Fact]
    public void Build_and_buildTransitive_carry_the_same_props_as_the_source_tree()
    {
        package.AssertPacked();
        using var archive = ZipFile.OpenRead(package.PackagePath);
        var source = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "src", "Runtime", "build", "RetryGuard.props"));

        Assert.Equal(source, ReadText(archive, "build/RetryGuard.props"));
        Assert.Equal(source, ReadText(archive, "buildTransitive/RetryGuard.props"));
    }

    /// <summary>Files NuGet writes about the package rather than into it.</summary>
    private static bool IsPackagingMetadata(string name) =>
        name == "[Content_Types].xml"
        || name.StartsWith("_rels/", StringComparison.Ordinal)
        || name.StartsWith("package/services/metadata/", StringComparison.Ordinal)
        || (name.EndsWith(".nuspec", StringComparison.Ordinal) && !name.Contains('/'));

    private static string ReadText(ZipArchive archive, string entryName)
    {
        var entry = archive.GetEntry(entryName);
        Assert.True(entry is not null, $"The package has no {entryName}.");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    private static T ReadMetadata<T>(ZipArchive archive, string entryName, Func<MetadataReader, T> read)
    {
        var entry = archive.GetEntry(entryName);
        Assert.True(entry is not null, $"The package has no {entryName}.");

        using var image = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(image);
        }

        image.Position = 0;
        using var pe = new PEReader(image);
        return read(pe.GetMetadataReader());
    }
}
