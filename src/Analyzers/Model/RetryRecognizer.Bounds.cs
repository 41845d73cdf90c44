using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace RetryGuard.Analyzers.Model;

/// <summary>Bounds: what ends the retrying when success does not come.</summary>
internal sealed partial class RetryRecognizer
{
    private RetryBound LoopBound(ILoopOperation loop)
    {
        if (loop is IForEachLoopOperation)
        {
            // foreach over attempts or delays: as many tries as the collection has items.
            return new RetryBound(BoundKind.AttemptCap, null);
        }

        var modified = ModifiedSymbols(loop);
        var condition = LoopCondition(loop);
        if (condition is not null && !(condition.ConstantValue is { HasValue: true, Value: true }) &&
            ConditionBound(condition, modified, exits: false) is { } kind)
        {
            // The loop's own condition ends it: a counter, a deadline, a flag — or a token (unknown).
            return new RetryBound(kind, null);
        }

        // The header never ends the loop (while (true), for (;;)) or waits only for success (while (!done)).
        var found = FindGuard(OperationWalk.Descendants(loop.Body, intoFunctions: false), modified, loop);
        return found ?? new RetryBound(BoundKind.Unbounded, HeaderLocation(loop), Header(loop) + " with no attempt cap or deadline");
    }

    private static string Header(ILoopOperation loop) => loop.Syntax switch
    {
        WhileStatementSyntax w => Display.Shorten("while (" + w.Condition + ")"),
        ForStatementSyntax f => Display.Shorten("for (" + f.Declaration + f.Initializers + "; " + f.Condition + "; " + f.Incrementors + ")").Replace("for (; ; )", "for (;;)"),
        DoStatementSyntax d => Display.Shorten("do ... while (" + d.Condition + ")"),
        _ => "the loop",
    };

    private RetryBound RecursionBound(IInvocationOperation call, IMethodSymbol containing, IOperation body)
    {
        var modified = ModifiedSymbols(body);
        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter is not { } parameter || parameter.Ordinal >= containing.Parameters.Length)
            {
                continue;
            }

            var own = containing.Parameters[parameter.Ordinal];
            var value = Unwrap(argument.Value);
            bool steps = value switch
            {
                IBinaryOperation { OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract } step =>
                    (References(step.LeftOperand, own) && step.RightOperand.ConstantValue.HasValue) ||
                    (References(step.RightOperand, own) && step.LeftOperand.ConstantValue.HasValue),
                IIncrementOrDecrementOperation { Target: IParameterReferenceOperation target } =>
                    SymbolEqualityComparer.Default.Equals(target.Parameter, own),
                _ => false,
            };
            bool oneShot = own.Type.SpecialType == SpecialType.System_Boolean && value.ConstantValue.HasValue;
            if (!steps && !oneShot)
            {
                continue;
            }

            var kind = oneShot ? BoundKind.OneShot : BoundKind.AttemptCap;
            BoundKind? Part(IOperation part) => References(part, own) ? kind : null;
            foreach (var operation in OperationWalk.Descendants(body, intoFunctions: false))
            {
                // A guard bounds the recursion when it implies the parameter's test: the branch or catch that makes the
                // call must hold for another attempt; one that leaves without it is an exit.
                var guarded = operation switch
                {
                    IConditionalOperation { Condition: { } guard } conditional when Within(call, conditional.WhenTrue) =>
                        Polar(guard, exits: false, Part),
                    IConditionalOperation { Condition: { } guard } conditional when Within(call, conditional.WhenFalse) =>
                        Polar(guard, exits: true, Part),
                    IConditionalOperation { Condition: { } guard } conditional =>
                        (ContainsExit(conditional.WhenTrue, null) ? Polar(guard, exits: true, Part) : null) ??
                        (ContainsExit(conditional.WhenFalse, null) ? Polar(guard, exits: false, Part) : null),
                    ICatchClauseOperation { Filter: { } filter } clause =>
                        Polar(filter, exits: !Within(call, clause.Handler), Part),
                    _ => null,
                };

                if (guarded is { } bound)
                {
                    // Unknown where the parameter's test is joined to a part the analysis cannot read.
                    return new RetryBound(bound, null);
                }
            }
        }

        // A counter kept in a field and checked before the call bounds it too.
        var found = FindGuard(OperationWalk.Descendants(body, intoFunctions: false), modified, null);
        return found ?? new RetryBound(
            BoundKind.Unbounded,
            call.Syntax.GetLocation(),
            "'" + containing.Name + "' calls itself again on failure with no decreasing retry count");
    }

    private static bool Within(IOperation operation, IOperation? region) =>
        region is not null && region.Syntax.Span.Contains(operation.Syntax.Span);

    private RetryBound RegionBound(IOperation body, TextSpan region, Location location, string detail)
    {
        var inRegion = new List<IOperation>();
        foreach (var operation in OperationWalk.Descendants(body, intoFunctions: false))
        {
            if (region.Contains(operation.Syntax.SpanStart))
            {
                inRegion.Add(operation);
            }
        }

        var modified = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var operation in inRegion)
        {
            AddModified(operation, modified);
        }

        return FindGuard(inRegion, modified, null) ?? new RetryBound(BoundKind.Unbounded, location, detail + " with no attempt cap or deadline");
    }

    /// <summary>An exit guarded by a counter, a deadline or a flag; a catch filter on one. Null when there is none.</summary>
    private RetryBound? FindGuard(IEnumerable<IOperation> operations, HashSet<ISymbol> modified, ILoopOperation? loop)
    {
        RetryBound? unknown = null;
        foreach (var operation in operations)
        {
            var kind = operation switch
            {
                IConditionalOperation conditional => GuardBound(conditional, modified, loop),
                ICatchClauseOperation { Filter: { } filter } clause => ConditionBound(filter, modified, exits: GivesUp(clause.Handler, loop)),
                _ => null,
            };

            if (kind is { } found)
            {
                if (found == BoundKind.Unknown)
                {
                    unknown = RetryBound.Unknown;
                    continue;
                }

                return new RetryBound(found, null);
            }

            if (operation is IInvocationOperation { TargetMethod.Name: "ThrowIfCancellationRequested" })
            {
                // Only the caller's token ends it: that may be a deadline or not.
                unknown = RetryBound.Unknown;
            }
        }

        return unknown;
    }

    /// <summary>
    /// What an <c>if</c> bounds. Its condition is an exit condition when the true branch leaves
    /// (<c>if (++attempt &gt;= max) throw;</c>) and a condition for another attempt when the false branch leaves
    /// or the true branch jumps back to a leave (<c>if (attempt &lt; max) { ...; continue; } throw;</c>).
    /// </summary>
    private BoundKind? GuardBound(IConditionalOperation conditional, HashSet<ISymbol> modified, ILoopOperation? loop)
    {
        bool leavesWhenTrue = ContainsExit(conditional.WhenTrue, loop);
        bool leavesWhenFalse = ContainsExit(conditional.WhenFalse, loop) ||
            (loop is not null && conditional.WhenFalse is null && conditional.Parent is IBlockOperation block &&
             JumpsBack(conditional.WhenTrue, loop) && After(block, conditional, loop) == Next.Exit);

        var whenTrue = leavesWhenTrue ? ConditionBound(conditional.Condition, modified, exits: true) : null;
        var whenFalse = leavesWhenFalse ? ConditionBound(conditional.Condition, modified, exits: false) : null;
        return whenTrue is null ? whenFalse : whenFalse is null ? whenTrue : Stronger(whenTrue.Value, whenFalse.Value);
    }

    /// <summary>A branch that cannot complete and goes to the next attempt of the loop.</summary>
    private bool JumpsBack(IOperation branch, ILoopOperation loop) => !EndReachable(branch) && MayGoRound(branch, loop);

    /// <summary>
    /// A catch block that gives up: it cannot complete and does not go round again. Its filter is then an exit
    /// condition; any other catch's filter must hold for another attempt.
    /// </summary>
    private bool GivesUp(IBlockOperation handler, ILoopOperation? loop) => !EndReachable(handler) && !MayGoRound(handler, loop);

    /// <summary>
    /// What a condition bounds: a deadline (elapsed time), a cap (a counter compared), a one-shot flag, unknown (a
    /// cancellation token), or null when it bounds nothing (a status or success check). With
    /// <paramref name="exits"/> the retrying stops when the condition holds (<c>if (cond) throw;</c>); without it
    /// the condition must hold for another attempt (a loop condition, a catch filter).
    /// </summary>
    private BoundKind? ConditionBound(IOperation condition, HashSet<ISymbol> modified, bool exits) =>
        Polar(condition, exits, part => PartBound(part, modified));

    /// <summary>
    /// What a condition made of parts joined by <c>&amp;&amp;</c>, <c>||</c> and <c>!</c> bounds, given what each part
    /// bounds. A counter test joined to a status test ends the retrying only when the counter alone can end it:
    /// `status == 429 || attempt &lt; 3` as a condition for another attempt retries a 429 forever, `status == 429
    /// &amp;&amp; attempt &lt; 3` does not. An exit condition is the dual: `||` exits when either side does.
    /// </summary>
    private BoundKind? Polar(IOperation condition, bool exits, Func<IOperation, BoundKind?> part)
    {
        condition = Unwrap(condition);
        if (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
        {
            return Polar(not.Operand, !exits, part);
        }

        if (condition is IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr or BinaryOperatorKind.And or BinaryOperatorKind.Or } logical &&
            logical.Type?.SpecialType == SpecialType.System_Boolean)
        {
            bool isAnd = logical.OperatorKind is BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.And;
            var left = Polar(logical.LeftOperand, exits, part);
            var right = Polar(logical.RightOperand, exits, part);
            if (isAnd != exits)
            {
                // Either side alone ends the retrying.
                return left is null ? right : right is null ? left : Stronger(left.Value, right.Value);
            }

            // Both sides must end it. Next to a bound, a test of the response (its status, a success flag) ends
            // nothing; a part the analysis cannot read (`lastError is not null`) may: unknown, no report.
            if (left is { } l && right is { } r)
            {
                return Weaker(l, r);
            }

            if (left is null && right is null)
            {
                return null;
            }

            return IsResponseTest(left is null ? logical.LeftOperand : logical.RightOperand) ? null : BoundKind.Unknown;
        }

        return part(condition);
    }

    /// <summary>A test of the response's status or success only, perhaps joined by <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>: it bounds nothing.</summary>
    private bool IsResponseTest(IOperation condition)
    {
        condition = Unwrap(condition);
        if (_statuses.WhenTrue(condition) is not null || SuccessCheck(condition) is not null)
        {
            return true;
        }

        return condition switch
        {
            IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not => IsResponseTest(not.Operand),
            IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr or BinaryOperatorKind.And or BinaryOperatorKind.Or } logical =>
                IsResponseTest(logical.LeftOperand) && IsResponseTest(logical.RightOperand),
            _ => false,
        };
    }

    /// <summary>What one part of a condition (no <c>&amp;&amp;</c>, <c>||</c> or <c>!</c> at its top) bounds.</summary>
    private BoundKind? PartBound(IOperation condition, HashSet<ISymbol> modified)
    {
        if (_statuses.WhenTrue(condition) is not null || SuccessCheck(condition) is not null)
        {
            return null;
        }

        BoundKind? kind = null;
        foreach (var operation in Self(condition))
        {
            switch (operation)
            {
                case IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" }:
                    return BoundKind.Unknown;
                case IPropertyReferenceOperation property when IsTimeName(property.Property.Name):
                    return BoundKind.Deadline;
                case IInvocationOperation invocation when IsTimeName(invocation.TargetMethod.Name):
                    return BoundKind.Deadline;
                case ILocalReferenceOperation local when IsTimeName(local.Local.Name):
                case IFieldReferenceOperation field when IsTimeName(field.Field.Name):
                    return BoundKind.Deadline;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison
                    when IsCounter(comparison.LeftOperand, modified) || IsCounter(comparison.RightOperand, modified):
                    kind = BoundKind.AttemptCap;
                    break;
                case IIncrementOrDecrementOperation:
                    kind = BoundKind.AttemptCap;
                    break;
                case ILocalReferenceOperation { Type.SpecialType: SpecialType.System_Boolean } flag
                    when modified.Contains(flag.Local):
                    kind ??= BoundKind.OneShot;
                    break;
                case IFieldReferenceOperation { Type.SpecialType: SpecialType.System_Boolean } flagField
                    when modified.Contains(flagField.Field):
                    kind ??= BoundKind.OneShot;
                    break;
            }
        }

        return kind;
    }

    /// <summary>Of two bounds in one condition, the one that ends the retrying for sure: a deadline, then a cap.</summary>
    private static BoundKind Stronger(BoundKind a, BoundKind b)
    {
        static int Rank(BoundKind kind) => kind switch
        {
            BoundKind.Deadline => 3,
            BoundKind.AttemptCap => 2,
            BoundKind.OneShot => 1,
            _ => 0,
        };

        return Rank(a) >= Rank(b) ? a : b;
    }

    /// <summary>Of two bounds that must both hold, the one that ends the retrying last.</summary>
    private static BoundKind Weaker(BoundKind a, BoundKind b) => Stronger(a, b) == a ? b : a;

    private static IEnumerable<IOperation> Self(IOperation operation)
    {
        yield return operation;
        foreach (var descendant in OperationWalk.Descendants(operation, intoFunctions: false))
        {
            yield return descendant;
        }
    }

    private static bool IsCounter(IOperation operand, HashSet<ISymbol> modified)
    {
        operand = Unwrap(operand);
        if (operand is IIncrementOrDecrementOperation)
        {
            return true;
        }

        if (operand.Type is not { } type || !IsNumeric(type))
        {
            return false;
        }

        foreach (var node in Self(operand))
        {
            if (ReferencedSymbol(node) is { } symbol && modified.Contains(symbol))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsNumeric(ITypeSymbol type) => type.SpecialType is
        SpecialType.System_Int16 or SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_UInt16 or
        SpecialType.System_UInt32 or SpecialType.System_UInt64 or SpecialType.System_Byte or SpecialType.System_Double or
        SpecialType.System_Single or SpecialType.System_Decimal;

    private static bool IsTimeName(string name)
    {
        foreach (var word in new[] { "Elapsed", "Deadline", "UtcNow", "GetTimestamp", "Expire", "Timeout", "TimeLeft", "Remaining" })
        {
            if (name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return true;
            }
        }

        return name is "Now" or "GetUtcNow" or "Today";
    }

    private static HashSet<ISymbol> ModifiedSymbols(IOperation body)
    {
        var modified = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        AddModified(body, modified);
        foreach (var operation in OperationWalk.Descendants(body, intoFunctions: false))
        {
            AddModified(operation, modified);
        }

        return modified;
    }

    private static void AddModified(IOperation operation, HashSet<ISymbol> modified)
    {
        var target = operation switch
        {
            IAssignmentOperation assignment => assignment.Target,
            IIncrementOrDecrementOperation increment => increment.Target,
            _ => null,
        };

        if (target is not null && ReferencedSymbol(target) is { } symbol)
        {
            modified.Add(symbol);
        }
    }

    /// <summary>A return, a throw, a break out of the loop or a goto: the construct stops trying.</summary>
    private static bool ContainsExit(IOperation? operation, ILoopOperation? loop)
    {
        if (operation is null)
        {
            return false;
        }

        foreach (var node in Self(operation))
        {
            switch (node)
            {
                case IReturnOperation:
                case IThrowOperation:
                    return true;
                case IBranchOperation { BranchKind: BranchKind.Break } branch when loop is null || ReferenceEquals(branch.Target, loop.ExitLabel):
                    return true;
            }
        }

        return false;
    }

    private static Location HeaderLocation(ILoopOperation loop)
    {
        switch (loop.Syntax)
        {
            case WhileStatementSyntax whileStatement:
                return Location.Create(whileStatement.SyntaxTree, TextSpan.FromBounds(whileStatement.WhileKeyword.SpanStart, whileStatement.CloseParenToken.Span.End));
            case ForStatementSyntax forStatement:
                return Location.Create(forStatement.SyntaxTree, TextSpan.FromBounds(forStatement.ForKeyword.SpanStart, forStatement.CloseParenToken.Span.End));
            case DoStatementSyntax doStatement:
                return doStatement.DoKeyword.GetLocation();
            default:
                return loop.Syntax.GetLocation();
        }
    }

    private static IOperation Unwrap(IOperation operation)
    {
        while (operation is IConversionOperation or IParenthesizedOperation)
        {
            operation = operation is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)operation).Operand;
        }

        return operation;
    }
}
