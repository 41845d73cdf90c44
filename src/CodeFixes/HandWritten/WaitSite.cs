using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RetryGuard.CodeFixes;

/// <summary>
/// The wait a diagnostic is reported on (<c>Task.Delay(...)</c>, <c>Thread.Sleep(...)</c>) and its delay argument,
/// wherever a named argument put it.
/// </summary>
internal readonly struct WaitSite
{
    private WaitSite(InvocationExpressionSyntax invocation, ArgumentSyntax argument)
    {
        Invocation = invocation;
        Argument = argument;
    }

    public InvocationExpressionSyntax Invocation { get; }

    public ArgumentSyntax Argument { get; }

    /// <summary>
    /// The wait a hand-written retry's diagnostic is reported on: exactly a <c>Task.Delay</c> or <c>Thread.Sleep</c>
    /// call. Anything else (a Polly policy, options object or sleep-duration provider) is left to the Polly fixes.
    /// </summary>
    public static WaitSite? Find(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var node = root.FindNode(diagnostic.Location.SourceSpan, false, true);
        var invocation = node as InvocationExpressionSyntax ?? node.FirstAncestorOrSelf<InvocationExpressionSyntax>();
        if (invocation is null || invocation.ArgumentList.Arguments.Count == 0 || invocation.Span != diagnostic.Location.SourceSpan ||
            model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method ||
            (method.Name, method.ContainingType?.ToDisplayString()) is not (("Delay", "System.Threading.Tasks.Task") or ("Sleep", "System.Threading.Thread")))
        {
            return null;
        }

        foreach (var argument in invocation.ArgumentList.Arguments)
        {
            if (argument.NameColon is null ||
                argument.NameColon.Name.Identifier.ValueText is "millisecondsDelay" or "delay" or "millisecondsTimeout" or "timeout")
            {
                return new WaitSite(invocation, argument);
            }
        }

        return null;
    }

    /// <summary>Whether the delay is a <c>TimeSpan</c> (true), <c>int</c> milliseconds (false), or neither (null).</summary>
    public bool? IsTimeSpan(SemanticModel model, CancellationToken cancellationToken)
    {
        var type = model.GetTypeInfo(Argument.Expression, cancellationToken).ConvertedType;
        if (type is null)
        {
            return null;
        }

        if (type.ToDisplayString() == "System.TimeSpan")
        {
            return true;
        }

        return type.SpecialType == SpecialType.System_Int32 ? false : null;
    }

    /// <summary>The delay as a TimeSpan expression: int milliseconds become <c>TimeSpan.FromMilliseconds(...)</c>.</summary>
    public ExpressionSyntax? DelayAsTimeSpan(SemanticModel model, CancellationToken cancellationToken)
    {
        var expression = Argument.Expression.WithoutTrivia();
        return IsTimeSpan(model, cancellationToken) switch
        {
            true => expression,
            false => SyntaxFactory.InvocationExpression(
                RuntimeNames.Framework("System", "TimeSpan", "FromMilliseconds"),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(expression)))),
            _ => null,
        };
    }

    /// <summary>
    /// The argument with a new TimeSpan delay: <c>Task.Delay(millisecondsDelay: 100)</c> becomes
    /// <c>Task.Delay(delay: ...)</c>, <c>Thread.Sleep(millisecondsTimeout: ...)</c> <c>timeout: ...</c>.
    /// </summary>
    public ArgumentSyntax WithDelay(ExpressionSyntax delay)
    {
        var argument = Argument.WithExpression(delay.WithTriviaFrom(Argument.Expression));
        if (argument.NameColon is { } name)
        {
            string renamed = name.Name.Identifier.ValueText switch
            {
                "millisecondsDelay" => "delay",
                "millisecondsTimeout" => "timeout",
                var same => same,
            };
            argument = argument.WithNameColon(name.WithName(SyntaxFactory.IdentifierName(renamed).WithTriviaFrom(name.Name)));
        }

        return argument;
    }
}
