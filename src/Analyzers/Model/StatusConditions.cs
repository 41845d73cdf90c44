using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model;

/// <summary>
/// Turns a condition over an HTTP status into the set of statuses for which it is true. A condition that does
/// not depend on a status, or that the evaluator cannot read, gives null ("unknown"), never a guess.
/// </summary>
internal sealed class StatusConditions
{
    private static readonly StatusSet Retryable = StatusSet.Of(408, 429, 500, 502, 503, 504);
    private const int MaxHelperDepth = 2;
    private readonly KnownSymbols _symbols;
    private readonly Func<SyntaxTree, SemanticModel?>? _semanticModels;
    private int _helperDepth;

    public StatusConditions(KnownSymbols symbols, Func<SyntaxTree, SemanticModel?>? semanticModels = null)
    {
        _symbols = symbols;
        _semanticModels = semanticModels;
    }

    /// <summary>The statuses for which <paramref name="condition"/> is true, or null.</summary>
    public StatusSet? WhenTrue(IOperation? condition) => Evaluate(condition, expected: true, out _);

    /// <summary>The statuses for which <paramref name="condition"/> is false, or null.</summary>
    public StatusSet? WhenFalse(IOperation? condition) => Evaluate(condition, expected: false, out _);

    /// <summary>
    /// The statuses for which <paramref name="condition"/> evaluates to <paramref name="expected"/>, or null.
    /// <paramref name="decidedBy"/> is the smallest part of the condition that decides it: in
    /// <c>attempt &lt; 3 &amp;&amp; response.StatusCode == 429</c>, the comparison with 429.
    /// </summary>
    public StatusSet? Evaluate(IOperation? condition, bool expected, out IOperation? decidedBy)
    {
        decidedBy = null;
        var operation = Unwrap(condition);
        switch (operation)
        {
            case null:
                return null;
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
            {
                var inner = Evaluate(not.Operand, !expected, out var by);
                decidedBy = ReferenceEquals(by, Unwrap(not.Operand)) ? operation : by;
                return inner;
            }

            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } logical:
            {
                // "All of" when an && must hold or an || must fail; "any of" otherwise.
                bool allOf = (logical.OperatorKind == BinaryOperatorKind.ConditionalAnd) == expected;
                var left = Evaluate(logical.LeftOperand, expected, out var leftBy);
                var right = Evaluate(logical.RightOperand, expected, out var rightBy);
                if (allOf)
                {
                    // A part that is not about the status (attempt < max) narrows nothing: the status part alone decides.
                    if (left is { } l && right is { } r)
                    {
                        decidedBy = operation;
                        return l.Intersect(r);
                    }

                    decidedBy = left is not null ? leftBy : rightBy;
                    return left ?? right;
                }

                if (left is { } a && right is { } b)
                {
                    decidedBy = operation;
                    return a.Union(b);
                }

                return null;
            }
        }

        var set = Leaf(operation);
        if (set is null)
        {
            return null;
        }

        decidedBy = operation;
        return expected ? set : set.Value.Complement();
    }

    private StatusSet? Leaf(IOperation operation)
    {
        switch (operation)
        {
            case IPropertyReferenceOperation { Property.Name: "IsSuccessStatusCode" }:
                return StatusSet.Success;
            case IBinaryOperation binary:
                return Comparison(binary);
            case IIsPatternOperation pattern when IsStatusSubject(pattern.Value):
                return Pattern(pattern.Pattern);
            case IInvocationOperation invocation:
                return Invocation(invocation);
            case ISwitchExpressionOperation switchExpression when IsStatusSubject(switchExpression.Value):
                return SwitchExpression(switchExpression);
            default:
                return null;
        }
    }

    /// <summary><c>code switch { HttpStatusCode.TooManyRequests => true, >= (HttpStatusCode)500 => true, _ => false }</c>.</summary>
    private StatusSet? SwitchExpression(ISwitchExpressionOperation switchExpression)
    {
        var result = StatusSet.Empty;
        var remaining = StatusSet.All;
        foreach (var arm in switchExpression.Arms)
        {
            if (arm.Guard is not null || arm.Value.ConstantValue is not { HasValue: true, Value: bool answer } ||
                Pattern(arm.Pattern) is not { } matched)
            {
                return null;
            }

            var taken = matched.Intersect(remaining);
            if (answer)
            {
                result = result.Union(taken);
            }

            remaining = remaining.Intersect(matched.Complement());
        }

        return result;
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
        // status == null: no response status at all (a network failure) — true for no status code.
        if (binary.OperatorKind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals &&
            ((IsStatusSubject(binary.LeftOperand) && IsNull(binary.RightOperand)) || (IsStatusSubject(binary.RightOperand) && IsNull(binary.LeftOperand))))
        {
            return binary.OperatorKind == BinaryOperatorKind.Equals ? StatusSet.Empty : StatusSet.All;
        }

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
            case IConstantPatternOperation constant when IsNull(constant.Value):
                return StatusSet.Empty;
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

        return Helper(method);
    }

    /// <summary>
    /// A small predicate of the same compilation (<c>static bool IsTransient(HttpResponseMessage r) =&gt; ...</c>):
    /// its one returned condition decides. The subject is found by type, so no argument binding is needed.
    /// </summary>
    private StatusSet? Helper(IMethodSymbol method)
    {
        if (_semanticModels is null || _helperDepth >= MaxHelperDepth || method.ReturnType.SpecialType != SpecialType.System_Boolean ||
            method.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        var syntax = method.DeclaringSyntaxReferences[0].GetSyntax();
        var (arrowBody, block) = syntax switch
        {
            MethodDeclarationSyntax declaration => (declaration.ExpressionBody, declaration.Body),
            LocalFunctionStatementSyntax local => (local.ExpressionBody, local.Body),
            _ => (null, null),
        };
        SyntaxNode? returned = arrowBody?.Expression ??
            (block is { Statements.Count: 1 } && block.Statements[0] is ReturnStatementSyntax { Expression: { } value } ? value : null);

        if (returned is null || _semanticModels(returned.SyntaxTree)?.GetOperation(returned) is not { } condition)
        {
            return null;
        }

        _helperDepth++;
        try
        {
            return WhenTrue(condition);
        }
        finally
        {
            _helperDepth--;
        }
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

    private static bool IsNull(IOperation operation) =>
        Unwrap(operation) is { ConstantValue: { HasValue: true, Value: null } } || operation.ConstantValue is { HasValue: true, Value: null };

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
