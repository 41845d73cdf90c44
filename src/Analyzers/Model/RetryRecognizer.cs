using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model;

/// <summary>
/// Builds the <see cref="RetryConstruct"/> model. A loop is a retry when a wait in it is reached only after a
/// failure signal (a caught exception, a failed status or result) and the loop then makes another attempt at a
/// call that may leave the process. A wait that the success path also reaches — a polling interval, the pause
/// between items of a batch, a worker's idle time — is not a retry delay.
/// </summary>
internal sealed class RetryRecognizer
{
    private readonly KnownSymbols _symbols;
    private readonly StatusConditions _statuses;
    private readonly DelayTracer _tracer;

    public RetryRecognizer(KnownSymbols symbols, Func<SyntaxTree, SemanticModel?> semanticModels)
    {
        _symbols = symbols;
        _statuses = new StatusConditions(symbols);
        _tracer = new DelayTracer(symbols, semanticModels);
    }

    public RetryConstruct? RecognizeLoop(ILoopOperation loop)
    {
        if (loop.Body is null)
        {
            return null;
        }

        ImmutableArray<RetryDelay>.Builder? waits = null;
        foreach (var wait in WaitsOf(loop))
        {
            var classified = Classify(wait, loop);
            if (classified is null)
            {
                continue;
            }

            var delay = DelayArgument(wait);
            var sources = delay is null ? DelaySource.Unknown : _tracer.Trace(delay);
            waits ??= ImmutableArray.CreateBuilder<RetryDelay>();
            waits.Add(new RetryDelay(wait.Syntax.GetLocation(), Display.Shorten(wait.Syntax.ToString()), sources, wait, classified.Value.Statuses, classified.Value.Signal));
        }

        return waits is null
            ? null
            : new RetryConstruct(RetryKind.Loop, loop, waits.ToImmutable(), ImmutableArray<StatusAdmission>.Empty, null, RetryBound.Unknown);
    }

    /// <summary>The waits that belong to this loop: not those of a nested loop, a lambda or a local function.</summary>
    private IEnumerable<IInvocationOperation> WaitsOf(ILoopOperation loop)
    {
        var stack = new Stack<IOperation>();
        stack.Push(loop.Body);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            if (current is IInvocationOperation invocation && IsWait(invocation))
            {
                yield return invocation;
            }

            foreach (var child in current.ChildOperations)
            {
                if (child is ILoopOperation or IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    continue;
                }

                stack.Push(child);
            }
        }
    }

    public bool IsWait(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        var type = method.ContainingType;
        return (method.Name == "Delay" && KnownSymbols.Is(type, _symbols.Task)) ||
               (method.Name == "Sleep" && KnownSymbols.Is(type, _symbols.Thread));
    }

    public static IOperation? DelayArgument(IInvocationOperation wait)
    {
        foreach (var argument in wait.Arguments)
        {
            if (argument.Parameter?.Ordinal == 0)
            {
                return argument.Value;
            }
        }

        return null;
    }

    private readonly struct Classification
    {
        public Classification(FailureSignal signal, StatusSet? statuses)
        {
            Signal = signal;
            Statuses = statuses;
        }

        public FailureSignal Signal { get; }

        public StatusSet? Statuses { get; }
    }

    /// <summary>
    /// Walks from the wait up to the loop body and collects what must hold for the wait to be reached: inside a
    /// catch (an exception), inside a branch of a status check, after an early exit on success.
    /// </summary>
    private Classification? Classify(IInvocationOperation wait, ILoopOperation loop)
    {
        StatusSet? statuses = null;
        bool successExcluded = false;
        bool viaCatch = false;
        ITryOperation? attemptTry = null;

        // Once a `continue` follows the wait, what comes after the enclosing statements is never reached from it.
        bool jumpsBack = false;

        IOperation current = wait;
        while (current.Parent is { } parent && !ReferenceEquals(parent, loop))
        {
            switch (parent)
            {
                case ICatchClauseOperation catchClause when ReferenceEquals(catchClause.Handler, current):
                    if (catchClause.Parent is ITryOperation owner && !IsLocalOnlyCatch(owner))
                    {
                        viaCatch = true;
                        attemptTry ??= owner;
                        successExcluded = true;
                    }

                    break;

                case IConditionalOperation conditional when conditional.Condition is not null && !ReferenceEquals(conditional.Condition, current):
                {
                    bool inTrue = ReferenceEquals(conditional.WhenTrue, current);
                    Narrow(conditional.Condition, inTrue, ref statuses, ref successExcluded);
                    break;
                }

                case IBlockOperation block:
                    if (!jumpsBack)
                    {
                        switch (After(block, current, loop))
                        {
                            case Next.Exit:
                                return null;
                            case Next.Continue:
                                jumpsBack = true;
                                break;
                        }
                    }

                    foreach (var previous in PrecedingStatements(block, current))
                    {
                        switch (previous)
                        {
                            case IConditionalOperation exitIf when exitIf.WhenFalse is null && !EndReachable(exitIf.WhenTrue):
                                // if (response.IsSuccessStatusCode) return response;  → reached only when false.
                                Narrow(exitIf.Condition, whenTrue: false, ref statuses, ref successExcluded);
                                break;
                            case ITryOperation attempt when attempt.Catches.Length > 0 && !IsLocalOnlyCatch(attempt):
                                if (!EndReachable(attempt.Body))
                                {
                                    // The attempt returns or breaks on success: only a caught failure gets here.
                                    viaCatch = true;
                                    successExcluded = true;
                                    attemptTry ??= attempt;
                                }
                                else if (AtEndOf(attempt.Body) is { } end)
                                {
                                    statuses = Intersect(statuses, end.Statuses);
                                    successExcluded |= end.SuccessExcluded;
                                    viaCatch = true;
                                    attemptTry ??= attempt;
                                }

                                break;
                        }
                    }

                    break;

                case ISwitchCaseOperation section when section.Parent is ISwitchOperation @switch && _statuses.IsStatusSubject(@switch.Value):
                    statuses = Intersect(statuses, CaseStatuses(@switch, section));
                    break;
            }

            current = parent;
        }

        if (current.Parent is null)
        {
            return null;
        }

        bool successReaches = statuses is { } reach ? reach.Overlaps(StatusSet.Success) && !successExcluded : !successExcluded;
        if (successReaches)
        {
            return null;
        }

        if (viaCatch && attemptTry is not null)
        {
            if (!HasRemoteCall(attemptTry.Body) || !SuccessLeaves(attemptTry.Body, loop))
            {
                return null;
            }

            return new Classification(FailureSignal.CaughtException, statuses);
        }

        if (!HasRemoteCall(loop.Body!))
        {
            return null;
        }

        if (statuses is { } failed)
        {
            return failed.HasFailure ? new Classification(FailureSignal.StatusCheck, failed) : null;
        }

        return new Classification(FailureSignal.ResultCheck, null);
    }

    private readonly struct EndReach
    {
        public EndReach(StatusSet? statuses, bool successExcluded)
        {
            Statuses = statuses;
            SuccessExcluded = successExcluded;
        }

        public StatusSet? Statuses { get; }

        public bool SuccessExcluded { get; }
    }

    /// <summary>What holds when a block's end is reached: the status checks and success checks that exit early.</summary>
    private EndReach? AtEndOf(IOperation body)
    {
        if (body is not IBlockOperation block)
        {
            return null;
        }

        StatusSet? statuses = null;
        bool successExcluded = false;
        foreach (var statement in block.Operations)
        {
            if (statement is IConditionalOperation { WhenFalse: null } exitIf && !EndReachable(exitIf.WhenTrue))
            {
                Narrow(exitIf.Condition, whenTrue: false, ref statuses, ref successExcluded);
            }
        }

        return statuses is null && !successExcluded ? null : new EndReach(statuses, successExcluded);
    }

    private void Narrow(IOperation condition, bool whenTrue, ref StatusSet? statuses, ref bool successExcluded)
    {
        if (_statuses.WhenTrue(condition) is { } set)
        {
            statuses = Intersect(statuses, whenTrue ? set : set.Complement());
            return;
        }

        // On success the check evaluates to onSuccess; this branch needs it to be whenTrue.
        if (SuccessCheck(condition) is { } onSuccess && onSuccess != whenTrue)
        {
            successExcluded = true;
        }
    }

    /// <summary>
    /// True when the condition is true on success (<c>result.IsSuccess</c>, <c>succeeded</c>), false when it is
    /// true on failure (<c>!result.IsSuccess</c>), null when it is not a success check.
    /// </summary>
    private static bool? SuccessCheck(IOperation? condition)
    {
        switch (condition)
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return SuccessCheck(not.Operand) is { } inner ? !inner : null;
            case IParenthesizedOperation parenthesized:
                return SuccessCheck(parenthesized.Operand);
            case IPropertyReferenceOperation property when IsSuccessName(property.Property.Name):
                return true;
            case IFieldReferenceOperation field when IsSuccessName(field.Field.Name):
                return true;
            case ILocalReferenceOperation local when IsSuccessName(local.Local.Name):
                return true;
            case IInvocationOperation invocation when IsSuccessName(invocation.TargetMethod.Name):
                return true;
            default:
                return null;
        }
    }

    private static bool IsSuccessName(string name)
    {
        string trimmed = name.TrimStart('_');
        if (trimmed.StartsWith("Is", StringComparison.Ordinal) && trimmed.Length > 2)
        {
            trimmed = trimmed.Substring(2);
        }

        return trimmed.Equals("Success", StringComparison.OrdinalIgnoreCase) ||
               trimmed.Equals("Successful", StringComparison.OrdinalIgnoreCase) ||
               trimmed.Equals("Succeeded", StringComparison.OrdinalIgnoreCase) ||
               trimmed.Equals("Ok", StringComparison.OrdinalIgnoreCase);
    }

    private StatusSet CaseStatuses(ISwitchOperation @switch, ISwitchCaseOperation section)
    {
        if (SectionStatuses(section) is { } own)
        {
            return own;
        }

        // default: every status that no other section names.
        var others = StatusSet.Empty;
        foreach (var other in @switch.Cases)
        {
            if (!ReferenceEquals(other, section) && SectionStatuses(other) is { } labels)
            {
                others = others.Union(labels);
            }
        }

        return others.Complement();
    }

    private StatusSet? SectionStatuses(ISwitchCaseOperation section)
    {
        var set = StatusSet.Empty;
        foreach (var clause in section.Clauses)
        {
            switch (clause)
            {
                case IDefaultCaseClauseOperation:
                    return null;
                case ISingleValueCaseClauseOperation { Value.ConstantValue: { HasValue: true, Value: int code } }:
                    set = set.Union(StatusSet.Of(code));
                    break;
                case IPatternCaseClauseOperation { Guard: null } pattern:
                    set = set.Union(_statuses.Matching(pattern.Pattern) ?? StatusSet.All);
                    break;
                default:
                    set = set.Union(StatusSet.All);
                    break;
            }
        }

        return set;
    }

    private static StatusSet? Intersect(StatusSet? left, StatusSet? right) =>
        left is { } l ? (right is { } r ? l.Intersect(r) : l) : right;

    private static IEnumerable<IOperation> PrecedingStatements(IBlockOperation block, IOperation statement)
    {
        foreach (var candidate in block.Operations)
        {
            if (ReferenceEquals(candidate, statement))
            {
                yield break;
            }

            yield return candidate;
        }
    }

    private enum Next
    {
        FallThrough,
        Continue,
        Exit,
    }

    /// <summary>
    /// What the statements after <paramref name="statement"/> in its block do: leave the loop for good (the wait is
    /// not followed by an attempt), jump back to the loop head, or neither.
    /// </summary>
    private static Next After(IBlockOperation block, IOperation statement, ILoopOperation loop)
    {
        bool after = false;
        foreach (var candidate in block.Operations)
        {
            if (after)
            {
                switch (candidate)
                {
                    case IReturnOperation:
                    case IExpressionStatementOperation { Operation: IThrowOperation }:
                    case IThrowOperation:
                    case IBranchOperation { BranchKind: BranchKind.Break } branch when ReferenceEquals(branch.Target, loop.ExitLabel):
                        return Next.Exit;
                    case IBranchOperation { BranchKind: BranchKind.Continue }:
                        return Next.Continue;
                }
            }
            else if (ReferenceEquals(candidate, statement))
            {
                after = true;
            }
        }

        return Next.FallThrough;
    }

    private static bool EndReachable(IOperation? statement)
    {
        if (statement?.Syntax is not StatementSyntax syntax || statement.SemanticModel is not { } model)
        {
            return true;
        }

        var flow = model.AnalyzeControlFlow(syntax);
        return flow is null || !flow.Succeeded || flow.EndPointIsReachable;
    }

    /// <summary>
    /// The attempt ends the loop when it succeeds: it returns, breaks out, cannot complete, or sets something the
    /// loop condition reads (a success flag, the result). A worker loop that goes round after success is no retry.
    /// </summary>
    private static bool SuccessLeaves(IOperation attempt, ILoopOperation loop)
    {
        if (!EndReachable(attempt))
        {
            return true;
        }

        var conditionSymbols = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        var condition = loop switch
        {
            IWhileLoopOperation whileLoop => whileLoop.Condition,
            IForLoopOperation forLoop => forLoop.Condition,
            _ => null,
        };
        if (condition is not null)
        {
            foreach (var operation in OperationWalk.Descendants(condition, intoFunctions: false))
            {
                if (ReferencedSymbol(operation) is { } symbol)
                {
                    conditionSymbols.Add(symbol);
                }
            }

            if (ReferencedSymbol(condition) is { } direct)
            {
                conditionSymbols.Add(direct);
            }
        }

        foreach (var operation in OperationWalk.Descendants(attempt, intoFunctions: false))
        {
            switch (operation)
            {
                case IReturnOperation:
                    return true;
                case IBranchOperation { BranchKind: BranchKind.Break } branch when ReferenceEquals(branch.Target, loop.ExitLabel):
                    return true;
                case IAssignmentOperation assignment when ReferencedSymbol(assignment.Target) is { } target && conditionSymbols.Contains(target):
                    return true;
                case IIncrementOrDecrementOperation increment when ReferencedSymbol(increment.Target) is { } counter && conditionSymbols.Contains(counter):
                    return true;
            }
        }

        return false;
    }

    private static ISymbol? ReferencedSymbol(IOperation operation) => operation switch
    {
        ILocalReferenceOperation local => local.Local,
        IFieldReferenceOperation field => field.Field,
        IPropertyReferenceOperation property => property.Property,
        IParameterReferenceOperation parameter => parameter.Parameter,
        _ => null,
    };

    /// <summary>
    /// Catches of file-system exceptions around file-system calls: a file lock, not a remote call.
    /// </summary>
    private bool IsLocalOnlyCatch(ITryOperation attempt)
    {
        foreach (var clause in attempt.Catches)
        {
            var type = clause.ExceptionType;
            string ns = type?.ContainingNamespace?.ToDisplayString() ?? string.Empty;
            if (type is null || !(ns == "System.IO" || type.Name == "UnauthorizedAccessException"))
            {
                return false;
            }
        }

        foreach (var operation in OperationWalk.Descendants(attempt.Body, intoFunctions: true))
        {
            if (operation is IInvocationOperation invocation &&
                (invocation.TargetMethod.ContainingNamespace?.ToDisplayString() ?? string.Empty).StartsWith("System.Net", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the code makes a call that may leave the process: anything but well-known local APIs.</summary>
    private bool HasRemoteCall(IOperation code)
    {
        foreach (var operation in OperationWalk.Descendants(code, intoFunctions: true))
        {
            if (operation is IInvocationOperation invocation && !IsWait(invocation) && !IsLocalApi(invocation.TargetMethod))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsLocalApi(IMethodSymbol method)
    {
        if (method.MethodKind == MethodKind.DelegateInvoke)
        {
            return false;
        }

        var type = method.ContainingType;
        if (type is null || type.SpecialType != SpecialType.None)
        {
            return true;
        }

        string ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        if (ns.StartsWith("System.IO", StringComparison.Ordinal) ||
            ns.StartsWith("System.Text", StringComparison.Ordinal) ||
            ns.StartsWith("System.Linq", StringComparison.Ordinal) ||
            ns.StartsWith("System.Collections", StringComparison.Ordinal) ||
            ns.StartsWith("System.Diagnostics", StringComparison.Ordinal) ||
            ns.StartsWith("System.Threading", StringComparison.Ordinal) ||
            ns.StartsWith("System.Globalization", StringComparison.Ordinal) ||
            ns.StartsWith("Microsoft.Extensions.Logging", StringComparison.Ordinal))
        {
            return true;
        }

        return ns == "System" && type.Name is
            "Console" or "Math" or "MathF" or "Convert" or "TimeSpan" or "DateTime" or "DateTimeOffset" or "Guid" or
            "Random" or "Environment" or "GC" or "Enum" or "Nullable" or "Array" or "BitConverter" or "Activator" or
            "TimeProvider" or "Exception";
    }
}
