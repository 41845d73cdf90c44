using Microsoft.CodeAnalysis;

namespace RetryGuard.Analyzers.Model.Polly;

/// <summary>
/// The Polly v7, Polly v8 (Polly.Core) and Microsoft.Extensions.Http.Resilience types the Polly recognizer needs,
/// resolved once per compilation. Any of them may be absent; when all the retry entry points are absent the
/// recognizer is not registered at all.
/// </summary>
internal sealed class KnownPollySymbols
{
    private KnownPollySymbols(Compilation compilation)
    {
        Policy = compilation.GetTypeByMetadataName("Polly.Policy");
        PolicyOfT = compilation.GetTypeByMetadataName("Polly.Policy`1");
        PolicyBuilder = compilation.GetTypeByMetadataName("Polly.PolicyBuilder");
        PolicyBuilderOfT = compilation.GetTypeByMetadataName("Polly.PolicyBuilder`1");
        HttpPolicyExtensions = compilation.GetTypeByMetadataName("Polly.Extensions.Http.HttpPolicyExtensions");
        ContribBackoff = compilation.GetTypeByMetadataName("Polly.Contrib.WaitAndRetry.Backoff");
        RetryStrategyOptions = compilation.GetTypeByMetadataName("Polly.Retry.RetryStrategyOptions");
        RetryStrategyOptionsOfT = compilation.GetTypeByMetadataName("Polly.Retry.RetryStrategyOptions`1");
        PredicateBuilder = compilation.GetTypeByMetadataName("Polly.PredicateBuilder");
        PredicateBuilderOfT = compilation.GetTypeByMetadataName("Polly.PredicateBuilder`1");
        PredicateResult = compilation.GetTypeByMetadataName("Polly.PredicateResult");
        OutcomeOfT = compilation.GetTypeByMetadataName("Polly.Outcome`1");
        DelayBackoffType = compilation.GetTypeByMetadataName("Polly.DelayBackoffType");
        HttpRetryStrategyOptions = compilation.GetTypeByMetadataName("Microsoft.Extensions.Http.Resilience.HttpRetryStrategyOptions");
        HttpStandardResilienceOptions = compilation.GetTypeByMetadataName("Microsoft.Extensions.Http.Resilience.HttpStandardResilienceOptions");
        HttpClientResiliencePredicates = compilation.GetTypeByMetadataName("Microsoft.Extensions.Http.Resilience.HttpClientResiliencePredicates");
        HttpRequestException = compilation.GetTypeByMetadataName("System.Net.Http.HttpRequestException");
        Exception = compilation.GetTypeByMetadataName("System.Exception");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
    }

    public INamedTypeSymbol? Policy { get; }
    public INamedTypeSymbol? PolicyOfT { get; }
    public INamedTypeSymbol? PolicyBuilder { get; }
    public INamedTypeSymbol? PolicyBuilderOfT { get; }
    public INamedTypeSymbol? HttpPolicyExtensions { get; }
    public INamedTypeSymbol? ContribBackoff { get; }
    public INamedTypeSymbol? RetryStrategyOptions { get; }
    public INamedTypeSymbol? RetryStrategyOptionsOfT { get; }
    public INamedTypeSymbol? PredicateBuilder { get; }
    public INamedTypeSymbol? PredicateBuilderOfT { get; }
    public INamedTypeSymbol? PredicateResult { get; }
    public INamedTypeSymbol? OutcomeOfT { get; }
    public INamedTypeSymbol? DelayBackoffType { get; }
    public INamedTypeSymbol? HttpRetryStrategyOptions { get; }
    public INamedTypeSymbol? HttpStandardResilienceOptions { get; }
    public INamedTypeSymbol? HttpClientResiliencePredicates { get; }
    public INamedTypeSymbol? HttpRequestException { get; }
    public INamedTypeSymbol? Exception { get; }
    public INamedTypeSymbol? ValueTaskOfT { get; }
    public INamedTypeSymbol? ValueTask { get; }
    public INamedTypeSymbol? TaskOfT { get; }

    public bool HasV7 => PolicyBuilder is not null || PolicyBuilderOfT is not null;

    public bool HasV8 => RetryStrategyOptionsOfT is not null;

    public bool HasStandardHandler => HttpStandardResilienceOptions is not null;

    /// <summary>Null when the compilation references neither Polly, Polly.Core nor Microsoft.Extensions.Http.Resilience.</summary>
    public static KnownPollySymbols? TryCreate(Compilation compilation)
    {
        var symbols = new KnownPollySymbols(compilation);
        return symbols.HasV7 || symbols.HasV8 || symbols.HasStandardHandler ? symbols : null;
    }

    /// <summary>The <c>TResult</c> of <c>RetryStrategyOptions&lt;TResult&gt;</c> that <paramref name="type"/> is or derives from.</summary>
    public ITypeSymbol? RetryOptionsResult(ITypeSymbol? type)
    {
        for (var current = type as INamedTypeSymbol; current is not null; current = current.BaseType)
        {
            if (KnownSymbols.Is(current, RetryStrategyOptionsOfT) && current.TypeArguments.Length == 1)
            {
                return current.TypeArguments[0];
            }
        }

        return null;
    }

    public bool IsException(ITypeSymbol? type) => KnownSymbols.IsOrDerives(type, Exception);

    public bool IsOutcome(ITypeSymbol? type) => KnownSymbols.Is(type, OutcomeOfT);
}
