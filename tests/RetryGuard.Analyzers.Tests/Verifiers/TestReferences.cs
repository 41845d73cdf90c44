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

    /// <summary>
    /// What the runtime's public signatures need beyond the framework (<c>RetryGuardPolicy(options, ILogger?)</c>); a
    /// package consumer gets it as the package's dependency.
    /// </summary>
    public static MetadataReference RuntimeLogging { get; } =
        MetadataReference.CreateFromFile(typeof(global::Microsoft.Extensions.Logging.ILogger).Assembly.Location);

    /// <summary>OpenAI's .NET SDK with System.ClientModel and BinaryData (RG0006).</summary>
    public static ImmutableArray<MetadataReference> OpenAI { get; } = ImmutableArray.Create<MetadataReference>(
        MetadataReference.CreateFromFile(typeof(global::OpenAI.Chat.ChatClient).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(global::System.ClientModel.ApiKeyCredential).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(global::System.BinaryData).Assembly.Location));

    /// <summary>
    /// Polly v7 (<c>Policy</c>), Polly.Core (v8), Polly.Contrib.WaitAndRetry, Polly.Extensions.Http and
    /// Microsoft.Extensions.Http.Resilience, with the assemblies their public signatures need
    /// (<c>IHttpClientBuilder</c>, <c>IServiceCollection</c>, options, logging).
    /// </summary>
    public static ImmutableArray<MetadataReference> Polly { get; } = CreatePolly();

    private static ImmutableArray<MetadataReference> CreatePolly()
    {
        var roots = new[]
        {
            typeof(global::Polly.Policy).Assembly,
            typeof(global::Polly.ResiliencePipeline).Assembly,
            typeof(global::Polly.Contrib.WaitAndRetry.Backoff).Assembly,
            typeof(global::Polly.Extensions.Http.HttpPolicyExtensions).Assembly,
            typeof(global::Microsoft.Extensions.Http.Resilience.HttpRetryStrategyOptions).Assembly,
        };

        var locations = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var assembly in roots)
        {
            locations.Add(assembly.Location);
        }

        // Dependencies that compilations using those APIs bind against, copied next to the test assembly.
        string[] dependencies =
        {
            "Polly.Extensions", "Polly.RateLimiting", "Microsoft.Extensions.Resilience", "Microsoft.Extensions.Http",
            "Microsoft.Extensions.Http.Diagnostics", "Microsoft.Extensions.DependencyInjection.Abstractions",
            "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Options", "Microsoft.Extensions.Logging.Abstractions",
            "Microsoft.Extensions.Diagnostics.Abstractions", "Microsoft.Extensions.Configuration.Abstractions",
            "Microsoft.Extensions.Telemetry.Abstractions", "Microsoft.Extensions.Primitives",
            "Microsoft.Extensions.Configuration.Binder", "Microsoft.Extensions.Configuration",
            "Microsoft.Extensions.Options.ConfigurationExtensions",
        };
        foreach (string name in dependencies)
        {
            string path = Path.Combine(AppContext.BaseDirectory, name + ".dll");
            if (File.Exists(path))
            {
                locations.Add(path);
            }
        }

        var references = ImmutableArray.CreateBuilder<MetadataReference>();
        foreach (string location in locations)
        {
            references.Add(MetadataReference.CreateFromFile(location));
        }

        return references.ToImmutable();
    }
}
