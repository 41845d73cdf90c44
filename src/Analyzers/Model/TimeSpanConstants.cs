using System;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model;

/// <summary>Reads a duration written as a constant: <c>TimeSpan.FromMinutes(2)</c>, a readonly field holding one.</summary>
internal static class TimeSpanConstants
{
    public static TimeSpan? Evaluate(IOperation? operation, KnownSymbols symbols, Func<SyntaxTree, SemanticModel?> semanticModels, int depth = 0)
    {
        while (operation is IConversionOperation or IParenthesizedOperation)
        {
            operation = operation is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)operation).Operand;
        }

        if (operation is null || depth > 2)
        {
            return null;
        }

        switch (operation)
        {
            case IInvocationOperation { TargetMethod.IsStatic: true, Arguments.Length: 1 } invocation
                when KnownSymbols.Is(invocation.TargetMethod.ContainingType, symbols.TimeSpan):
            {
                var value = invocation.Arguments[0].Value.ConstantValue;
                if (!value.HasValue || value.Value is null or string)
                {
                    return null;
                }

                double number = Convert.ToDouble(value.Value, CultureInfo.InvariantCulture);
                double? ticks = invocation.TargetMethod.Name switch
                {
                    "FromMilliseconds" => number * TimeSpan.TicksPerMillisecond,
                    "FromSeconds" => number * TimeSpan.TicksPerSecond,
                    "FromMinutes" => number * TimeSpan.TicksPerMinute,
                    "FromHours" => number * TimeSpan.TicksPerHour,
                    "FromDays" => number * TimeSpan.TicksPerDay,
                    "FromTicks" => number,
                    _ => null,
                };
                return ticks is { } t && t >= 0 && t < TimeSpan.MaxValue.Ticks ? TimeSpan.FromTicks((long)t) : null;
            }

            case IFieldReferenceOperation { Field: { IsReadOnly: true, DeclaringSyntaxReferences.Length: 1 } field }:
                if (field.DeclaringSyntaxReferences[0].GetSyntax() is VariableDeclaratorSyntax { Initializer: { } initializer } declarator &&
                    semanticModels(declarator.SyntaxTree)?.GetOperation(initializer) is IFieldInitializerOperation init)
                {
                    return Evaluate(init.Value, symbols, semanticModels, depth + 1);
                }

                return null;

            case ILocalReferenceOperation { Local.IsConst: false }:
                return null;

            default:
                return null;
        }
    }
}
