using Microsoft.CodeAnalysis;

namespace RetryGuard.Analyzers.Model;

/// <summary>
/// The types the retry model recognises, resolved once per compilation. Any of them may be absent.
/// </summary>
internal sealed class KnownSymbols
{
    private KnownSymbols(Compilation compilation)
    {
        Compilation = compilation;
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        Thread = compilation.GetTypeByMetadataName("System.Threading.Thread");
        TimeProvider = compilation.GetTypeByMetadataName("System.TimeProvider");
        TimeSpan = compilation.GetTypeByMetadataName("System.TimeSpan");
        Random = compilation.GetTypeByMetadataName("System.Random");
        RandomNumberGenerator = compilation.GetTypeByMetadataName("System.Security.Cryptography.RandomNumberGenerator");
        Math = compilation.GetTypeByMetadataName("System.Math");
        HttpStatusCode = compilation.GetTypeByMetadataName("System.Net.HttpStatusCode");
        HttpResponseMessage = compilation.GetTypeByMetadataName("System.Net.Http.HttpResponseMessage");
        HttpHeaders = compilation.GetTypeByMetadataName("System.Net.Http.Headers.HttpHeaders");
        RetryConditionHeaderValue = compilation.GetTypeByMetadataName("System.Net.Http.Headers.RetryConditionHeaderValue");
        RetryGuardBackoff = compilation.GetTypeByMetadataName("RetryGuard.Backoff");
        RetryGuardRetryAfter = compilation.GetTypeByMetadataName("RetryGuard.RetryAfter");
        RetryGuardStatusPolicy = compilation.GetTypeByMetadataName("RetryGuard.HttpStatusPolicy");
    }

    public Compilation Compilation { get; }
    public INamedTypeSymbol? Task { get; }
    public INamedTypeSymbol? Thread { get; }
    public INamedTypeSymbol? TimeProvider { get; }
    public INamedTypeSymbol? TimeSpan { get; }
    public INamedTypeSymbol? Random { get; }
    public INamedTypeSymbol? RandomNumberGenerator { get; }
    public INamedTypeSymbol? Math { get; }
    public INamedTypeSymbol? HttpStatusCode { get; }
    public INamedTypeSymbol? HttpResponseMessage { get; }
    public INamedTypeSymbol? HttpHeaders { get; }
    public INamedTypeSymbol? RetryConditionHeaderValue { get; }
    public INamedTypeSymbol? RetryGuardBackoff { get; }
    public INamedTypeSymbol? RetryGuardRetryAfter { get; }
    public INamedTypeSymbol? RetryGuardStatusPolicy { get; }

    /// <summary>
    /// Null when the compilation has no way to wait between attempts (neither Task nor Thread): no rule about
    /// retry delays can fire, so the analyzers register nothing.
    /// </summary>
    public static KnownSymbols? TryCreate(Compilation compilation)
    {
        var symbols = new KnownSymbols(compilation);
        return symbols.Task is null && symbols.Thread is null ? null : symbols;
    }

    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known) =>
        type is not null && known is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, known);

    public static bool IsOrDerives(ITypeSymbol? type, INamedTypeSymbol? known)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (Is(current, known))
            {
                return true;
            }
        }

        return false;
    }
}
