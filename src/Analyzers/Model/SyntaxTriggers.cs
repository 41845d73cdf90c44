using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RetryGuard.Analyzers.Model;

/// <summary>
/// Where the retry analysis starts: the syntax nodes that can begin a retry construct, and the cheap syntax tests
/// that rule a node out before any binding. This is the one place that lists them.
/// <para>
/// Why syntax first: asking the compiler for the operation tree of a member body binds the whole body again (the
/// compiler's own binding is not shared with analyzers), so an analyzer that registers operation actions roughly
/// doubles the binding work of a build. <see cref="RetryAnalyzer"/> registers one semantic model action; it walks
/// each file's syntax and asks for the operation tree (<c>SemanticModel.GetOperation</c>) only of the nodes that
/// pass these tests; the analysis itself stays on operations. (Not syntax node actions: a diagnostic may sit
/// elsewhere in the body than its trigger node, and the IDE, analysing one span, must still find it; the action
/// analyses every member the span touches whole.)
/// </para>
/// <para>
/// The trigger node kinds are the cases of <see cref="IsRetryTrigger"/> (for, foreach, while, do, goto, try,
/// invocation) and <see cref="IsPollyTrigger"/> (invocation, object creation, <c>new()</c>). Each test is a
/// necessary condition of the recognizer it guards (RetryRecognizer, PollyRecognizer): a node that fails it can
/// never yield a construct. A recognizer that learns a new shape must widen its test here, and a new construct
/// kind adds a case to one of these two methods (or a third one called from the same walk).
/// </para>
/// </summary>
internal static class SyntaxTriggers
{
    /// <summary>The Polly v7 retry builders (<c>PolicyBuilder</c> extension methods).</summary>
    public static readonly HashSet<string> PollyV7RetryMethods = new(StringComparer.Ordinal)
    {
        "Retry", "RetryAsync", "RetryForever", "RetryForeverAsync",
        "WaitAndRetry", "WaitAndRetryAsync", "WaitAndRetryForever", "WaitAndRetryForeverAsync",
    };

    /// <summary>The retry options types the Polly recognizer models (a user subclass is not followed).</summary>
    public static readonly HashSet<string> RetryOptionsTypeNames = new(StringComparer.Ordinal)
    {
        "RetryStrategyOptions", "HttpRetryStrategyOptions",
    };

    // ------------------------------------------------------------------------------------------------------------
    // Hand-written retries
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>Could <paramref name="node"/> start a hand-written retry (a loop, goto, catch-and-retry or recursion)?</summary>
    public static bool IsRetryTrigger(SyntaxNode node) => node switch
    {
        StatementSyntax loop when IsLoop(loop) => MayBeRetryLoop(loop),
        GotoStatementSyntax jump => jump.IsKind(SyntaxKind.GotoStatement) && !(NearestFunction(jump) is AnonymousFunctionExpressionSyntax or null),
        TryStatementSyntax attempt => MayBeCatchRetry(attempt),
        InvocationExpressionSyntax call => MayBeRecursion(call),
        _ => false,
    };

    private static bool IsLoop(SyntaxNode node) =>
        node is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax;

    /// <summary>
    /// A loop is a retry only if its body calls something that may leave the process (an invocation: a call, or a
    /// collection initializer's or query's implicit calls) and a retry point in it is reached after a failure
    /// signal, which the recognizer reads from an <c>if</c>, a conditional expression, a <c>switch</c> statement
    /// or a <c>try</c> with catches inside the body (and, for <c>while</c>/<c>do</c>, may read from the loop's own
    /// condition). A loop over a collection that only appends text, or that counts, is never bound.
    /// </summary>
    private static bool MayBeRetryLoop(StatementSyntax loop)
    {
        StatementSyntax? body = loop switch
        {
            ForStatementSyntax @for => @for.Statement,
            CommonForEachStatementSyntax each => each.Statement,
            WhileStatementSyntax @while => @while.Statement,
            DoStatementSyntax @do => @do.Statement,
            _ => null,
        };

        if (body is null)
        {
            return false;
        }

        bool calls = false;
        bool signal = loop switch
        {
            WhileStatementSyntax @while => !IsTrueLiteral(@while.Condition),
            DoStatementSyntax @do => !IsTrueLiteral(@do.Condition),
            _ => false,
        };

        foreach (var node in body.DescendantNodesAndSelf())
        {
            switch (node.Kind())
            {
                case SyntaxKind.InvocationExpression:
                case SyntaxKind.CollectionInitializerExpression:
                case SyntaxKind.QueryExpression:
                    calls = true;
                    break;
                case SyntaxKind.IfStatement:
                case SyntaxKind.ConditionalExpression:
                case SyntaxKind.SwitchStatement:
                    signal = true;
                    break;
                case SyntaxKind.TryStatement when ((TryStatementSyntax)node).Catches.Count > 0:
                    signal = true;
                    break;
            }

            if (calls && signal)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsTrueLiteral(ExpressionSyntax condition)
    {
        while (condition is ParenthesizedExpressionSyntax parenthesized)
        {
            condition = parenthesized.Expression;
        }

        return condition.IsKind(SyntaxKind.TrueLiteralExpression);
    }

    /// <summary>
    /// Catch-and-retry: a <c>try</c> outside any loop (a loop is analysed as the construct) whose catch block makes
    /// one of the try block's calls again, written the same way (the recognizer compares the calls' syntax).
    /// </summary>
    private static bool MayBeCatchRetry(TryStatementSyntax attempt)
    {
        if (attempt.Catches.Count == 0)
        {
            return false;
        }

        for (var current = attempt.Parent; current is not null; current = current.Parent)
        {
            if (IsLoop(current))
            {
                return false;
            }

            if (current is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax)
            {
                break;
            }
        }

        List<InvocationExpressionSyntax>? attempted = null;
        foreach (var node in attempt.Block.DescendantNodes())
        {
            if (node is InvocationExpressionSyntax call)
            {
                (attempted ??= new List<InvocationExpressionSyntax>()).Add(call);
            }
        }

        if (attempted is null)
        {
            return false;
        }

        foreach (var clause in attempt.Catches)
        {
            foreach (var node in clause.Block.DescendantNodes())
            {
                if (node is InvocationExpressionSyntax again)
                {
                    foreach (var first in attempted)
                    {
                        if (first.IsEquivalentTo(again, topLevel: false))
                        {
                            return true;
                        }
                    }
                }
            }
        }

        return false;
    }

    /// <summary>Recursion: a call whose name is the name of the method or local function it sits in (a lambda ends the search).</summary>
    private static bool MayBeRecursion(InvocationExpressionSyntax call)
    {
        string? name = InvokedName(call.Expression);
        if (name is null)
        {
            return false;
        }

        return NearestFunction(call) switch
        {
            MethodDeclarationSyntax method => method.Identifier.ValueText == name,
            LocalFunctionStatementSyntax local => local.Identifier.ValueText == name,
            _ => false,
        };
    }

    /// <summary>The method, local function or lambda the node sits in; null outside any (or in another member kind).</summary>
    private static SyntaxNode? NearestFunction(SyntaxNode node)
    {
        for (var current = node.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MethodDeclarationSyntax:
                    return current;
                case MemberDeclarationSyntax:
                    return current;
            }
        }

        return null;
    }

    /// <summary>The simple name a call is made by: <c>Send</c> in <c>Send(x)</c>, <c>this.Send(x)</c>, <c>a?.Send&lt;T&gt;()</c>.</summary>
    public static string? InvokedName(ExpressionSyntax callee) => callee switch
    {
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        _ => null,
    };

    // ------------------------------------------------------------------------------------------------------------
    // Polly and Microsoft.Extensions.Http.Resilience
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Could <paramref name="node"/> be a Polly construct? A v7 retry
    /// builder call; a call with an options lambda that touches its parameter's <c>Retry</c> (the standard
    /// resilience handler); the creation of a retry options object, by its written type or, for <c>new()</c>, by
    /// the type its context declares. <paramref name="aliases"/>: the <c>using</c> aliases of the compilation
    /// that name a retry options type.
    /// </summary>
    public static bool IsPollyTrigger(SyntaxNode node, bool v7, bool standardHandler, bool v8, Func<string, bool> isOptionsAlias)
    {
        switch (node)
        {
            case InvocationExpressionSyntax call:
                if (v7 && InvokedName(call.Expression) is { } name && PollyV7RetryMethods.Contains(name))
                {
                    return true;
                }

                return standardHandler && HasRetryOptionsLambda(call);

            case ObjectCreationExpressionSyntax creation:
                return v8 && MayNameRetryOptions(creation.Type, isOptionsAlias);

            case ImplicitObjectCreationExpressionSyntax implicitCreation:
                return v8 && MayBeRetryOptionsTarget(implicitCreation, isOptionsAlias);

            default:
                return false;
        }
    }

    /// <summary>An argument lambda whose body reads <c>p.Retry</c> of its first parameter <c>p</c>.</summary>
    private static bool HasRetryOptionsLambda(InvocationExpressionSyntax call)
    {
        foreach (var argument in call.ArgumentList.Arguments)
        {
            var value = argument.Expression;
            while (value is ParenthesizedExpressionSyntax or CastExpressionSyntax)
            {
                value = value is ParenthesizedExpressionSyntax parenthesized ? parenthesized.Expression : ((CastExpressionSyntax)value).Expression;
            }

            string? parameter = value switch
            {
                SimpleLambdaExpressionSyntax simple => simple.Parameter.Identifier.ValueText,
                ParenthesizedLambdaExpressionSyntax { ParameterList.Parameters.Count: > 0 } lambda => lambda.ParameterList.Parameters[0].Identifier.ValueText,
                AnonymousMethodExpressionSyntax { ParameterList.Parameters.Count: > 0 } method => method.ParameterList.Parameters[0].Identifier.ValueText,
                _ => null,
            };

            if (parameter is null)
            {
                continue;
            }

            foreach (var inner in value.DescendantNodes())
            {
                if (inner is MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax receiver } access &&
                    access.Name.Identifier.ValueText == "Retry" && receiver.Identifier.ValueText == parameter)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// A written type that may be, or hold, a retry options type (<c>RetryStrategyOptions&lt;T&gt;</c>,
    /// <c>Task&lt;HttpRetryStrategyOptions&gt;</c>): one of its simple names is such a type's name or an alias of one.
    /// </summary>
    public static bool MayNameRetryOptions(TypeSyntax? type, Func<string, bool> isOptionsAlias)
    {
        if (type is null)
        {
            return false;
        }

        foreach (var node in type.DescendantNodesAndSelf())
        {
            if (node is SimpleNameSyntax simple &&
                (RetryOptionsTypeNames.Contains(simple.Identifier.ValueText) || isOptionsAlias(simple.Identifier.ValueText)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The <c>using</c> aliases in <paramref name="trees"/> that name a retry options type (<c>using Options =
    /// Polly.Retry.RetryStrategyOptions&lt;HttpResponseMessage&gt;;</c>); global aliases reach every file, so the set
    /// is per compilation.
    /// </summary>
    public static HashSet<string> RetryOptionsAliases(IEnumerable<SyntaxTree> trees, System.Threading.CancellationToken cancellationToken)
    {
        var aliases = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<SyntaxNode>();
        foreach (var tree in trees)
        {
            pending.Push(tree.GetRoot(cancellationToken));
            while (pending.Count > 0)
            {
                var scope = pending.Pop();
                SyntaxList<UsingDirectiveSyntax> usings = default;
                SyntaxList<MemberDeclarationSyntax> members = default;
                switch (scope)
                {
                    case CompilationUnitSyntax unit:
                        usings = unit.Usings;
                        members = unit.Members;
                        break;
                    case BaseNamespaceDeclarationSyntax @namespace:
                        usings = @namespace.Usings;
                        members = @namespace.Members;
                        break;
                }

                foreach (var directive in usings)
                {
                    if (directive.Alias is { } alias && MayNameRetryOptions(directive.NamespaceOrType, _ => false))
                    {
                        aliases.Add(alias.Name.Identifier.ValueText);
                    }
                }

                foreach (var member in members)
                {
                    if (member is BaseNamespaceDeclarationSyntax)
                    {
                        pending.Push(member);
                    }
                }
            }
        }

        return aliases;
    }

    /// <summary>
    /// <c>new()</c>: the type comes from the context. Where the context writes it (a declaration, a return type, a
    /// parameter) that written type is tested; anywhere else (an argument, an assignment, a lambda's result) the
    /// creation is bound, unless its initializer already shows it (sets a retry option).
    /// </summary>
    private static bool MayBeRetryOptionsTarget(ImplicitObjectCreationExpressionSyntax creation, Func<string, bool> isOptionsAlias)
    {
        if (creation.Initializer is { } initializer)
        {
            foreach (var expression in initializer.Expressions)
            {
                if (expression is AssignmentExpressionSyntax { Left: IdentifierNameSyntax property } &&
                    Polly.OptionsWriteIndex.PropertyNames.Contains(property.Identifier.ValueText))
                {
                    return true;
                }
            }
        }

        SyntaxNode current = creation;
        while (current.Parent is ParenthesizedExpressionSyntax)
        {
            current = current.Parent;
        }

        TypeSyntax? written = current.Parent switch
        {
            EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax declaration } } => declaration.Type,
            EqualsValueClauseSyntax { Parent: PropertyDeclarationSyntax property } => property.Type,
            EqualsValueClauseSyntax { Parent: ParameterSyntax parameter } => parameter.Type,
            ArrowExpressionClauseSyntax or ReturnStatementSyntax => ReturnType(current.Parent),
            _ => null,
        };

        return written is null || MayNameRetryOptions(written, isOptionsAlias);
    }

    /// <summary>The return type written for a <c>return</c> or <c>=&gt;</c> body; null when none is written (lambdas).</summary>
    private static TypeSyntax? ReturnType(SyntaxNode? node)
    {
        for (var current = node; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case MethodDeclarationSyntax method:
                    return method.ReturnType;
                case LocalFunctionStatementSyntax local:
                    return local.ReturnType;
                case PropertyDeclarationSyntax property:
                    return property.Type;
                case AnonymousFunctionExpressionSyntax or MemberDeclarationSyntax:
                    return null;
            }
        }

        return null;
    }
}
