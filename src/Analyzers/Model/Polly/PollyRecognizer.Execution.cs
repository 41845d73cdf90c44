using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model.Polly;

/// <summary>
/// <c>policy.ExecuteAsync(...)</c> and <c>pipeline.ExecuteAsync(...)</c>: which retry the executed delegate runs
/// under. The policy or pipeline is followed to where it is built — a local, a readonly field or get-only property
/// with an initializer, a field or property assigned once in its type (the constructor), a helper that returns it —
/// through Polly v7 <c>Wrap</c>s and Polly v8 builder chains.
/// </summary>
internal sealed partial class PollyRecognizer
{
    private static readonly HashSet<string> ExecuteMethods = new() { "Execute", "ExecuteAsync", "ExecuteAndCapture", "ExecuteAndCaptureAsync" };

    /// <summary>A cheap name test before any symbol work: could this invocation run a delegate under a policy?</summary>
    public static bool MayBeExecute(IInvocationOperation invocation) => ExecuteMethods.Contains(invocation.TargetMethod.Name);

    /// <summary>The syntax pre-check: a call written with one of the Execute names.</summary>
    public static bool IsExecuteName(string name) => ExecuteMethods.Contains(name);

    private sealed class Layer
    {
        public Layer(RetryKind kind, int? retries, ImmutableArray<HandledFailure> failures)
        {
            Kind = kind;
            Retries = retries;
            Failures = failures;
        }

        public RetryKind Kind { get; }

        public int? Retries { get; }

        public ImmutableArray<HandledFailure> Failures { get; }
    }

    public ExecutedRetry? RecognizeExecution(IInvocationOperation execute)
    {
        if (!MayBeExecute(execute) || execute.Instance is not { } policy || !IsPollyType(execute.TargetMethod.ContainingType) ||
            execute.Syntax.ContainsDiagnostics || ExecutedBody(execute) is not { } body)
        {
            return null;
        }

        var layer = LayerOf(policy, depth: 0);
        return layer is null ? null : new ExecutedRetry(layer.Kind, execute, body, layer.Retries, layer.Failures);
    }

    /// <summary>The body of the delegate handed to Execute: a lambda, or a local function or method of the same file.</summary>
    private IOperation? ExecutedBody(IInvocationOperation execute)
    {
        foreach (var argument in execute.Arguments)
        {
            if (argument.Parameter?.Type.TypeKind != TypeKind.Delegate)
            {
                continue;
            }

            switch (PollyFlow.Unwrap(argument.Value))
            {
                case IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda }:
                    return lambda.Body;
                case IAnonymousFunctionOperation lambda:
                    return lambda.Body;
                case IDelegateCreationOperation { Target: IMethodReferenceOperation reference }:
                    return MethodBody(reference.Method, execute.Syntax.SyntaxTree);
                default:
                    return null;
            }
        }

        return null;
    }

    private IOperation? MethodBody(IMethodSymbol method, SyntaxTree tree)
    {
        method = method.OriginalDefinition;
        if (method.DeclaringSyntaxReferences.Length != 1 || method.DeclaringSyntaxReferences[0].SyntaxTree != tree ||
            _semanticModels(tree) is not { } model)
        {
            return null;
        }

        return model.GetOperation(method.DeclaringSyntaxReferences[0].GetSyntax()) switch
        {
            ILocalFunctionOperation local => local.Body,
            IMethodBodyOperation body => (IOperation?)body.BlockBody ?? body.ExpressionBody,
            _ => null,
        };
    }

    /// <summary>The retry layer a policy or pipeline value holds, or null when it holds none (or cannot be seen).</summary>
    private Layer? LayerOf(IOperation policy, int depth)
    {
        if (depth > 4 || _flow.ResolveThroughMembers(policy) is not IInvocationOperation invocation)
        {
            return null;
        }

        var method = invocation.TargetMethod;
        if (V7RetryMethods.Contains(method.Name))
        {
            return V7Layer(invocation);
        }

        if (method.Name is "Wrap" or "WrapAsync" && IsPollyType(method.ContainingType))
        {
            var parts = new List<IOperation>();
            if (invocation.Instance is { } outer)
            {
                parts.Add(outer);
            }

            foreach (var argument in invocation.Arguments)
            {
                if (PollyFlow.Unwrap(argument.Value) is IArrayCreationOperation { Initializer: { } elements })
                {
                    parts.AddRange(elements.ElementValues);
                }
                else
                {
                    parts.Add(argument.Value);
                }
            }

            foreach (var part in parts)
            {
                if (LayerOf(part, depth + 1) is { } layer)
                {
                    return layer;
                }
            }

            return null;
        }

        if (method.Name == "Build" && IsPollyType(method.ContainingType) &&
            method.ContainingType.Name.StartsWith("ResiliencePipelineBuilder", StringComparison.Ordinal))
        {
            return V8Layer(invocation);
        }

        return null;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Polly v7
    // ------------------------------------------------------------------------------------------------------------

    private Layer? V7Layer(IInvocationOperation retry)
    {
        var method = retry.TargetMethod;
        if (!method.IsExtensionMethod || method.Parameters.Length == 0 || retry.Syntax.ContainsDiagnostics ||
            method.Parameters[0].Type is not INamedTypeSymbol builderType ||
            !(KnownSymbols.Is(builderType, _polly.PolicyBuilderOfT) || KnownSymbols.Is(builderType, _polly.PolicyBuilder)))
        {
            return null;
        }

        var resultType = KnownSymbols.Is(builderType, _polly.PolicyBuilderOfT) && builderType.TypeArguments.Length == 1 ? builderType.TypeArguments[0] : null;
        IOperation? receiver = null, retryCount = null, durations = null;
        foreach (var argument in retry.Arguments)
        {
            switch (argument.Parameter?.Ordinal == 0 ? "this" : argument.Parameter?.Name)
            {
                case "this":
                    receiver = argument.Value;
                    break;
                case "retryCount":
                    retryCount = argument.Value;
                    break;
                case "sleepDurations":
                    durations = argument.Value;
                    break;
            }
        }

        if (receiver is null)
        {
            return null;
        }

        int? retries = null;
        if (retryCount?.ConstantValue is { HasValue: true, Value: int count })
        {
            if (count <= 0)
            {
                // Retry(0): no retry at all.
                return null;
            }

            retries = count == int.MaxValue ? null : count;
        }
        else if (retryCount is null && durations is not null)
        {
            retries = DurationCount(durations);
        }
        else if (retryCount is null && method.Name is "Retry" or "RetryAsync")
        {
            // Retry() with no count retries once.
            retries = 1;
        }

        if (method.Name.IndexOf("Forever", StringComparison.Ordinal) >= 0)
        {
            retries = null;
        }

        var conditions = new PollyConditions(_symbols, _polly, IsResponse(resultType));
        var predicates = new List<Predicate>();
        CollectV7Predicates(receiver, conditions, predicates, retry.Syntax.SyntaxTree, NameLocation(retry));
        return new Layer(RetryKind.PollyV7, retries, Failures(predicates));
    }

    /// <summary>How many sleep durations a v7 <c>sleepDurations</c> sequence holds, when it can be told.</summary>
    private int? DurationCount(IOperation durations)
    {
        switch (_flow.Resolve(durations))
        {
            case IArrayCreationOperation { Initializer: { } elements }:
                return elements.ElementValues.Length;
            case IInvocationOperation call when KnownSymbols.Is(call.TargetMethod.ContainingType, _polly.ContribBackoff):
                foreach (var argument in call.Arguments)
                {
                    if (argument.Parameter?.Name == "retryCount" && argument.Value.ConstantValue is { HasValue: true, Value: int count } && count > 0)
                    {
                        return count;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Polly v8
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>The first retry strategy of a <c>ResiliencePipelineBuilder</c> chain (or of the builder local's calls).</summary>
    private Layer? V8Layer(IInvocationOperation build)
    {
        var links = new List<IInvocationOperation>();
        CollectLinks(build.Instance, links, followLocal: true, build);
        foreach (var link in links)
        {
            if (link.TargetMethod.Name == "AddRetry" && IsPollyType(link.TargetMethod.ContainingType) && RetryStrategy(link) is { } layer)
            {
                return layer;
            }
        }

        return null;
    }

    /// <summary>The calls of a builder chain, back to its start; a builder local also contributes its other calls.</summary>
    private void CollectLinks(IOperation? receiver, List<IInvocationOperation> links, bool followLocal, IInvocationOperation anchor)
    {
        for (int step = 0; step < 32 && receiver is not null; step++)
        {
            var unwrapped = PollyFlow.Unwrap(receiver);
            if (unwrapped is IInvocationOperation link)
            {
                links.Add(link);
                receiver = link.Instance ?? FirstArgument(link);
                continue;
            }

            if (followLocal && unwrapped is ILocalReferenceOperation local)
            {
                foreach (var write in _flow.WritesOf(anchor, local.Local) ?? new List<IOperation>())
                {
                    CollectLinks(write, links, followLocal: false, anchor);
                }

                foreach (var operation in OperationWalk.Descendants(PollyFlow.RootOf(anchor), intoFunctions: true))
                {
                    if (operation is IInvocationOperation call && !ReferenceEquals(call, anchor) &&
                        call.Parent is IExpressionStatementOperation && ChainStartsAt(call, local.Local))
                    {
                        CollectLinks(call, links, followLocal: false, anchor);
                    }
                }
            }

            return;
        }
    }

    private static bool ChainStartsAt(IInvocationOperation call, ILocalSymbol local)
    {
        IOperation? receiver = call;
        for (int step = 0; step < 32 && PollyFlow.Unwrap(receiver!) is IInvocationOperation link; step++)
        {
            receiver = link.Instance ?? FirstArgument(link);
            if (receiver is null)
            {
                return false;
            }
        }

        return receiver is not null && PollyFlow.Unwrap(receiver) is ILocalReferenceOperation reference &&
               SymbolEqualityComparer.Default.Equals(reference.Local, local);
    }

    /// <summary><c>AddRetry(options)</c>: the options' retry count and what their <c>ShouldHandle</c> handles.</summary>
    private Layer? RetryStrategy(IInvocationOperation addRetry)
    {
        IOperation? options = null;
        foreach (var argument in addRetry.Arguments)
        {
            if (argument.Parameter?.Name == "options")
            {
                options = argument.Value;
            }
        }

        if (options is null || _flow.Resolve(options) is not IObjectCreationOperation { Type: INamedTypeSymbol type } creation ||
            creation.Syntax.ContainsDiagnostics)
        {
            return null;
        }

        bool isHttp = KnownSymbols.Is(type, _polly.HttpRetryStrategyOptions);
        if (!isHttp && !KnownSymbols.Is(type, _polly.RetryStrategyOptionsOfT) && !KnownSymbols.Is(type, _polly.RetryStrategyOptions))
        {
            return null;
        }

        var state = StateOf(creation, type);
        var attempts = state.Get("MaxRetryAttempts");
        int? retries = attempts.Kind switch
        {
            SettingKind.Default => 3,
            SettingKind.Known when attempts.Constant is int count && count is > 0 and < int.MaxValue => count,
            _ => null,
        };

        var failures = ImmutableArray.CreateBuilder<HandledFailure>();
        var shouldHandle = state.Get("ShouldHandle");
        switch (shouldHandle.Kind)
        {
            case SettingKind.Default when isHttp:
                // Microsoft.Extensions.Http.Resilience: network failures, timeouts, 408, 429 and 5xx.
                failures.Add(HandledFailure.OfException(_polly.HttpRequestException, null));
                failures.Add(HandledFailure.OfResult(PollyConditions.Transient, null));
                break;
            case SettingKind.Default:
                // Polly.Core: every exception but OperationCanceledException.
                failures.Add(HandledFailure.OfException(_polly.Exception, null));
                break;
            case SettingKind.Known:
            {
                var resultType = _polly.RetryOptionsResult(type);
                var conditions = new PollyConditions(_symbols, _polly, IsResponse(resultType));
                var predicates = new List<Predicate>();
                CollectShouldHandle(shouldHandle.Value!, conditions, predicates, creation.Syntax.SyntaxTree, creation.Syntax.GetLocation());
                failures.AddRange(Failures(predicates));
                break;
            }

            default:
                failures.Add(HandledFailure.Unknown);
                break;
        }

        return new Layer(RetryKind.PollyV8, retries, failures.ToImmutable());
    }

    // ------------------------------------------------------------------------------------------------------------
    // What the predicates handle
    // ------------------------------------------------------------------------------------------------------------

    private ImmutableArray<HandledFailure> Failures(List<Predicate> predicates)
    {
        var failures = ImmutableArray.CreateBuilder<HandledFailure>();
        foreach (var predicate in predicates)
        {
            switch (predicate.Node)
            {
                case IInvocationOperation { TargetMethod.Name: "Handle" or "Or" or "HandleInner" or "OrInner" } handle:
                    failures.Add(HandledFailure.OfException(
                        handle.TargetMethod.TypeArguments.Length == 1 ? handle.TargetMethod.TypeArguments[0] : _polly.Exception,
                        handle.Arguments.Length == 1 && !handle.Arguments[0].IsImplicit ? handle.Arguments[0].Value : null));
                    break;
                case IInvocationOperation { TargetMethod.Name: "HandleResult" or "OrResult" } result:
                    failures.Add(HandledFailure.OfResult(predicate.Statuses, result.Arguments.Length == 1 ? result.Arguments[0].Value : null));
                    break;
                case IInvocationOperation { TargetMethod.Name: "HandleTransientHttpError" or "OrTransientHttpError" } transient:
                    failures.Add(HandledFailure.OfException(_polly.HttpRequestException, null));
                    failures.Add(HandledFailure.OfResult(predicate.Statuses, transient));
                    break;
                case IInvocationOperation { TargetMethod.Name: "OrTransientHttpStatusCode" } transient:
                    failures.Add(HandledFailure.OfResult(predicate.Statuses, transient));
                    break;
                case IDelegateCreationOperation or IAnonymousFunctionOperation:
                    LambdaFailures(predicate, failures);
                    break;
                default:
                    failures.Add(HandledFailure.Unknown);
                    break;
            }
        }

        return failures.ToImmutable();
    }

    /// <summary>
    /// A v8 <c>ShouldHandle</c> lambda: the exception types it tests for (<c>args.Outcome.Exception is
    /// ClientResultException</c>, property patterns, switch arms) outside a negation, and the statuses it admits.
    /// </summary>
    private void LambdaFailures(Predicate predicate, ImmutableArray<HandledFailure>.Builder failures)
    {
        var target = _flow.DelegateTarget(predicate.Node!);
        var body = target is null ? null : _flow.BodyOfDelegate(target);
        if (body is null)
        {
            failures.Add(HandledFailure.Unknown);
            return;
        }

        if (predicate.Statuses is { } statuses && statuses.Equals(StatusSet.All))
        {
            // PredicateResult.True(): every outcome, exceptions included.
            failures.Add(HandledFailure.OfException(_polly.Exception, null));
            return;
        }

        int found = 0;
        foreach (var operation in OperationWalk.Descendants(body, intoFunctions: false))
        {
            var tested = operation switch
            {
                IIsTypeOperation isType when !isType.IsNegated => isType.TypeOperand,
                ITypePatternOperation type => type.MatchedType,
                IDeclarationPatternOperation declaration => declaration.MatchedType,
                IRecursivePatternOperation recursive => recursive.MatchedType,
                _ => null,
            };

            if (tested is null || !_polly.IsException(tested) || Negated(operation, body))
            {
                continue;
            }

            found++;
            failures.Add(HandledFailure.OfException(tested, target));
        }

        if (predicate.Statuses is { IsEmpty: false })
        {
            found++;
            failures.Add(HandledFailure.OfResult(predicate.Statuses, target));
        }

        if (found == 0)
        {
            failures.Add(predicate.Statuses is { IsEmpty: true } ? HandledFailure.OfResult(predicate.Statuses, target) : HandledFailure.Unknown);
        }
    }

    private static bool Negated(IOperation operation, IOperation body)
    {
        for (var current = operation.Parent; current is not null && !ReferenceEquals(current, body); current = current.Parent)
        {
            if (current is INegatedPatternOperation or IUnaryOperation { OperatorKind: UnaryOperatorKind.Not })
            {
                return true;
            }
        }

        return false;
    }
}
