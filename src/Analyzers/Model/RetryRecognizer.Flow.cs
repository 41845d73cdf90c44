using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model;

/// <summary>Control-flow helpers of the recognizer.</summary>
internal sealed partial class RetryRecognizer
{
    private static StatusSet? Intersect(StatusSet? left, StatusSet? right) =>
        left is { } l ? (right is { } r ? l.Intersect(r) : l) : right;

    /// <summary>Union where null means unknown: unknown absorbs.</summary>
    private static StatusSet? Union(StatusSet? left, StatusSet? right) =>
        left is { } l && right is { } r ? l.Union(r) : null;

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
    /// What the statements after <paramref name="statement"/> in its block do: leave the loop for good (the point
    /// is not followed by an attempt), jump back to the loop head, or neither.
    /// </summary>
    private static Next After(IBlockOperation block, IOperation statement, ILoopOperation? loop)
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
                        return Next.Exit;
                    case IBranchOperation { BranchKind: BranchKind.Break } branch when loop is not null && ReferenceEquals(branch.Target, loop.ExitLabel):
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

    /// <summary>Whether a statement can complete normally; flow analysis runs once per statement and recognizer.</summary>
    private bool EndReachable(IOperation? statement)
    {
        if (statement?.Syntax is not StatementSyntax syntax || statement.SemanticModel is not { } model)
        {
            return true;
        }

        if (_reachable.TryGetValue(statement, out bool known))
        {
            return known;
        }

        bool reachable;
        try
        {
            var flow = model.AnalyzeControlFlow(syntax);
            reachable = flow is null || !flow.Succeeded || flow.EndPointIsReachable;
        }
        catch (ArgumentException)
        {
            // A statement the flow analysis does not accept (broken code): assume it completes.
            reachable = true;
        }

        _reachable[statement] = reachable;
        return reachable;
    }

    /// <summary>
    /// The attempt ends the loop when it succeeds: it returns, breaks out, cannot complete, sets something the
    /// loop condition reads (a success flag, the result), or is followed in the loop body by a statement that
    /// leaves for sure (<c>try { text = await ...; } catch { ...; continue; } break;</c>). A worker loop that goes
    /// round after success is no retry.
    /// </summary>
    private bool SuccessLeaves(ITryOperation attemptTry, ILoopOperation loop)
    {
        var attempt = attemptTry.Body;
        if (!EndReachable(attempt) || LeavesAfter(attemptTry, loop))
        {
            return true;
        }

        var conditionSymbols = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        if (LoopCondition(loop) is { } condition)
        {
            if (ReferencedSymbol(condition) is { } direct)
            {
                conditionSymbols.Add(direct);
            }

            foreach (var operation in OperationWalk.Descendants(condition, intoFunctions: false))
            {
                if (ReferencedSymbol(operation) is { } symbol)
                {
                    conditionSymbols.Add(symbol);
                }
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

    /// <summary>
    /// Whether whatever follows <paramref name="statement"/> up to the end of the loop body leaves the loop for
    /// sure: a return, a throw, a break of this loop, or a statement that cannot complete, met before anything that
    /// may go round again. A conditional exit (<c>if (done) break;</c>) does not count, nor does a break of a nested
    /// loop or switch; a statement that may continue this loop ends the search.
    /// </summary>
    private bool LeavesAfter(IOperation statement, ILoopOperation loop)
    {
        var current = statement;
        while (!ReferenceEquals(current, loop.Body))
        {
            var parent = current.Parent;
            switch (parent)
            {
                case IBlockOperation block:
                    bool after = false;
                    foreach (var next in block.Operations)
                    {
                        if (!after)
                        {
                            after = ReferenceEquals(next, current);
                            continue;
                        }

                        if (MayGoRound(next, loop))
                        {
                            return false;
                        }

                        if (!EndReachable(next))
                        {
                            return true;
                        }
                    }

                    break;
                case IConditionalOperation conditional when !ReferenceEquals(conditional.Condition, current):
                case IUsingOperation:
                case ILockOperation:
                case ILabeledOperation:
                case ITryOperation:
                case ICatchClauseOperation:
                    break;
                default:
                    // A nested loop, a switch section, a lambda: its exits are not this loop's.
                    return false;
            }

            if (parent is null)
            {
                return false;
            }

            current = parent;
        }

        return false;
    }

    /// <summary>
    /// Code that may start the next attempt: a continue of the loop, a goto, and outside a loop a return (it may
    /// return the recursive call).
    /// </summary>
    private static bool MayGoRound(IOperation code, ILoopOperation? loop)
    {
        foreach (var node in Self(code))
        {
            switch (node)
            {
                case IBranchOperation { BranchKind: BranchKind.Continue } jump when loop is not null && ReferenceEquals(jump.Target, loop.ContinueLabel):
                case IBranchOperation { BranchKind: BranchKind.GoTo }:
                case IReturnOperation when loop is null:
                    return true;
            }
        }

        return false;
    }

    private static IOperation? LoopCondition(ILoopOperation loop) => loop switch
    {
        IWhileLoopOperation whileLoop => whileLoop.Condition,
        IForLoopOperation forLoop => forLoop.Condition,
        _ => null,
    };

    private static ISymbol? ReferencedSymbol(IOperation operation) => operation switch
    {
        ILocalReferenceOperation local => local.Local,
        IFieldReferenceOperation field => field.Field,
        IPropertyReferenceOperation property => property.Property,
        IParameterReferenceOperation parameter => parameter.Parameter,
        _ => null,
    };

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
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } equality
                when equality.RightOperand.ConstantValue is { HasValue: true, Value: bool expected }:
                return SuccessCheck(equality.LeftOperand) is { } compared
                    ? (equality.OperatorKind == BinaryOperatorKind.Equals ? compared == expected : compared != expected)
                    : null;
            case IPropertyReferenceOperation property when property.Type?.SpecialType == SpecialType.System_Boolean && IsSuccessName(property.Property.Name):
                return true;
            case IFieldReferenceOperation field when field.Type?.SpecialType == SpecialType.System_Boolean && IsSuccessName(field.Field.Name):
                return true;
            case ILocalReferenceOperation local when local.Type?.SpecialType == SpecialType.System_Boolean && IsSuccessName(local.Local.Name):
                return true;
            case IInvocationOperation invocation when invocation.Type?.SpecialType == SpecialType.System_Boolean && IsSuccessName(invocation.TargetMethod.Name):
                return true;
            default:
                return null;
        }
    }

    private static bool IsSuccessName(string name)
    {
        string trimmed = name.TrimStart('_');
        if (trimmed.StartsWith("Is", StringComparison.Ordinal) && trimmed.Length > 2 && char.IsUpper(trimmed[2]))
        {
            trimmed = trimmed.Substring(2);
        }

        return trimmed.Equals("Success", StringComparison.OrdinalIgnoreCase) ||
               trimmed.Equals("Successful", StringComparison.OrdinalIgnoreCase) ||
               trimmed.Equals("Succeeded", StringComparison.OrdinalIgnoreCase) ||
               trimmed.Equals("SuccessStatusCode", StringComparison.OrdinalIgnoreCase) ||
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

    /// <summary>Catches of file-system exceptions around file-system calls: a file lock, not a remote call.</summary>
    private static bool IsLocalOnlyCatch(ITryOperation attempt)
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
        if (_remote.TryGetValue(code, out bool known))
        {
            return known;
        }

        bool found = false;
        foreach (var operation in OperationWalk.Descendants(code, intoFunctions: true))
        {
            if (operation is IInvocationOperation invocation && !IsWait(invocation) && !IsLocalApi(invocation.TargetMethod))
            {
                found = true;
                break;
            }
        }

        _remote[code] = found;
        return found;
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
            "TimeProvider" or "Exception" or "ArgumentNullException" or "ArgumentException" or "ObjectDisposedException";
    }
}
