using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using RetryGuard.Analyzers.Model.Polly;

namespace RetryGuard.Analyzers.Model;

/// <summary>
/// The HttpClient factory registrations of one compilation that add Microsoft.Extensions.Http.Resilience's standard
/// resilience handler (whose retry strategy retries 408, 429, 5xx and network failures 3 times by default):
/// typed clients (<c>AddHttpClient&lt;TClient&gt;()</c>, <c>AddHttpClient&lt;TClient, TImplementation&gt;()</c>), named
/// clients (<c>AddHttpClient("name")</c>) and every factory client (<c>ConfigureHttpClientDefaults</c>). Built once per
/// compilation, on first use, by a syntax pass that binds only the calls named <c>AddStandardResilienceHandler</c>,
/// <c>RemoveAllResilienceHandlers</c> (and, when defaults are configured, <c>AddHttpClient</c>).
/// </summary>
internal sealed class ResilientHttpClients
{
    private const string ExtensionsType = "Microsoft.Extensions.DependencyInjection.ResilienceHttpClientBuilderExtensions";

    private static readonly ConditionalWeakTable<Compilation, Computed<ResilientHttpClients?>> Cache = new();

    /// <summary>The calls the scan binds; a file that writes none of these names is not walked.</summary>
    private static readonly string[] ScannedNames = { "AddStandardResilienceHandler", "RemoveAllResilienceHandlers", "AddHttpClient" };

    private readonly Dictionary<ITypeSymbol, StandardRetry> _typed = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<string, StandardRetry> _named = new(StringComparer.Ordinal);
    private readonly HashSet<ITypeSymbol> _typedRegistered = new(SymbolEqualityComparer.Default);
    private readonly HashSet<ITypeSymbol> _typedRemoved = new(SymbolEqualityComparer.Default);
    private readonly HashSet<string> _namedRemoved = new(StringComparer.Ordinal);
    private StandardRetry? _defaults;

    private ResilientHttpClients()
    {
    }

    private static readonly ConditionalWeakTable<Compilation, object> ReferencedCache = new();

    /// <summary>True when the compilation references Microsoft.Extensions.Http.Resilience (no scan yet; one type lookup per compilation).</summary>
    public static bool Referenced(Compilation compilation) =>
        (bool)ReferencedCache.GetValue(compilation, c => c.GetTypeByMetadataName(ExtensionsType) is not null);

    /// <summary>The registrations, or null when the compilation adds no standard resilience handler.</summary>
    /// <remarks>
    /// <see cref="Computed{T}"/>: a build that fails is not cached for the compilation, no thread blocks on another's
    /// scan, and each scan runs under the cancellation of the analysis that asked for it. Code the scan does not expect costs the RG0006 diagnostics of the standard
    /// handler's clients, never an AD0001 (debug builds, the tests, let the exception through so it gets fixed).
    /// </remarks>
    public static ResilientHttpClients? For(Compilation compilation, CancellationToken cancellationToken)
    {
        try
        {
            return Cache.GetValue(compilation, c => new Computed<ResilientHttpClients?>(token => Build(c, token))).Get(cancellationToken);
        }
        catch (Exception exception) when (Swallow(exception))
        {
            return null;
        }
    }

    private static bool Swallow(Exception exception)
    {
#if DEBUG
        return false;
#else
        return exception is not OperationCanceledException;
#endif
    }

    /// <summary>The standard handler's retry of a typed client (its implementation type), or null.</summary>
    public StandardRetry? ForTypedClient(ITypeSymbol implementation)
    {
        implementation = implementation.OriginalDefinition;
        if (_typedRemoved.Contains(implementation))
        {
            return null;
        }

        if (_typed.TryGetValue(implementation, out var retry))
        {
            return retry;
        }

        return _defaults is not null && _typedRegistered.Contains(implementation) ? _defaults : null;
    }

    /// <summary>The standard handler's retry of a named client, or null.</summary>
    public StandardRetry? ForNamedClient(string name)
    {
        if (_namedRemoved.Contains(name))
        {
            return null;
        }

        return _named.TryGetValue(name, out var retry) ? retry : _defaults;
    }

    private static ResilientHttpClients? Build(Compilation compilation, CancellationToken cancellationToken)
    {
        var extensions = compilation.GetTypeByMetadataName(ExtensionsType);
        if (extensions is null)
        {
            return null;
        }

        var adds = new List<InvocationExpressionSyntax>();
        var removes = new List<InvocationExpressionSyntax>();
        var registrations = new List<InvocationExpressionSyntax>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            if (!SourceScan.MayContainIdentifier(tree, ScannedNames, cancellationToken))
            {
                continue;
            }

            foreach (var node in tree.GetRoot(cancellationToken).DescendantNodes())
            {
                if (node is not InvocationExpressionSyntax call)
                {
                    continue;
                }

                switch (MethodName(call.Expression))
                {
                    case "AddStandardResilienceHandler":
                        adds.Add(call);
                        break;
                    case "RemoveAllResilienceHandlers":
                        removes.Add(call);
                        break;
                    case "AddHttpClient":
                        registrations.Add(call);
                        break;
                }
            }
        }

        if (adds.Count == 0)
        {
            return null;
        }

        var clients = new ResilientHttpClients();
        var models = new Dictionary<SyntaxTree, SemanticModel?>();
        SemanticModel? ModelFor(SyntaxTree tree)
        {
            if (!models.TryGetValue(tree, out var model))
            {
#pragma warning disable RS1030 // The registrations live in other files than the retry: no other way to see them in Roslyn 4.8.
                // A helper from a referenced project (the IDE sees its source) lies outside this compilation: not followed.
                model = compilation.ContainsSyntaxTree(tree) ? compilation.GetSemanticModel(tree) : null;
#pragma warning restore RS1030
                models[tree] = model;
            }

            return model;
        }

        var flow = new PollyFlow(ModelFor);
        foreach (var syntax in adds)
        {
            if (ModelFor(syntax.SyntaxTree)?.GetOperation(syntax, cancellationToken) is not IInvocationOperation add ||
                !KnownSymbols.Is(add.TargetMethod.ContainingType, extensions) || Receiver(add) is not { } builder)
            {
                continue;
            }

            var retry = Configured(add);
            switch (KeyOf(builder, flow))
            {
                case { IsDefaults: true }:
                    clients._defaults = Merge(clients._defaults, retry);
                    break;
                case { Type: { } type }:
                    clients._typed[type] = Merge(clients._typed.TryGetValue(type, out var earlier) ? earlier : null, retry);
                    break;
                case { Name: { } name }:
                    clients._named[name] = Merge(clients._named.TryGetValue(name, out var before) ? before : null, retry);
                    break;
            }
        }

        foreach (var syntax in removes)
        {
            if (ModelFor(syntax.SyntaxTree)?.GetOperation(syntax, cancellationToken) is IInvocationOperation remove &&
                KnownSymbols.Is(remove.TargetMethod.ContainingType, extensions) && Receiver(remove) is { } builder)
            {
                switch (KeyOf(builder, flow))
                {
                    case { IsDefaults: true }:
                        // Removed from every client: nothing is known to retry.
                        return null;
                    case { Type: { } type }:
                        clients._typedRemoved.Add(type);
                        break;
                    case { Name: { } name }:
                        clients._namedRemoved.Add(name);
                        break;
                }
            }
        }

        if (clients._defaults is not null)
        {
            foreach (var syntax in registrations)
            {
                if (ModelFor(syntax.SyntaxTree)?.GetOperation(syntax, cancellationToken) is IInvocationOperation registration &&
                    TypedClient(registration) is { } type)
                {
                    clients._typedRegistered.Add(type);
                }
            }
        }

        return clients;
    }

    private static string? MethodName(ExpressionSyntax expression) => expression switch
    {
        MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        SimpleNameSyntax name => name.Identifier.ValueText,
        _ => null,
    };

    private static IOperation? Receiver(IInvocationOperation invocation)
    {
        if (invocation.Instance is { } instance)
        {
            return instance;
        }

        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Ordinal == 0)
            {
                return argument.Value;
            }
        }

        return null;
    }

    private readonly struct Key
    {
        public Key(ITypeSymbol? type, string? name, bool isDefaults)
        {
            Type = type;
            Name = name;
            IsDefaults = isDefaults;
        }

        public ITypeSymbol? Type { get; }

        public string? Name { get; }

        public bool IsDefaults { get; }
    }

    /// <summary>Which clients an <c>IHttpClientBuilder</c> value configures: back through its chain to <c>AddHttpClient</c>.</summary>
    private static Key? KeyOf(IOperation builder, PollyFlow flow)
    {
        var current = flow.Resolve(builder);
        for (int step = 0; step < 32; step++)
        {
            switch (current)
            {
                case IInvocationOperation { TargetMethod.Name: "AddHttpClient" } registration:
                    if (TypedClient(registration) is { } type)
                    {
                        return new Key(type, null, false);
                    }

                    foreach (var argument in registration.Arguments)
                    {
                        if (argument.Parameter?.Name == "name" && argument.Value.ConstantValue is { HasValue: true, Value: string name })
                        {
                            return new Key(null, name, false);
                        }
                    }

                    return null;

                case IInvocationOperation link when Receiver(link) is { } receiver && IsClientBuilder(link.Type):
                    current = flow.Resolve(receiver);
                    continue;

                case IParameterReferenceOperation parameter when IsDefaultsLambdaParameter(parameter.Parameter):
                    return new Key(null, null, true);

                default:
                    return null;
            }
        }

        return null;
    }

    private static bool IsClientBuilder(ITypeSymbol? type) =>
        type?.Name == "IHttpClientBuilder" && type.ContainingNamespace?.ToDisplayString() == "Microsoft.Extensions.DependencyInjection";

    /// <summary>The implementation type of <c>AddHttpClient&lt;TClient&gt;</c> / <c>AddHttpClient&lt;TClient, TImplementation&gt;</c>.</summary>
    private static ITypeSymbol? TypedClient(IInvocationOperation registration) =>
        registration.TargetMethod is { Name: "AddHttpClient", TypeArguments: { Length: > 0 } arguments }
            ? arguments[arguments.Length - 1].OriginalDefinition
            : null;

    /// <summary><c>services.ConfigureHttpClientDefaults(http =&gt; ...)</c>: the lambda's builder configures every factory client.</summary>
    private static bool IsDefaultsLambdaParameter(IParameterSymbol parameter) =>
        parameter.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction } lambda &&
        lambda.DeclaringSyntaxReferences.Length == 1 &&
        lambda.DeclaringSyntaxReferences[0].GetSyntax() is { Parent: ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax call } } } &&
        MethodName(call.Expression) == "ConfigureHttpClientDefaults";

    /// <summary>
    /// What the handler's options lambdas (the call's own and chained <c>.Configure(...)</c>s) do to its retry. A
    /// replaced <c>ShouldHandle</c>, <c>DisableFor…</c>, a replaced or escaping <c>o.Retry</c>, or options the analysis
    /// cannot read: not known to retry (no report). <c>MaxRetryAttempts = n</c> gives the count; a configuration
    /// section leaves it unknown (it is at least 1: Polly validates it).
    /// </summary>
    private static StandardRetry Configured(IInvocationOperation add)
    {
        var retry = StandardRetry.Default;
        IOperation current = add;
        for (int step = 0; step < 8; step++)
        {
            var invocation = (IInvocationOperation)current;
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter?.Ordinal == 0 && invocation.TargetMethod.IsExtensionMethod)
                {
                    continue;
                }

                retry = Apply(retry, argument);
            }

            var parent = current.Parent;
            while (parent is IConversionOperation)
            {
                parent = parent.Parent;
            }

            if (parent is IArgumentOperation { Parameter.Ordinal: 0, Parent: IInvocationOperation { TargetMethod.Name: "Configure" } configure })
            {
                current = configure;
                continue;
            }

            break;
        }

        return retry;
    }

    private static StandardRetry Apply(StandardRetry retry, IArgumentOperation argument)
    {
        var type = argument.Parameter?.Type;
        if (type?.Name is "IConfigurationSection" or "IConfiguration")
        {
            return retry.WithCount(null);
        }

        if (type?.Name == "String" || argument.IsImplicit)
        {
            // The pipeline's name, or an optional argument left out.
            return retry;
        }

        if (PollyFlow.Unwrap(argument.Value) is not IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda } ||
            lambda.Symbol.Parameters.Length == 0)
        {
            return StandardRetry.Unknown;
        }

        var options = lambda.Symbol.Parameters[0];
        foreach (var operation in OperationWalk.Descendants(lambda.Body, intoFunctions: true))
        {
            if (operation is not IPropertyReferenceOperation { Property.Name: "Retry", Instance: IParameterReferenceOperation owner } property ||
                !SymbolEqualityComparer.Default.Equals(owner.Parameter, options))
            {
                continue;
            }

            switch (property.Parent)
            {
                case IPropertyReferenceOperation { Parent: ISimpleAssignmentOperation write } setting when ReferenceEquals(write.Target, setting):
                    switch (setting.Property.Name)
                    {
                        case "ShouldHandle":
                            return StandardRetry.Unknown;
                        case "MaxRetryAttempts":
                            retry = retry.WithCount(write.Value.ConstantValue is { HasValue: true, Value: int count } && count is > 0 and < int.MaxValue ? count : null);
                            break;
                    }

                    break;
                case IPropertyReferenceOperation:
                    // A read (o.Retry.MaxRetryAttempts in a log line): changes nothing.
                    break;
                default:
                    // o.Retry = ..., o.Retry.DisableFor(...), o.Retry handed to a helper.
                    return StandardRetry.Unknown;
            }
        }

        return retry;
    }

    private static StandardRetry Merge(StandardRetry? earlier, StandardRetry retry)
    {
        if (earlier is null)
        {
            return retry;
        }

        if (!earlier.Retrying || !retry.Retrying)
        {
            return StandardRetry.Unknown;
        }

        return earlier.Retries == retry.Retries ? retry : retry.WithCount(null);
    }
}

/// <summary>The standard resilience handler's retry as a registration configures it.</summary>
internal sealed class StandardRetry
{
    private StandardRetry(bool retrying, int? retries)
    {
        Retrying = retrying;
        Retries = retries;
    }

    public static StandardRetry Default { get; } = new(true, 3);

    /// <summary>Configured in a way that may turn the retry off: nothing is reported.</summary>
    public static StandardRetry Unknown { get; } = new(false, null);

    public bool Retrying { get; }

    /// <summary>The retry count, when it can be told.</summary>
    public int? Retries { get; }

    public StandardRetry WithCount(int? retries) => Retrying ? new StandardRetry(true, retries) : this;
}
