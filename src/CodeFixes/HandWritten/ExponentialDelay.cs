using System;
using System.Globalization;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.CodeFixes;

/// <summary>
/// A hand-written exponential delay, <c>base × 2^attempt</c>, read from a wait's argument so that it can become
/// <c>Backoff.Exponential(attempt, base, max)</c>:
/// <c>TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt))</c>, <c>TimeSpan.FromSeconds(1 &lt;&lt; attempt)</c>,
/// <c>1000 * (1 &lt;&lt; attempt)</c> milliseconds, <c>500 &lt;&lt; attempt</c>, optionally inside
/// <c>Math.Min(..., cap)</c>. The attempt is a local counter that starts at a non-negative constant and only grows
/// (optionally <c>± constant</c>), so <c>Backoff.Exponential</c>'s "retries so far, from 0" never sees a negative number.
/// </summary>
internal sealed class ExponentialDelay
{
    /// <summary>The cap used when the code shows none: 30 seconds, the runtime's default <c>MaxDelay</c> order of magnitude.</summary>
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(30);

    private ExponentialDelay(ExpressionSyntax attempt, ExpressionSyntax baseDelay, ExpressionSyntax maxDelay)
    {
        Attempt = attempt;
        BaseDelay = baseDelay;
        MaxDelay = maxDelay;
    }

    public ExpressionSyntax Attempt { get; }

    public ExpressionSyntax BaseDelay { get; }

    public ExpressionSyntax MaxDelay { get; }

    public static ExponentialDelay? Match(WaitSite wait, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetOperation(wait.Argument.Expression, cancellationToken) is not { } delay)
        {
            return null;
        }

        delay = Strip(delay);
        string unit;
        IOperation number;
        if (delay is IInvocationOperation { TargetMethod: { IsStatic: true } factory, Arguments.Length: 1 } call &&
            factory.ContainingType?.ToDisplayString() == "System.TimeSpan" && TicksPer(factory.Name) is not null)
        {
            unit = factory.Name;
            number = Strip(call.Arguments[0].Value);
        }
        else if (delay.Type?.SpecialType == SpecialType.System_Int32)
        {
            unit = "FromMilliseconds";
            number = delay;
        }
        else
        {
            return null;
        }

        double ticksPerUnit = TicksPer(unit)!.Value;
        IOperation? cap = null;
        if (number is IInvocationOperation { TargetMethod.Name: "Min", Arguments.Length: 2 } min &&
            min.TargetMethod.ContainingType?.ToDisplayString() == "System.Math")
        {
            var first = Strip(min.Arguments[0].Value);
            var second = Strip(min.Arguments[1].Value);
            (cap, number) = PositiveConstant(second) is not null ? (second, first) : PositiveConstant(first) is not null ? (first, second) : (null, number);
            if (cap is null)
            {
                return null;
            }
        }

        if (Growth(number) is not { } growth || AttemptExpression(growth.Attempt, model, cancellationToken) is not { } attempt)
        {
            return null;
        }

        double baseTicks = growth.Factor * ticksPerUnit;
        ExpressionSyntax maxDelay;
        if (cap is not null)
        {
            if (PositiveConstant(cap) is not { } capValue || capValue * ticksPerUnit < baseTicks)
            {
                return null;
            }

            maxDelay = Factory(unit, (ExpressionSyntax)cap.Syntax);
        }
        else
        {
            if (baseTicks > DefaultMaxDelay.Ticks)
            {
                return null;
            }

            maxDelay = Factory("FromSeconds", Literal(DefaultMaxDelay.TotalSeconds));
        }

        var factorSyntax = growth.FactorSyntax ?? Literal(1);
        return new ExponentialDelay(attempt, Factory(unit, factorSyntax), maxDelay);
    }

    private readonly struct GrowthMatch
    {
        public GrowthMatch(double factor, ExpressionSyntax? factorSyntax, IOperation attempt)
        {
            Factor = factor;
            FactorSyntax = factorSyntax;
            Attempt = attempt;
        }

        public double Factor { get; }

        public ExpressionSyntax? FactorSyntax { get; }

        public IOperation Attempt { get; }
    }

    /// <summary><c>c * 2^a</c>, <c>2^a * c</c>, <c>c &lt;&lt; a</c> or <c>2^a</c> where 2^a is <c>Math.Pow(2, a)</c> or <c>1 &lt;&lt; a</c>.</summary>
    private static GrowthMatch? Growth(IOperation number)
    {
        switch (number)
        {
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply } product:
            {
                var left = Strip(product.LeftOperand);
                var right = Strip(product.RightOperand);
                if (PositiveConstant(left) is { } l && PowerOfTwo(right) is { } ra)
                {
                    return new GrowthMatch(l, (ExpressionSyntax)left.Syntax, ra);
                }

                if (PositiveConstant(right) is { } r && PowerOfTwo(left) is { } la)
                {
                    return new GrowthMatch(r, (ExpressionSyntax)right.Syntax, la);
                }

                return null;
            }

            case IBinaryOperation { OperatorKind: BinaryOperatorKind.LeftShift } shift when PositiveConstant(Strip(shift.LeftOperand)) is { } factor:
                var shifted = Strip(shift.LeftOperand);
                return new GrowthMatch(factor, factor == 1 ? null : (ExpressionSyntax)shifted.Syntax, Strip(shift.RightOperand));

            default:
                return PowerOfTwo(number) is { } attempt ? new GrowthMatch(1, null, attempt) : null;
        }
    }

    /// <summary>The exponent of <c>Math.Pow(2, a)</c> or <c>1 &lt;&lt; a</c>.</summary>
    private static IOperation? PowerOfTwo(IOperation operation) => operation switch
    {
        IInvocationOperation { TargetMethod.Name: "Pow", Arguments.Length: 2 } pow
            when pow.TargetMethod.ContainingType?.ToDisplayString() == "System.Math" && PositiveConstant(Strip(pow.Arguments[0].Value)) == 2 =>
            Strip(pow.Arguments[1].Value),
        IBinaryOperation { OperatorKind: BinaryOperatorKind.LeftShift } shift when PositiveConstant(Strip(shift.LeftOperand)) == 1 =>
            Strip(shift.RightOperand),
        _ => null,
    };

    /// <summary>
    /// The attempt as written when it is never negative: a local counter (<c>attempt</c>, <c>attempt - 1</c>,
    /// <c>attempt + 1</c>) that starts at a constant and is only incremented.
    /// </summary>
    private static ExpressionSyntax? AttemptExpression(IOperation attempt, SemanticModel model, CancellationToken cancellationToken)
    {
        int offset = 0;
        var counter = attempt;
        if (attempt is IBinaryOperation { OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract } step &&
            Strip(step.RightOperand).ConstantValue is { HasValue: true, Value: int k })
        {
            offset = step.OperatorKind == BinaryOperatorKind.Add ? k : -k;
            counter = Strip(step.LeftOperand);
        }

        if (counter is not ILocalReferenceOperation { Local: { IsConst: false } local } ||
            !IsIntegral(local.Type) || StartOfGrowingCounter(local, model, cancellationToken) is not { } start ||
            start + offset < 0)
        {
            return null;
        }

        return ((ExpressionSyntax)attempt.Syntax).WithoutTrivia();
    }

    /// <summary>Counter types that convert to <c>Backoff.Exponential</c>'s <c>int</c> attempt implicitly (not <c>long</c>).</summary>
    private static bool IsIntegral(ITypeSymbol type) => type.SpecialType is SpecialType.System_Int32 or
        SpecialType.System_Int16 or SpecialType.System_Byte or SpecialType.System_UInt16 or SpecialType.System_SByte;

    /// <summary>The counter's initial constant when every other write only increases it; null otherwise.</summary>
    private static long? StartOfGrowingCounter(ILocalSymbol local, SemanticModel model, CancellationToken cancellationToken)
    {
        if (local.DeclaringSyntaxReferences.Length != 1 ||
            local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer.Value: { } initial } declarator ||
            model.GetConstantValue(initial, cancellationToken) is not { HasValue: true, Value: var value } ||
            value is not (int or long or short or byte) || Convert.ToInt64(value, CultureInfo.InvariantCulture) is var start && start < 0)
        {
            return null;
        }

        var scope = declarator.FirstAncestorOrSelf<MemberDeclarationSyntax>() ?? declarator.SyntaxTree.GetRoot(cancellationToken);
        foreach (var identifier in scope.DescendantNodes())
        {
            if (identifier is not IdentifierNameSyntax name || name.Identifier.ValueText != local.Name ||
                !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, local))
            {
                continue;
            }

            switch (name.Parent)
            {
                case PostfixUnaryExpressionSyntax postfix when postfix.IsKind(SyntaxKind.PostIncrementExpression):
                case PrefixUnaryExpressionSyntax prefix when prefix.IsKind(SyntaxKind.PreIncrementExpression):
                    continue;
                case PostfixUnaryExpressionSyntax:
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreDecrementExpression }:
                    return null;
                case AssignmentExpressionSyntax assignment when assignment.Left == name:
                    if (assignment.IsKind(SyntaxKind.AddAssignmentExpression) &&
                        model.GetConstantValue(assignment.Right, cancellationToken) is { HasValue: true, Value: int increment } && increment >= 0)
                    {
                        continue;
                    }

                    return null;
                case ArgumentSyntax { RefKindKeyword.RawKind: not (int)SyntaxKind.None }:
                    return null;
            }
        }

        return start;
    }

    private static double? PositiveConstant(IOperation operation)
    {
        if (operation.ConstantValue is not { HasValue: true, Value: { } value } || value is string or bool or char)
        {
            return null;
        }

        double number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        return number > 0 && !double.IsInfinity(number) ? number : null;
    }

    private static double? TicksPer(string factory) => factory switch
    {
        "FromMilliseconds" => TimeSpan.TicksPerMillisecond,
        "FromSeconds" => TimeSpan.TicksPerSecond,
        "FromMinutes" => TimeSpan.TicksPerMinute,
        "FromHours" => TimeSpan.TicksPerHour,
        _ => null,
    };

    private static IOperation Strip(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
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

    private static ExpressionSyntax Factory(string unit, ExpressionSyntax amount) =>
        SyntaxFactory.InvocationExpression(
            RuntimeNames.Framework("System", "TimeSpan", unit),
            SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(amount.WithoutTrivia()))));

    private static ExpressionSyntax Literal(double value) =>
        SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal((int)value));
}
