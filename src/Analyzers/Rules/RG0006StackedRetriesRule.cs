using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using RetryGuard.Analyzers.Model;

namespace RetryGuard.Analyzers.Rules;

/// <summary>
/// RG0006: a hand-written retry around a call of an SDK client that retries on its own (System.ClientModel clients
/// such as OpenAI's, Azure.Core clients). Reported on the SDK call, only when the hand-written retry goes on after a
/// transport failure (a caught SDK/HTTP exception or a retryable status), and not when the client's retries are
/// visibly turned off or replaced in the same type.
/// </summary>
internal static partial class RG0006StackedRetriesRule
{
    /// <summary>Both System.ClientModel's ClientRetryPolicy and Azure.Core's RetryOptions default to 3 retries.</summary>
    private const int SdkAttempts = 4;

    /// <summary>Words of a filter or predicate that names a status the clients retry themselves.</summary>
    private static readonly string[] RetryableStatusWords =
    {
        "408", "429", "500", "502", "503", "504", "499", "RequestTimeout", "TooManyRequests", "InternalServerError", "BadGateway",
        "ServiceUnavailable", "GatewayTimeout", "Transient", "Retryable",
    };

    public static void Check(RetryConstruct construct, Action<Diagnostic> report, System.Threading.CancellationToken cancellationToken)
    {
        if (construct.Kind is not (RetryKind.Loop or RetryKind.Goto or RetryKind.Recursion or RetryKind.CatchRetry))
        {
            return;
        }

        var compilation = construct.Root.SemanticModel?.Compilation;
        if (compilation is null || !MayApply(compilation))
        {
            return;
        }

        var region = Region(construct);
        if (region is null)
        {
            return;
        }

        var sdk = Sdk.For(compilation);
        var reported = new HashSet<IOperation>();
        foreach (var operation in region.Value.Operations)
        {
            if (operation is not IInvocationOperation call ||
                ClientOf(call, sdk, compilation, cancellationToken) is not { } client ||
                !region.Value.Contains(call) ||
                !RetriedOnTransportFailure(construct, call, region.Value.Boundary) ||
                !reported.Add(call))
            {
                continue;
            }

            report(Diagnostic.Create(RuleCatalog.RG0006StackedRetries, call.Syntax.GetLocation(), client.Display, client.Multiplication(AttemptCap(construct))));
        }
    }

    /// <summary>Cheap: whether the compilation references a client kind that retries on its own (no scan).</summary>
    public static bool MayApply(Compilation compilation) => Sdk.For(compilation) is not null || ResilientHttpClients.Referenced(compilation);

    private readonly struct RetriedRegion
    {
        public RetriedRegion(IOperation boundary, IEnumerable<IOperation> operations, Microsoft.CodeAnalysis.Text.TextSpan? span)
        {
            Boundary = boundary;
            Operations = operations;
            Span = span;
        }

        public IOperation Boundary { get; }

        public IEnumerable<IOperation> Operations { get; }

        public Microsoft.CodeAnalysis.Text.TextSpan? Span { get; }

        public bool Contains(IOperation operation) => Span is not { } span || span.Contains(operation.Syntax.Span);
    }

    /// <summary>The operations an attempt runs: the loop body, the function body, the code between label and goto.</summary>
    private static RetriedRegion? Region(RetryConstruct construct)
    {
        switch (construct.Kind)
        {
            case RetryKind.Loop when construct.Root is ILoopOperation loop && loop.Body is not null:
                return new RetriedRegion(loop.Body, OperationWalk.Descendants(loop.Body, intoFunctions: false), null);
            case RetryKind.CatchRetry when construct.Root is ITryOperation attempt:
                return new RetriedRegion(attempt, OperationWalk.Descendants(attempt, intoFunctions: false), null);
            case RetryKind.Recursion or RetryKind.Goto when FunctionBody(construct.Root) is { } body:
                Microsoft.CodeAnalysis.Text.TextSpan? span = null;
                if (construct.Root is IBranchOperation { Target: { } label } jump)
                {
                    foreach (var operation in OperationWalk.Descendants(body, intoFunctions: false))
                    {
                        if (operation is ILabeledOperation labeled && SymbolEqualityComparer.Default.Equals(labeled.Label, label))
                        {
                            span = Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(labeled.Syntax.SpanStart, jump.Syntax.Span.End);
                            break;
                        }
                    }

                    if (span is null)
                    {
                        return null;
                    }
                }

                return new RetriedRegion(body, OperationWalk.Descendants(body, intoFunctions: false), span);
            default:
                return null;
        }
    }

    private static IOperation? FunctionBody(IOperation operation)
    {
        for (var current = operation; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case ILocalFunctionOperation local:
                    return local.Body;
                case IAnonymousFunctionOperation anonymous:
                    return anonymous.Body;
                case IMethodBodyOperation method:
                    return (IOperation?)method.BlockBody ?? method.ExpressionBody;
                case IBlockOperation block when block.Parent is null:
                    return block;
            }
        }

        return null;
    }

    /// <summary>
    /// The retry goes on after the kind of failure the SDK retries itself: the call sits in a try whose catch takes
    /// the SDK's or HTTP's exceptions (or any exception), or the construct retries 408/429/5xx statuses. A retry
    /// around a call that only re-asks on a parse or validation failure is a different layer: not reported.
    /// </summary>
    private static bool RetriedOnTransportFailure(RetryConstruct construct, IInvocationOperation call, IOperation boundary)
    {
        for (var current = call.Parent; current is not null && current != boundary.Parent; current = current.Parent)
        {
            if (current is ITryOperation attempt && IsWithin(call, attempt.Body))
            {
                foreach (var clause in attempt.Catches)
                {
                    if (Sdk.IsTransportException(clause.ExceptionType) && FilterAdmitsTransport(clause.Filter))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return false;
            }
        }

        return construct.RetryStatuses is { } statuses && RetriesWhatTheSdkRetries(statuses);
    }

    private static bool RetriesWhatTheSdkRetries(StatusSet statuses) =>
        statuses.Contains(408) || statuses.Contains(429) || statuses.Contains(500) || statuses.Contains(502) ||
        statuses.Contains(503) || statuses.Contains(504);

    private static bool IsWithin(IOperation operation, IOperation container) =>
        container.Syntax.Span.Contains(operation.Syntax.Span) && container.Syntax.SyntaxTree == operation.Syntax.SyntaxTree;

    /// <summary>
    /// No filter, or one that does not single out a parse or validation failure (<c>when (attempt &lt; 3)</c> and
    /// status filters are fine; <c>when (e.InnerException is JsonException)</c> is a different layer).
    /// </summary>
    private static bool FilterAdmitsTransport(IOperation? filter)
    {
        if (filter is null)
        {
            return true;
        }

        string text = filter.Syntax.ToString();
        foreach (var word in new[] { "Json", "Format", "Parse", "Valid", "Schema", "Deserializ" })
        {
            if (text.IndexOf(word, StringComparison.Ordinal) >= 0)
            {
                return false;
            }
        }

        // A status filter must name a status the SDK retries itself (a retry of 400 only multiplies nothing).
        if (text.IndexOf("Status", StringComparison.Ordinal) >= 0)
        {
            foreach (var word in RetryableStatusWords)
            {
                if (text.IndexOf(word, StringComparison.Ordinal) >= 0)
                {
                    return true;
                }
            }

            return false;
        }

        return true;
    }

    /// <summary>
    /// In the type that holds the retry, an options object's retries are turned off or replaced:
    /// <c>RetryPolicy = …</c> (anything but <c>new ClientRetryPolicy(n)</c> with n &gt; 0) or <c>MaxRetries = 0</c>.
    /// </summary>
    private static bool RetriesVisiblyChanged(IInvocationOperation call)
    {
        var type = call.Syntax.FirstAncestorOrSelf<TypeDeclarationSyntax>();
        return type is not null && (bool)RetriesChangedByType.GetValue(type, ScanRetriesChanged);
    }

    /// <summary>
    /// <see cref="RetriesVisiblyChanged"/> per type declaration, scanned once however many SDK calls it holds (the
    /// table is thread-safe; the value is a boxed bool).
    /// </summary>
    private static readonly ConditionalWeakTable<TypeDeclarationSyntax, object> RetriesChangedByType = new();

    private static readonly object Changed = true;

    private static readonly object Unchanged = false;

    private static readonly ConditionalWeakTable<TypeDeclarationSyntax, object>.CreateValueCallback ScanRetriesChanged =
        type => ChangesRetries(type) ? Changed : Unchanged;

    private static bool ChangesRetries(TypeDeclarationSyntax type)
    {
        foreach (var node in type.DescendantNodes())
        {
            if (node is not AssignmentExpressionSyntax assignment)
            {
                continue;
            }

            string? name = assignment.Left switch
            {
                IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
                MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
                _ => null,
            };

            if (name == "RetryPolicy")
            {
                if (!(assignment.Right is ObjectCreationExpressionSyntax { ArgumentList.Arguments: { Count: > 0 } arguments } creation &&
                      creation.Type.ToString().EndsWith("ClientRetryPolicy", StringComparison.Ordinal) &&
                      arguments[0].Expression is LiteralExpressionSyntax { Token.Value: int retries } && retries > 0))
                {
                    return true;
                }
            }
            else if (name == "MaxRetries" && assignment.Right is LiteralExpressionSyntax { Token.Value: 0 })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The attempts of a <c>for (int i = a; i &lt; b; i++)</c> loop with constant bounds, else null.</summary>
    private static int? AttemptCap(RetryConstruct construct)
    {
        if (construct.Root is not IForLoopOperation loop ||
            loop.Condition is not IBinaryOperation { LeftOperand: ILocalReferenceOperation counter } condition ||
            condition.RightOperand.ConstantValue is not { HasValue: true, Value: int end } ||
            loop.Before.Length != 1)
        {
            return null;
        }

        int? start = null;
        foreach (var declarator in OperationWalk.Descendants(loop.Before[0], intoFunctions: false))
        {
            if (declarator is IVariableDeclaratorOperation { Initializer.Value.ConstantValue: { HasValue: true, Value: int value } } declared &&
                SymbolEqualityComparer.Default.Equals(declared.Symbol, counter.Local))
            {
                start = value;
            }
        }

        if (start is not { } first)
        {
            return null;
        }

        int count = condition.OperatorKind switch
        {
            BinaryOperatorKind.LessThan => end - first,
            BinaryOperatorKind.LessThanOrEqual => end - first + 1,
            _ => 0,
        };

        return count is > 1 and <= 1000 ? count : null;
    }

    /// <summary>The SDK base types of one compilation, and which client types derive from them.</summary>
    private sealed class Sdk
    {
        private static readonly ConditionalWeakTable<Compilation, Sdk?[]> Cache = new();
        private readonly INamedTypeSymbol? _pipelineOptions;
        private readonly INamedTypeSymbol? _azureOptions;
        private readonly ConcurrentDictionary<INamedTypeSymbol, string?> _kinds = new(SymbolEqualityComparer.Default);

        private Sdk(INamedTypeSymbol? pipelineOptions, INamedTypeSymbol? azureOptions)
        {
            _pipelineOptions = pipelineOptions;
            _azureOptions = azureOptions;
        }

        /// <summary>Null (nothing to check) when the compilation references neither System.ClientModel nor Azure.Core.</summary>
        public static Sdk? For(Compilation compilation) =>
            Cache.GetValue(compilation, c =>
            {
                var pipelineOptions = c.GetTypeByMetadataName("System.ClientModel.Primitives.ClientPipelineOptions");
                var azureOptions = c.GetTypeByMetadataName("Azure.Core.ClientOptions");
                return new[] { pipelineOptions is null && azureOptions is null ? null : new Sdk(pipelineOptions, azureOptions) };
            })[0];

        /// <summary>"OpenAI SDK", "Azure SDK", "System.ClientModel client" — or null for a type that is no retrying client.</summary>
        public string? Kind(INamedTypeSymbol type) => _kinds.GetOrAdd(type, Classify);

        private string? Classify(INamedTypeSymbol type)
        {
            for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
            {
                foreach (var constructor in current.InstanceConstructors)
                {
                    foreach (var parameter in constructor.Parameters)
                    {
                        if (KnownSymbols.IsOrDerives(parameter.Type, _pipelineOptions))
                        {
                            return Namespace(type).StartsWith("OpenAI", StringComparison.Ordinal) ? "OpenAI SDK" : "System.ClientModel pipeline";
                        }

                        if (KnownSymbols.IsOrDerives(parameter.Type, _azureOptions))
                        {
                            return "Azure SDK";
                        }
                    }
                }
            }

            return null;
        }

        private static string Namespace(ISymbol symbol) => symbol.ContainingNamespace?.ToDisplayString() ?? string.Empty;

        /// <summary>A call that sends a request: it returns a ClientResult, a collection result, or an Azure Response/Pageable/Operation.</summary>
        public bool IsServiceResult(ITypeSymbol type)
        {
            if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } awaited &&
                awaited.Name is "Task" or "ValueTask" && Namespace(awaited) == "System.Threading.Tasks")
            {
                type = awaited.TypeArguments[0];
            }

            for (var current = type; current is not null; current = current.BaseType)
            {
                string ns = Namespace(current);
                if (ns is "System.ClientModel" or "System.ClientModel.Primitives" &&
                    current.Name is "ClientResult" or "CollectionResult" or "AsyncCollectionResult" or "OperationResult")
                {
                    return true;
                }

                if (ns == "Azure" && current.Name is "Response" or "NullableResponse" or "Pageable" or "AsyncPageable" or "Operation")
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Exceptions a transport failure raises: the SDKs' own, HttpRequestException, IOException, timeouts, or any exception.</summary>
        public static bool IsTransportException(ITypeSymbol? type)
        {
            if (type is null || type.SpecialType == SpecialType.System_Object)
            {
                return true;
            }

            if (type.ToDisplayString() == "System.Exception")
            {
                return true;
            }

            for (var current = type; current is not null; current = current.BaseType)
            {
                if (current.ToDisplayString() is "System.ClientModel.ClientResultException" or "Azure.RequestFailedException" or
                    "System.Net.Http.HttpRequestException" or "System.IO.IOException" or "System.TimeoutException" or
                    "System.Threading.Tasks.TaskCanceledException")
                {
                    return true;
                }
            }

            return false;
        }
    }
}
