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

    /// <summary>
    /// Could <paramref name="node"/> start a hand-written retry (a loop, goto, catch-and-retry or recursion)?
    /// <paramref name="statusNamesAreFramework"/> says whether <c>HttpStatusCode.Accepted</c> and its kin may be read
    /// by name as the framework's statuses (no type, member or alias of the compilation is called <c>HttpStatusCode</c>);
    /// it is asked only where a loop's only failure signals are comparisons with such names.
    /// </summary>
    public static bool IsRetryTrigger(SyntaxNode node, Func<bool> statusNamesAreFramework) => node switch
    {
        StatementSyntax loop when IsLoop(loop) => MayBeRetryLoop(loop, statusNamesAreFramework),
        GotoStatementSyntax jump => jump.IsKind(SyntaxKind.GotoStatement) && !(NearestFunction(jump) is AnonymousFunctionExpressionSyntax or null),
        TryStatementSyntax attempt => MayBeCatchRetry(attempt),
        InvocationExpressionSyntax call => MayBeRecursion(call),
        _ => false,
    };

    private static bool IsLoop(SyntaxNode node) =>
        node is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax;

    private static StatementSyntax? LoopBody(SyntaxNode loop) => loop switch
    {
        ForStatementSyntax @for => @for.Statement,
        CommonForEachStatementSyntax each => each.Statement,
        WhileStatementSyntax @while => @while.Statement,
        DoStatementSyntax @do => @do.Statement,
        _ => null,
    };

    /// <summary>
    /// A loop is a retry only if its body calls something that may leave the process (an invocation: a call, or a
    /// collection initializer's or query's implicit calls) and a retry point in it is reached after a failure
    /// signal, which the recognizer reads from an <c>if</c>, a conditional expression, a <c>switch</c> statement
    /// or a <c>try</c> with catches inside the body (and, for <c>while</c>/<c>do</c>, may read from the loop's own
    /// condition). A loop over a collection that only appends text, or that counts, is never bound. Without a
    /// <c>try</c>, the finer test of <see cref="FailureMayReachRetryPoint"/> follows.
    /// </summary>
    private static bool MayBeRetryLoop(StatementSyntax loop, Func<bool> statusNamesAreFramework)
    {
        if (LoopBody(loop) is not { } body)
        {
            return false;
        }

        bool calls = false;
        bool caught = false;
        bool signal = loop switch
        {
            WhileStatementSyntax @while => !IsTrueLiteral(@while.Condition),
            DoStatementSyntax @do => !IsTrueLiteral(@do.Condition),
            _ => false,
        };

        // One walk: what the loop calls, whether anything in it can signal, and its candidate retry points (waits and
        // continues; whether they belong to this loop is checked only for the few there are).
        List<SyntaxNode>? points = null;
        foreach (var node in body.DescendantNodesAndSelf())
        {
            switch (node.Kind())
            {
                case SyntaxKind.InvocationExpression:
                    calls = true;
                    if (InvokedName(((InvocationExpressionSyntax)node).Expression) is "Delay" or "Sleep")
                    {
                        (points ??= new List<SyntaxNode>()).Add(node);
                    }

                    break;
                case SyntaxKind.CollectionInitializerExpression:
                case SyntaxKind.QueryExpression:
                    calls = true;
                    break;
                case SyntaxKind.ContinueStatement:
                    (points ??= new List<SyntaxNode>()).Add(node);
                    break;
                case SyntaxKind.IfStatement:
                case SyntaxKind.ConditionalExpression:
                case SyntaxKind.SwitchStatement:
                    signal = true;
                    break;
                case SyntaxKind.TryStatement when ((TryStatementSyntax)node).Catches.Count > 0:
                    signal = true;
                    caught = true;
                    break;
            }
        }

        if (!calls || !signal)
        {
            return false;
        }

        // A caught exception is a failure signal wherever the catch sits; the loop's own condition matters only then.
        return caught || FailureMayReachRetryPoint(body, points, statusNamesAreFramework);
    }

    /// <summary>
    /// For a loop body without a <c>try</c>/<c>catch</c>: is some retry point reached after a condition that may
    /// signal a failure? The recognizer's retry points are its waits (<c>Task.Delay</c>, <c>Thread.Sleep</c>), its
    /// <c>continue</c>s and the end of the body; a point counts only under a condition that excludes success:
    /// an enclosing <c>if</c>/<c>?:</c> branch, a <c>switch</c> section, or an earlier <c>if</c> of an enclosing
    /// block that leaves (<c>if (response.IsSuccessStatusCode) return response;</c>). The loop condition plays no
    /// part without a catch. A pause that every item of a batch takes, a worker's idle wait, and a poll that waits
    /// only on a success status (<c>if (response.StatusCode == HttpStatusCode.Accepted) { await Task.Delay(…);
    /// continue; }</c>) never reach the recognizer; any condition this test cannot read keeps the loop.
    /// <paramref name="points"/>: the waits and continues anywhere in the body (those of nested loops, lambdas and
    /// local functions are theirs, not this loop's).
    /// </summary>
    private static bool FailureMayReachRetryPoint(StatementSyntax body, List<SyntaxNode>? points, Func<bool> statusNamesAreFramework)
    {
        // A checked, unchecked or unsafe body is bound as its block: the end of that block is the body's end.
        var end = body switch
        {
            CheckedStatementSyntax context => context.Block,
            UnsafeStatementSyntax context => context.Block,
            _ => body,
        };

        if (end is BlockSyntax block && MayCompleteLast(block.Statements) &&
            MayExitOnSignal(block.Statements, block.Statements.Count, statusNamesAreFramework))
        {
            return true;
        }

        if (points is null)
        {
            return false;
        }

        foreach (var point in points)
        {
            if (OwnedBy(point, body) && SignalMayPrecede(point, body, statusNamesAreFramework))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="node"/> belongs to the loop whose body is <paramref name="body"/>: no nested loop, lambda or local function lies between.</summary>
    private static bool OwnedBy(SyntaxNode node, StatementSyntax body)
    {
        for (var current = node.Parent; current is not null && current != body; current = current.Parent)
        {
            if (IsLoop(current) || current is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The conditions met on the way from <paramref name="point"/> out to the loop body: may one signal a failure?</summary>
    private static bool SignalMayPrecede(SyntaxNode point, StatementSyntax body, Func<bool> statusNamesAreFramework)
    {
        for (var current = point; current != body && current.Parent is { } parent; current = parent)
        {
            switch (parent)
            {
                case IfStatementSyntax branch when current == branch.Statement:
                    if (MaySignal(branch.Condition, whenTrue: true, statusNamesAreFramework))
                    {
                        return true;
                    }

                    break;
                case ElseClauseSyntax { Parent: IfStatementSyntax branch }:
                    if (MaySignal(branch.Condition, whenTrue: false, statusNamesAreFramework))
                    {
                        return true;
                    }

                    break;
                case ConditionalExpressionSyntax choice when current == choice.WhenTrue || current == choice.WhenFalse:
                    if (MaySignal(choice.Condition, whenTrue: current == choice.WhenTrue, statusNamesAreFramework))
                    {
                        return true;
                    }

                    break;
                case SwitchSectionSyntax:
                    return true;
                case BlockSyntax block:
                    if (MayExitOnSignal(block.Statements, block.Statements.IndexOf((StatementSyntax)current), statusNamesAreFramework))
                    {
                        return true;
                    }

                    break;
            }
        }

        return false;
    }

    /// <summary>Among the first <paramref name="count"/> statements, an <c>if</c> without <c>else</c> that may leave on a condition that may signal.</summary>
    private static bool MayExitOnSignal(SyntaxList<StatementSyntax> statements, int count, Func<bool> statusNamesAreFramework)
    {
        for (int i = 0; i < count && i < statements.Count; i++)
        {
            if (statements[i] is IfStatementSyntax { Else: null } exit && MayNotComplete(exit.Statement) &&
                MaySignal(exit.Condition, whenTrue: false, statusNamesAreFramework))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the end of a statement list may be reached: false only when the last statement is a jump.</summary>
    private static bool MayCompleteLast(SyntaxList<StatementSyntax> statements) =>
        statements.Count == 0 || statements[statements.Count - 1] is not (ReturnStatementSyntax or ThrowStatementSyntax or
            BreakStatementSyntax or ContinueStatementSyntax or GotoStatementSyntax or YieldStatementSyntax { RawKind: (int)SyntaxKind.YieldBreakStatement });

    /// <summary>Whether a statement may not complete: it holds a jump, a throw or a loop (outside lambdas); otherwise its end is reached.</summary>
    private static bool MayNotComplete(StatementSyntax statement)
    {
        foreach (var node in statement.DescendantNodesAndSelf(descendIntoChildren: node => node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
        {
            if (node is ReturnStatementSyntax or ThrowStatementSyntax or ThrowExpressionSyntax or BreakStatementSyntax or
                ContinueStatementSyntax or GotoStatementSyntax or YieldStatementSyntax || IsLoop(node))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// May <paramref name="condition"/>, being <paramref name="whenTrue"/>, tell a failure (a failed status, a success
    /// check that is false)? Only two forms are known not to: an equality with a string literal, which is no status
    /// and no success flag, and an equality with a status below 400 (<c>code == HttpStatusCode.Accepted</c>,
    /// <c>(int)code != 202</c>) on the side where the status is that one. Anything else may.
    /// </summary>
    private static bool MaySignal(ExpressionSyntax condition, bool whenTrue, Func<bool> statusNamesAreFramework)
    {
        while (true)
        {
            switch (condition)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    condition = parenthesized.Expression;
                    continue;
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalNotExpression } not:
                    condition = not.Operand;
                    whenTrue = !whenTrue;
                    continue;
            }

            break;
        }

        if (condition is IsPatternExpressionSyntax test)
        {
            return PatternMaySignal(test.Pattern, whenTrue, statusNamesAreFramework);
        }

        if (condition is not BinaryExpressionSyntax binary || !(binary.IsKind(SyntaxKind.EqualsExpression) || binary.IsKind(SyntaxKind.NotEqualsExpression)))
        {
            return true;
        }

        if (IsStringLiteral(binary.Left) || IsStringLiteral(binary.Right))
        {
            return false;
        }

        if (IsNonFailureStatus(binary.Left, statusNamesAreFramework) || IsNonFailureStatus(binary.Right, statusNamesAreFramework))
        {
            // == holds for that status alone, != for every other one.
            return binary.IsKind(SyntaxKind.EqualsExpression) != whenTrue;
        }

        return true;
    }

    /// <summary>
    /// <c>is</c> patterns: a string constant never tells a status; a constant status below 400, and an <c>or</c> of
    /// them, tells none when it matches; <c>not</c> turns the side.
    /// </summary>
    private static bool PatternMaySignal(PatternSyntax pattern, bool whenTrue, Func<bool> statusNamesAreFramework)
    {
        switch (pattern)
        {
            case ParenthesizedPatternSyntax parenthesized:
                return PatternMaySignal(parenthesized.Pattern, whenTrue, statusNamesAreFramework);
            case UnaryPatternSyntax { RawKind: (int)SyntaxKind.NotPattern } not:
                return PatternMaySignal(not.Pattern, !whenTrue, statusNamesAreFramework);
            case ConstantPatternSyntax constant when IsStringLiteral(constant.Expression):
                return false;
            case ConstantPatternSyntax constant:
                return !(whenTrue && IsNonFailureStatus(constant.Expression, statusNamesAreFramework));
            case BinaryPatternSyntax { RawKind: (int)SyntaxKind.OrPattern } or:
                return !whenTrue || PatternMaySignal(or.Left, whenTrue, statusNamesAreFramework) || PatternMaySignal(or.Right, whenTrue, statusNamesAreFramework);
            default:
                return true;
        }
    }

    private static bool IsStringLiteral(ExpressionSyntax expression) =>
        Unparenthesized(expression).IsKind(SyntaxKind.StringLiteralExpression);

    /// <summary>A constant status below 400: <c>202</c>, <c>(HttpStatusCode)202</c>, <c>HttpStatusCode.Accepted</c>.</summary>
    private static bool IsNonFailureStatus(ExpressionSyntax expression, Func<bool> statusNamesAreFramework)
    {
        expression = Unparenthesized(expression);
        while (expression is CastExpressionSyntax cast)
        {
            expression = Unparenthesized(cast.Expression);
        }

        switch (expression)
        {
            case LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NumericLiteralExpression } literal:
                return literal.Token.Value is int code && code >= 100 && code < 400;
            case MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression } access
                when NonFailureStatusNames.Contains(access.Name.Identifier.ValueText) && InvokedName(access.Expression) == "HttpStatusCode" &&
                     access.Name is IdentifierNameSyntax:
                return statusNamesAreFramework();
            default:
                return false;
        }
    }

    private static ExpressionSyntax Unparenthesized(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression;
    }

    /// <summary>The members of <c>System.Net.HttpStatusCode</c> below 400 (informational, success, redirection).</summary>
    private static readonly HashSet<string> NonFailureStatusNames = new(StringComparer.Ordinal)
    {
        "Continue", "SwitchingProtocols", "Processing", "EarlyHints",
        "OK", "Created", "Accepted", "NonAuthoritativeInformation", "NoContent", "ResetContent", "PartialContent",
        "MultiStatus", "AlreadyReported", "IMUsed",
        "Ambiguous", "MultipleChoices", "Moved", "MovedPermanently", "Found", "Redirect", "RedirectMethod", "SeeOther",
        "NotModified", "UseProxy", "Unused", "RedirectKeepVerb", "TemporaryRedirect", "PermanentRedirect",
    };

    /// <summary>
    /// Whether <c>HttpStatusCode.X</c> in this compilation's code can only be <c>System.Net.HttpStatusCode</c>'s member:
    /// no type or member declared in source and no <c>using</c> alias is called <c>HttpStatusCode</c>. (A referenced
    /// assembly's own <c>HttpStatusCode</c> is not looked for: one whose <c>Accepted</c> or <c>OK</c> meant a failure
    /// would be read wrongly by name.)
    /// </summary>
    public static bool StatusNamesAreFramework(Compilation compilation, System.Threading.CancellationToken cancellationToken) =>
        !compilation.ContainsSymbolsWithName("HttpStatusCode", SymbolFilter.TypeAndMember, cancellationToken) &&
        UsingAliases(compilation.SyntaxTrees, directive => directive.Alias!.Name.Identifier.ValueText == "HttpStatusCode", cancellationToken).Count == 0;

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
    public static HashSet<string> RetryOptionsAliases(IEnumerable<SyntaxTree> trees, System.Threading.CancellationToken cancellationToken) =>
        UsingAliases(trees, directive => MayNameRetryOptions(directive.NamespaceOrType, _ => false), cancellationToken);

    /// <summary>The names of the <c>using</c> aliases in <paramref name="trees"/> (files and namespaces) that <paramref name="selected"/> accepts.</summary>
    private static HashSet<string> UsingAliases(IEnumerable<SyntaxTree> trees, Func<UsingDirectiveSyntax, bool> selected, System.Threading.CancellationToken cancellationToken)
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
                    if (directive.Alias is { } alias && selected(directive))
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
