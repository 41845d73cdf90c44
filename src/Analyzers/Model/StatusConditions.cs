using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model;

/// <summary>
/// Turns a condition over an HTTP status into the set of statuses for which it is true. A condition that does
/// not depend on a status, or that the evaluator cannot read, gives null ("unknown"), never a guess.
/// </summary>
internal sealed class StatusConditions
{
    private static readonly StatusSet Retryable = StatusSet.Of(408, 429, 500, 502, 503, 504);
    private readonly KnownSymbols _symbols;

    public StatusConditions(KnownSymbols symbols) => _symbols = symbols;

    /// <summary>The statuses for which <paramref name="condition"/> is true, or null.</summary>
    public StatusSet? WhenTrue(IOperation? condition)
    {
        switch (Unwrap(condition))
        {
            case null:
                return null;
            case IPropertyReferenceOperation { Property.Name: "IsSuccessStatusCode" }:
                return StatusSet.Success;
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return WhenTrue(not.Operand)?.Complement();
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and:
            {
                // A condition on something else (attempt < max) narrows nothing about statuses: the status part
                // is still necessary, so the status part alone is the answer.
                var left = WhenTrue(and.LeftOperand);
                var right = WhenTrue(and.RightOperand);
                return left is { } l ? (right is { } r ? l.Intersect(r) : l) : right;
            }
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr } or:
            {
                var left = WhenTrue(or.LeftOperand);
                var right = WhenTrue(or.RightOperand);
                return left is { } l && right is { } r ? l.Union(r) : null;
            }
            case IBinaryOperation binary:
                return Comparison(binary);
            case IIsPatternOperation pattern when IsStatusSubject(pattern.Value):
                return Pattern(pattern.Pattern);
            case IInvocationOperation invocation:
                return Invocation(invocation);
            default:
                return null;
        }
    }

    /// <summary>An expression that holds an HTTP status: a <c>HttpStatusCode</c>, or an int property named Status/StatusCode.</summary>
    public bool IsStatusSubject(IOperation? operation)
    {
        operation = Unwrap(operation);
        if (operation is null || operation.ConstantValue.HasValue)
        {
            return false;
        }

        var type = operation.Type;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        if (KnownSymbols.Is(type, _symbols.HttpStatusCode))
        {
            return true;
        }

        if (operation is IPropertyReferenceOperation { Property.Name: "Value", Instance: { } instance })
        {
            return IsStatusSubject(instance);
        }

        return type?.SpecialType == SpecialType.System_Int32 &&
               operation is IPropertyReferenceOperation { Property.Name: "StatusCode" or "Status" };
    }

    private StatusSet? Comparison(IBinaryOperation binary)
    {
        int? constant;
        BinaryOperatorKind kind = binary.OperatorKind;
        if (IsStatusSubject(binary.LeftOperand) && (constant = Constant(binary.RightOperand)) is { })
        {
            return Relation(kind, constant.Value);
        }

        if (IsStatusSubject(binary.RightOperand) && (constant = Constant(binary.LeftOperand)) is { })
        {
            // 500 <= code is code >= 500.
            return Relation(Mirror(kind), constant.Value);
        }

        return null;
    }

    private static BinaryOperatorKind Mirror(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.LessThan => BinaryOperatorKind.GreaterThan,
        BinaryOperatorKind.LessThanOrEqual => BinaryOperatorKind.GreaterThanOrEqual,
        BinaryOperatorKind.GreaterThan => BinaryOperatorKind.LessThan,
        BinaryOperatorKind.GreaterThanOrEqual => BinaryOperatorKind.LessThanOrEqual,
        _ => kind,
    };

    private static StatusSet? Relation(BinaryOperatorKind kind, int value) => kind switch
    {
        BinaryOperatorKind.Equals => StatusSet.Of(value),
        BinaryOperatorKind.NotEquals => StatusSet.Of(value).Complement(),
        BinaryOperatorKind.LessThan => StatusSet.Range(StatusSet.Min, value - 1),
        BinaryOperatorKind.LessThanOrEqual => StatusSet.Range(StatusSet.Min, value),
        BinaryOperatorKind.GreaterThan => StatusSet.Range(value + 1, StatusSet.Max),
        BinaryOperatorKind.GreaterThanOrEqual => StatusSet.Range(value, StatusSet.Max),
        _ => null,
    };

    /// <summary>The statuses a pattern over a status matches, or null.</summary>
    public StatusSet? Matching(IPatternOperation pattern) => Pattern(pattern);

    private StatusSet? Pattern(IPatternOperation pattern)
    {
        switch (pattern)
        {
            case IConstantPatternOperation constant:
                return Constant(constant.Value) is { } value ? StatusSet.Of(value) : null;
            case IRelationalPatternOperation relational:
                return Constant(relational.Value) is { } bound ? Relation(relational.OperatorKind, bound) : null;
            case INegatedPatternOperation negated:
                return Pattern(negated.Pattern)?.Complement();
            case IBinaryPatternOperation binary:
            {
                var left = Pattern(binary.LeftPattern);
                var right = Pattern(binary.RightPattern);
                if (left is not { } l || right is not { } r)
                {
                    return null;
                }

                return binary.OperatorKind == BinaryOperatorKind.Or ? l.Union(r) : l.Intersect(r);
            }
            case IDiscardPatternOperation:
                return StatusSet.All;
            default:
                return null;
        }
    }

    private StatusSet? Invocation(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (KnownSymbols.Is(method.ContainingType, _symbols.RetryGuardStatusPolicy) && method.Name == "IsRetryable")
        {
            return Retryable;
        }

        return null;
    }

    private static int? Constant(IOperation? operation)
    {
        while (operation is IConversionOperation { ConstantValue.HasValue: false } conversion)
        {
            // HttpStatusCode.TooManyRequests lifted to HttpStatusCode? has no constant value of its own.
            operation = conversion.Operand;
        }

        if (operation is null || !operation.ConstantValue.HasValue)
        {
            return null;
        }

        return operation.ConstantValue.Value switch
        {
            int value => value,
            short value => value,
            long value when value is >= int.MinValue and <= int.MaxValue => (int)value,
            _ => null,
        };
    }

    private static IOperation? Unwrap(IOperation? operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion when !conversion.ConstantValue.HasValue:
                    operation = conversion.Operand;
                    continue;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    continue;
                default:
                    return operation;
            }
        }
    }
}
