using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using RetryGuard.Analyzers.Model;
using RetryGuard.Analyzers.Model.Polly;

namespace RetryGuard.Analyzers.Rules;

/// <summary>
/// RG0006, the clients that retry on their own (SDK clients; HttpClients of a factory registration with the standard
/// resilience handler) and Polly policies/pipelines executed around them.
/// </summary>
internal static partial class RG0006StackedRetriesRule
{
    private const string StandardHandler = "standard resilience handler";

    /// <summary>A call of a client that retries on its own: what to call it and how many attempts it makes.</summary>
    private sealed class RetryingClient
    {
        public RetryingClient(string display, string kind, int? attempts, bool byDefault, bool isHttp)
        {
            Display = display;
            Kind = kind;
            Attempts = attempts;
            ByDefault = byDefault;
            IsHttp = isHttp;
        }

        public string Display { get; }

        public string Kind { get; }

        /// <summary>The attempts the client makes for one call, when the count can be told.</summary>
        public int? Attempts { get; }

        public bool ByDefault { get; }

        /// <summary>An HttpClient (its failures are HttpRequestExceptions and statuses), not an SDK client.</summary>
        public bool IsHttp { get; }

        public string Multiplication(int? outer)
        {
            string failures = IsHttp ? "408, 429, 5xx and network failures" : "408, 429 and 5xx";
            string times = ByDefault ? " times by default" : " times";
            return (outer, Attempts) switch
            {
                ({ } o, { } i) => string.Format(CultureInfo.InvariantCulture, "{0} attempts × {1} {2} attempts = up to {3} requests", o, i, Kind, (long)o * i),
                (null, { } i) => string.Format(CultureInfo.InvariantCulture, "each attempt makes up to {0} requests: the {1} retries {2} {3}{4}", i, Kind, failures, i - 1, times),
                ({ } o, null) => string.Format(CultureInfo.InvariantCulture, "{0} attempts, each retried again by the {1} (MaxRetryAttempts from configuration)", o, Kind),
                _ => string.Format(CultureInfo.InvariantCulture, "each attempt is retried again by the {0} (MaxRetryAttempts from configuration)", Kind),
            };
        }
    }

    /// <summary>
    /// A Polly policy or pipeline with a retry runs a delegate that calls a client which retries on its own. Reported
    /// on the client's call when the retry handles that client's failures (its exceptions, any exception, or its
    /// retryable statuses).
    /// </summary>
    public static void CheckExecuted(ExecutedRetry executed, Action<Diagnostic> report, System.Threading.CancellationToken cancellationToken)
    {
        var compilation = executed.Execute.SemanticModel?.Compilation;
        if (compilation is null || !MayApply(compilation))
        {
            return;
        }

        var sdk = Sdk.For(compilation);
        var reported = new HashSet<IOperation>();
        int? outer = executed.Retries is { } retries ? retries + 1 : null;
        foreach (var operation in OperationWalk.Descendants(executed.Body, intoFunctions: false))
        {
            if (operation is IInvocationOperation call &&
                ClientOf(call, sdk, compilation, cancellationToken) is { } client &&
                HandlesFailuresOf(executed, client) &&
                reported.Add(call))
            {
                report(Diagnostic.Create(RuleCatalog.RG0006StackedRetries, call.Syntax.GetLocation(), client.Display, client.Multiplication(outer)));
            }
        }
    }

    private static bool HandlesFailuresOf(ExecutedRetry executed, RetryingClient client)
    {
        foreach (var failure in executed.Failures)
        {
            if (failure.IsUnknown)
            {
                continue;
            }

            if (failure.IsResult)
            {
                if (failure.Statuses is { } statuses ? RetriesWhatTheSdkRetries(statuses) : NamesRetryableStatus(failure.Filter))
                {
                    return true;
                }

                continue;
            }

            if (Sdk.IsTransportException(failure.Exception) && !ForeignException(failure.Exception, client) && FilterAdmitsTransport(failure.Filter))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An SDK's exception handled around an HttpClient (or HttpClient's around an SDK): that client never throws it.</summary>
    private static bool ForeignException(ITypeSymbol? exception, RetryingClient client)
    {
        string name = exception?.ToDisplayString() ?? string.Empty;
        return client.IsHttp
            ? name is "System.ClientModel.ClientResultException" or "Azure.RequestFailedException"
            : name == "System.Net.Http.HttpRequestException";
    }

    private static bool NamesRetryableStatus(IOperation? predicate)
    {
        if (predicate is null)
        {
            return false;
        }

        string text = predicate.Syntax.ToString();
        foreach (var word in RetryableStatusWords)
        {
            if (text.IndexOf(word, StringComparison.Ordinal) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An SDK call that sends a request, or an HTTP call through a factory client with the standard handler.</summary>
    private static RetryingClient? ClientOf(IInvocationOperation call, Sdk? sdk, Compilation compilation, System.Threading.CancellationToken cancellationToken)
    {
        if (sdk is not null &&
            call.Instance?.Type is INamedTypeSymbol client &&
            sdk.Kind(client) is { } kind &&
            sdk.IsServiceResult(call.TargetMethod.ReturnType) &&
            !RetriesVisiblyChanged(call))
        {
            return new RetryingClient(client.Name + "." + call.TargetMethod.Name, kind, SdkAttempts, byDefault: true, isHttp: false);
        }

        return HttpCall(call) is { } receiver ? ResilientClient(call, receiver, compilation, cancellationToken) : null;
    }

    /// <summary>The HttpClient an HTTP call is made on (<c>SendAsync</c>, <c>GetAsync</c>, <c>PostAsJsonAsync</c>, …), or null.</summary>
    private static IOperation? HttpCall(IInvocationOperation call)
    {
        var method = call.TargetMethod;
        if (call.Instance is { } instance && IsHttpClient(method.ContainingType) &&
            (method.Name == "Send" || method.Name.EndsWith("Async", StringComparison.Ordinal)))
        {
            return instance;
        }

        if (method.IsExtensionMethod && method.ContainingType?.Name == "HttpClientJsonExtensions" &&
            method.ContainingType.ContainingNamespace?.ToDisplayString() == "System.Net.Http.Json")
        {
            foreach (var argument in call.Arguments)
            {
                if (argument.Parameter?.Ordinal == 0 && IsHttpClient(argument.Parameter.Type))
                {
                    return argument.Value;
                }
            }
        }

        return null;
    }

    private static bool IsHttpClient(ITypeSymbol? type) =>
        type?.Name == "HttpClient" && type.ContainingNamespace?.ToDisplayString() == "System.Net.Http";

    /// <summary>
    /// Which factory client the receiver is: the HttpClient a typed client's constructor is given (kept in a field or
    /// property, or a primary constructor parameter), or <c>factory.CreateClient("name")</c> with a constant name
    /// (directly, through a local, a field or a property). Null when it is passed in, or registered without the
    /// standard handler.
    /// </summary>
    private static RetryingClient? ResilientClient(IInvocationOperation call, IOperation receiver, Compilation compilation, System.Threading.CancellationToken cancellationToken)
    {
        if (!ResilientHttpClients.Referenced(compilation) || ResilientHttpClients.For(compilation, cancellationToken) is not { } registrations)
        {
            return null;
        }

        var home = call.SemanticModel;
        SemanticModel? Models(SyntaxTree tree)
        {
            if (home is not null && home.SyntaxTree == tree)
            {
                return home;
            }

#pragma warning disable RS1030 // A field assigned in another part of a partial type: no other way to see it in Roslyn 4.8.
            return compilation.ContainsSyntaxTree(tree) ? compilation.GetSemanticModel(tree) : null;
#pragma warning restore RS1030
        }

        var value = new PollyFlow(Models).ResolveThroughMembers(receiver);

        string method = "HttpClient." + call.TargetMethod.Name;
        switch (value)
        {
            case IParameterReferenceOperation { Parameter.ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Constructor } constructor } parameter
                when IsHttpClient(parameter.Parameter.Type) &&
                     registrations.ForTypedClient(constructor.ContainingType) is { Retrying: true } typed:
                return Client(method + " (typed client " + constructor.ContainingType.Name + ")", typed);

            case IInvocationOperation { TargetMethod.Name: "CreateClient" } create when IsClientFactory(create):
            {
                string? name = string.Empty;
                foreach (var argument in create.Arguments)
                {
                    if (argument.Parameter?.Name == "name")
                    {
                        name = argument.Value.ConstantValue is { HasValue: true, Value: string constant } ? constant : null;
                    }
                }

                return name is not null && registrations.ForNamedClient(name) is { Retrying: true } named
                    ? Client(method + " (named client \"" + name + "\")", named)
                    : null;
            }

            default:
                return null;
        }
    }

    private static bool IsClientFactory(IInvocationOperation create)
    {
        var type = create.TargetMethod.ContainingType;
        return type?.ContainingNamespace?.ToDisplayString() == "System.Net.Http" && type.Name is "IHttpClientFactory" or "HttpClientFactoryExtensions";
    }

    private static RetryingClient Client(string display, StandardRetry retry) =>
        new(display, StandardHandler, retry.Retries is { } count ? count + 1 : null, byDefault: ReferenceEquals(retry, StandardRetry.Default), isHttp: true);
}
