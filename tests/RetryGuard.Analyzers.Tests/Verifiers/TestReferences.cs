using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace RetryGuard.Analyzers.Tests.Verifiers;

/// <summary>
/// Offline references for test compilations: the .NET 10 reference assemblies shipped in a package (the testing
/// library's own ReferenceAssemblies.Net.* download versions that are not served here), plus the real RetryGuard
/// runtime assembly so that fixed code is compiled against what users get.
/// </summary>
internal static class TestReferences
{
    /// <summary>No reference package to resolve: every reference comes from <see cref="Net100"/>.</summary>
    public static ReferenceAssemblies None { get; } = new("net10.0");

    public static ImmutableArray<MetadataReference> Net100 { get; } =
        ImmutableArray.CreateRange<MetadataReference>(Basic.Reference.Assemblies.Net100.References.All);

    public static MetadataReference Runtime { get; } =
        MetadataReference.CreateFromFile(typeof(global::RetryGuard.Backoff).Assembly.Location);
}
