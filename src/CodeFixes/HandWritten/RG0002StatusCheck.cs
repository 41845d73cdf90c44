using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;
using RetryGuard.Analyzers.Model;
using RetryGuard.Analyzers.Rules;

namespace RetryGuard.CodeFixes;

/// <summary>
/// RG0002 on a status check of a hand-written loop (<c>if (!response.IsSuccessStatusCode) { wait; continue; }</c>,
/// <c>if (response.IsSuccessStatusCode || attempt == Max - 1) return response;</c>, <c>(int)response.StatusCode &gt;= 400</c>,
/// status patterns): a caller error is sent down the path the code already takes for a failure it does not retry, at
/// once instead of after the retries. The path must exist and already handle a failed response:
/// <list type="bullet">
/// <item><b>the last attempt's path</b>: the check has a counter guard (<c>attempt &lt; Max - 1</c>, <c>attempt == Max - 1</c>)
/// that sends every status of the last attempt one way; a caller error goes that way at once. A retry check becomes
/// <c>C &amp;&amp; HttpStatusPolicy.IsRetryable(response.StatusCode)</c>, an exit check <c>C || !HttpStatusPolicy.IsRetryable(response.StatusCode)</c>;</item>
/// <item><b>a failure handler</b>: the other path begins with <c>response.EnsureSuccessStatusCode()</c> or is
/// <c>return response;</c>, and some failure status takes it already; the condition is narrowed the same way;</item>
/// <item><b>the loop's end</b>: a loop that ends by its own condition, with no <c>break</c>, whose check reads the status
/// only and whose retry path begins in a block: <c>if (!HttpStatusPolicy.IsRetryable(response.StatusCode)) break;</c> at
/// its start sends a caller error to the code after the loop, which runs today once the retries are spent.</item>
/// </list>
/// The check must be a statement of the loop's body, read its status from one local or parameter
/// (<c>response.StatusCode</c>, <c>response.IsSuccessStatusCode</c>), and have no <c>else</c>. Not offered when the
/// failure path refreshes credentials first (401/403 retried on purpose), for <c>switch</c> sections, helper predicates,
/// or an endless loop whose other path only serves successes.
/// </summary>
internal sealed class RG0002StatusCheck
{
    private enum Edit
    {
        /// <summary><c>C</c> → <c>C &amp;&amp; IsRetryable(status)</c>: the check's retry branch.</summary>
        NarrowRetry,

        /// <summary><c>C</c> → <c>C || !IsRetryable(status)</c>: the check's exit branch.</summary>
        WidenExit,

        /// <summary><c>if (!IsRetryable(status)) break;</c> at the start of the retry path.</summary>
        BreakFirst,
    }

    private RG0002StatusCheck(IfStatementSyntax check, IfStatementSyntax target, IdentifierNameSyntax response, Edit edit, bool retryInBranch = false)
    {
        Check = check;
        Target = target;
        Response = response;
        Kind = edit;
        RetryInBranch = retryInBranch;
    }

    /// <summary>The status check RG0002 is reported on.</summary>
    public IfStatementSyntax Check { get; }

    /// <summary>The check whose condition is changed: the status check, or the exit the last attempt takes.</summary>
    public IfStatementSyntax Target { get; }

    private IdentifierNameSyntax Response { get; }

    private Edit Kind { get; }

    /// <summary>The retry path is the check's branch (else: the statements after it).</summary>
    private bool RetryInBranch { get; }

    public static RG0002StatusCheck? Find(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var span = diagnostic.Location.SourceSpan;
        if (diagnostic.Properties.ContainsKey(HandWrittenFixProperties.ChangesRequestFirst) ||
            model.Compilation.GetTypeByMetadataName("RetryGuard.HttpStatusPolicy") is null ||
            !root.FullSpan.Contains(span))
        {
            return null;
        }

        var node = root.FindNode(span, getInnermostNodeForTie: true);
        if (node.FirstAncestorOrSelf<StatementSyntax>() is not IfStatementSyntax { Else: null } check ||
            !check.Condition.Span.Contains(span) ||
            check.Parent is not BlockSyntax { Parent: ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax } body)
        {
            return null;
        }

        var loop = (StatementSyntax)body.Parent!;
        if (PolicyLoopShape.ConstructFor(root, model, diagnostic, cancellationToken) is not { } found || found.Loop != loop ||
            found.Construct.Admissions.FirstOrDefault(admission => admission.Location.SourceSpan == span) is not { } admitted ||
            ResponseOf(check.Condition, model, cancellationToken) is not { } response)
        {
            return null;
        }

        // The counter says which attempt is the last only while the body leaves it alone.
        var counter = loop is ForStatementSyntax counted ? PolicyLoopShape.Counter.Match(counted, model, cancellationToken) : null;
        if (counter is not null && (model.AnalyzeDataFlow(body) is not { Succeeded: true } flow || flow.WrittenInside.Contains(counter.Variable)))
        {
            counter = null;
        }
        var index = body.Statements.IndexOf(check);
        var next = index + 1 < body.Statements.Count ? body.Statements[index + 1] : null;

        // Some failure already takes the non-retry path: it is written for failed responses too.
        bool failuresPass = !StatusSet.Range(400, StatusSet.Max).Intersect(admitted.Statuses.Complement()).IsEmpty;
        var responseSymbol = model.GetSymbolInfo(response, cancellationToken).Symbol!;

        if (IsRetryBranch(check, body, loop))
        {
            var branch = check.Statement is BlockSyntax block ? block.Statements.ToList() : new() { check.Statement };
            if (counter is not null && counter.Decides(check.Condition, counter.Last, outcome: false))
            {
                return new RG0002StatusCheck(check, check, response, Edit.NarrowRetry);
            }

            if (ExhaustionExit(branch, counter, model) is { } guard)
            {
                return new RG0002StatusCheck(check, guard, response, Edit.WidenExit);
            }

            if (branch.Any(Exits))
            {
                return null;
            }

            if (next is not null && HandlesFailure(next, responseSymbol, failuresPass, model, cancellationToken))
            {
                return new RG0002StatusCheck(check, check, response, Edit.NarrowRetry);
            }

            return check.Statement is BlockSyntax && GivesUpAfterTheLoop(loop, body, check, model, cancellationToken)
                ? new RG0002StatusCheck(check, check, response, Edit.BreakFirst, retryInBranch: true)
                : null;
        }

        if (IsExitBranch(check, model))
        {
            var after = body.Statements.Skip(index + 1).ToList();
            if (counter is not null && counter.Decides(check.Condition, counter.Last, outcome: true))
            {
                return new RG0002StatusCheck(check, check, response, Edit.WidenExit);
            }

            if (ExhaustionExit(after, counter, model) is { } guard)
            {
                return new RG0002StatusCheck(check, guard, response, Edit.WidenExit);
            }

            var first = check.Statement is BlockSyntax { Statements.Count: > 0 } exit ? exit.Statements[0] : check.Statement;
            if (HandlesFailure(first, responseSymbol, failuresPass, model, cancellationToken))
            {
                return new RG0002StatusCheck(check, check, response, Edit.WidenExit);
            }

            return next is not null && !after.Any(Exits) && GivesUpAfterTheLoop(loop, body, check, model, cancellationToken)
                ? new RG0002StatusCheck(check, check, response, Edit.BreakFirst, retryInBranch: false)
                : null;
        }

        return null;
    }

    /// <summary>
    /// On the retry path, the exit the last attempt takes: <c>if (attempt == Max - 1) throw ...;</c>, a check without
    /// <c>else</c> whose counter comparison holds on the last attempt, whatever else it reads.
    /// </summary>
    private static IfStatementSyntax? ExhaustionExit(System.Collections.Generic.List<StatementSyntax> path, PolicyLoopShape.Counter? counter, SemanticModel model)
    {
        if (counter is null)
        {
            return null;
        }

        foreach (var statement in path)
        {
            if (statement is IfStatementSyntax { Else: null } guard && counter.Decides(guard.Condition, counter.Last, outcome: true) &&
                model.AnalyzeControlFlow(guard.Statement) is { Succeeded: true, EndPointIsReachable: false } flow &&
                flow.ExitPoints.All(exit => exit is ReturnStatementSyntax))
            {
                return guard;
            }

            if (Exits(statement))
            {
                // An earlier exit decides first.
                return null;
            }
        }

        return null;
    }

    /// <summary>A node whose jumps belong to the loop: not a nested function, loop or switch (their breaks are their own).</summary>
    private static bool OwnedBy(SyntaxNode node) =>
        node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or ForStatementSyntax or WhileStatementSyntax or
            DoStatementSyntax or ForEachStatementSyntax or SwitchStatementSyntax);

    /// <summary>
    /// The statement may leave the loop: a return or throw in it (not in a nested function), or a break or goto of the
    /// loop's own.
    /// </summary>
    private static bool Exits(StatementSyntax statement) =>
        statement.DescendantNodesAndSelf(node => node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            .Any(node => node is ReturnStatementSyntax or ThrowStatementSyntax or ThrowExpressionSyntax) ||
        statement.DescendantNodesAndSelf(OwnedBy).Any(node => node is BreakStatementSyntax or GotoStatementSyntax);

    public void Apply(SyntaxEditor editor, RuntimeNames names)
    {
        var status = SyntaxFactory.MemberAccessExpression(
            SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.IdentifierName(Response.Identifier.ValueText), SyntaxFactory.IdentifierName("StatusCode"));
        var retryable = RG0001NoJitterLoopFix.Invoke(names.Member("HttpStatusPolicy", "IsRetryable"), status);
        var notRetryable = SyntaxFactory.PrefixUnaryExpression(SyntaxKind.LogicalNotExpression, retryable);
        var condition = Target.Condition;
        switch (Kind)
        {
            case Edit.NarrowRetry:
                editor.ReplaceNode(condition, SyntaxFactory.BinaryExpression(SyntaxKind.LogicalAndExpression, Kept(condition), retryable)
                    .WithTriviaFrom(condition));
                break;
            case Edit.WidenExit:
                editor.ReplaceNode(condition, SyntaxFactory.BinaryExpression(SyntaxKind.LogicalOrExpression, Kept(condition), notRetryable)
                    .WithTriviaFrom(condition));
                break;
            default:
                // One line, `if (...) break;`, indented like the statement it goes before or after.
                var branch = RetryInBranch ? (BlockSyntax)Check.Statement : null;
                var neighbour = branch is { Statements.Count: > 0 } ? branch.Statements[0] : Check;
                var none = SyntaxFactory.TriviaList();
                var space = SyntaxFactory.TriviaList(SyntaxFactory.Space);
                var leave = SyntaxFactory.IfStatement(
                        default,
                        SyntaxFactory.Token(none, SyntaxKind.IfKeyword, space),
                        SyntaxFactory.Token(none, SyntaxKind.OpenParenToken, none),
                        notRetryable,
                        SyntaxFactory.Token(none, SyntaxKind.CloseParenToken, space),
                        SyntaxFactory.BreakStatement(default, SyntaxFactory.Token(none, SyntaxKind.BreakKeyword, none), SyntaxFactory.Token(none, SyntaxKind.SemicolonToken, none)),
                        null)
                    .WithLeadingTrivia(Indentation(neighbour))
                    .WithTrailingTrivia(LineEnd(neighbour));
                if (branch is not null)
                {
                    editor.ReplaceNode(branch, branch.WithStatements(branch.Statements.Insert(0, leave)));
                }
                else
                {
                    editor.InsertAfter(Check, leave);
                }

                break;
        }
    }

    private static SyntaxTriviaList Indentation(StatementSyntax statement)
    {
        var leading = statement.GetLeadingTrivia();
        return leading.Count > 0 && leading[leading.Count - 1].IsKind(SyntaxKind.WhitespaceTrivia)
            ? SyntaxFactory.TriviaList(leading[leading.Count - 1])
            : SyntaxFactory.TriviaList();
    }

    private static SyntaxTrivia LineEnd(StatementSyntax statement) =>
        statement.GetLastToken().TrailingTrivia.LastOrDefault(trivia => trivia.IsKind(SyntaxKind.EndOfLineTrivia)) is { } end &&
        end.IsKind(SyntaxKind.EndOfLineTrivia)
            ? end
            : SyntaxFactory.ElasticCarriageReturnLineFeed;

    /// <summary>The caller's condition as an operand: parenthesized, the simplifier drops what is not needed.</summary>
    private static ExpressionSyntax Kept(ExpressionSyntax condition) =>
        SyntaxFactory.ParenthesizedExpression(condition.WithoutTrivia()).WithAdditionalAnnotations(Simplifier.Annotation);

    /// <summary>
    /// The one local or parameter whose status the condition reads (<c>response.StatusCode</c>,
    /// <c>response.IsSuccessStatusCode</c>); null when it reads none, several, or a status from elsewhere.
    /// </summary>
    internal static IdentifierNameSyntax? ResponseOf(ExpressionSyntax condition, SemanticModel model, CancellationToken cancellationToken)
    {
        var responseType = model.Compilation.GetTypeByMetadataName("System.Net.Http.HttpResponseMessage");
        IdentifierNameSyntax? found = null;
        ISymbol? symbol = null;
        foreach (var access in condition.DescendantNodesAndSelf(node => node is not (AnonymousFunctionExpressionSyntax or InvocationExpressionSyntax))
                     .OfType<MemberAccessExpressionSyntax>())
        {
            if (model.GetSymbolInfo(access, cancellationToken).Symbol is not IPropertySymbol { Name: "StatusCode" or "IsSuccessStatusCode" } property ||
                !KnownSymbols.IsOrDerives(property.ContainingType, responseType))
            {
                continue;
            }

            if (access.Expression is not IdentifierNameSyntax name ||
                model.GetSymbolInfo(name, cancellationToken).Symbol is not { Kind: SymbolKind.Local or SymbolKind.Parameter } subject ||
                (symbol is not null && !SymbolEqualityComparer.Default.Equals(symbol, subject)))
            {
                return null;
            }

            symbol = subject;
            found ??= name;
        }

        // A helper predicate (IsTransient(response)) would hide how the status is read: not narrowed here.
        return condition.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>().Any() ? null : found;
    }

    /// <summary>
    /// The check's branch leads to the next attempt: it ends with <c>continue</c>, or ends the loop's body (an exit the
    /// last attempt takes may come first).
    /// </summary>
    private static bool IsRetryBranch(IfStatementSyntax check, BlockSyntax body, StatementSyntax loop)
    {
        var inner = check.Statement.DescendantNodesAndSelf(OwnedBy).ToList();
        if (inner.Any(node => node is BreakStatementSyntax or GotoStatementSyntax or YieldStatementSyntax))
        {
            return false;
        }

        var last = check.Statement is BlockSyntax block ? block.Statements.LastOrDefault() : check.Statement;
        return last is ContinueStatementSyntax ||
               (body.Statements.Last() == check && !inner.OfType<ContinueStatementSyntax>().Any() && loop is not DoStatementSyntax);
    }

    /// <summary>The check's branch leaves the loop (returns or throws) and the retry follows it.</summary>
    private static bool IsExitBranch(IfStatementSyntax check, SemanticModel model)
    {
        var flow = model.AnalyzeControlFlow(check.Statement);
        return flow is { Succeeded: true, EndPointIsReachable: false } &&
               flow.ExitPoints.All(exit => exit is ReturnStatementSyntax) &&
               !check.Statement.DescendantNodesAndSelf().OfType<ContinueStatementSyntax>().Any();
    }

    /// <summary>
    /// A statement written for a failed response that a failure status reaches already (one the check does not retry):
    /// <c>response.EnsureSuccessStatusCode();</c> or <c>return response;</c>. Behind a check that retries every failure
    /// it only ever sees successes, and the loop's real give-up path is elsewhere.
    /// </summary>
    private static bool HandlesFailure(StatementSyntax statement, ISymbol response, bool failuresPass, SemanticModel model, CancellationToken cancellationToken)
    {
        switch (statement)
        {
            case ExpressionStatementSyntax
            {
                Expression: InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0, Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "EnsureSuccessStatusCode" } call }
            }:
                return failuresPass && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(call.Expression, cancellationToken).Symbol, response);
            case ReturnStatementSyntax { Expression: IdentifierNameSyntax returned }:
                return failuresPass && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(returned, cancellationToken).Symbol, response);
            default:
                return false;
        }
    }

    /// <summary>
    /// The code after the loop is where a failure of the last attempt ends up: the loop stops by its own condition and has
    /// no <c>break</c>, the check reads the status only (no counter or flag sends the last attempt elsewhere), and what
    /// comes before the check leaves the loop only on a status test (<c>if (response.IsSuccessStatusCode) return ...;</c>).
    /// </summary>
    private static bool GivesUpAfterTheLoop(StatementSyntax loop, BlockSyntax body, IfStatementSyntax check, SemanticModel model, CancellationToken cancellationToken)
    {
        if (!EndsByItsCondition(loop, model) || KnownSymbols.TryCreate(model.Compilation) is not { } symbols)
        {
            return false;
        }

        var statuses = new StatusConditions(symbols);
        bool StatusOnly(ExpressionSyntax condition)
        {
            switch (condition)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    return StatusOnly(parenthesized.Expression);
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalNotExpression } not:
                    return StatusOnly(not.Operand);
                case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.LogicalAndExpression) || binary.IsKind(SyntaxKind.LogicalOrExpression):
                    return StatusOnly(binary.Left) && StatusOnly(binary.Right);
                default:
                    return statuses.WhenTrue(model.GetOperation(condition, cancellationToken)) is not null;
            }
        }

        return StatusOnly(check.Condition) &&
               body.Statements.TakeWhile(statement => statement != check)
                   .All(statement => !Exits(statement) || (statement is IfStatementSyntax { Else: null } exit && StatusOnly(exit.Condition)));
    }

    /// <summary>
    /// The loop stops by its own condition (not <c>while (true)</c>) and has no <c>break</c> of its own: the code after it
    /// runs when the attempts are spent.
    /// </summary>
    private static bool EndsByItsCondition(StatementSyntax loop, SemanticModel model)
    {
        ExpressionSyntax? condition = loop switch
        {
            ForStatementSyntax f => f.Condition,
            WhileStatementSyntax w => w.Condition,
            DoStatementSyntax d => d.Condition,
            _ => null,
        };
        if (condition is null || model.GetConstantValue(condition) is { HasValue: true, Value: true })
        {
            return false;
        }

        var body = loop switch
        {
            ForStatementSyntax f => f.Statement,
            WhileStatementSyntax w => w.Statement,
            _ => ((DoStatementSyntax)loop).Statement,
        };
        return Counted(loop, condition) && !body.DescendantNodes(OwnedBy)
            .Any(node => node is BreakStatementSyntax or GotoStatementSyntax);
    }

    /// <summary>
    /// The condition compares a counter that the loop steps (<c>attempt &lt; Max</c> with <c>attempt++</c>): the loop
    /// ends when the attempts are spent. A condition on a flag (<c>while (!ok)</c>) ends it on success, and the code after
    /// it is the success path, no place for a failure.
    /// </summary>
    private static bool Counted(StatementSyntax loop, ExpressionSyntax condition)
    {
        var stepped = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var node in loop.DescendantNodesAndSelf(n => n == loop || OwnedBy(n)))
        {
            ExpressionSyntax? target = node switch
            {
                PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } post => post.Operand,
                PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } pre => pre.Operand,
                AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.AddAssignmentExpression or (int)SyntaxKind.SubtractAssignmentExpression } compound => compound.Left,
                _ => null,
            };
            if (target is IdentifierNameSyntax name)
            {
                stepped.Add(name.Identifier.ValueText);
            }
        }

        return condition.DescendantNodesAndSelf().OfType<BinaryExpressionSyntax>().Any(comparison =>
            comparison.Kind() is SyntaxKind.LessThanExpression or SyntaxKind.LessThanOrEqualExpression or
                SyntaxKind.GreaterThanExpression or SyntaxKind.GreaterThanOrEqualExpression &&
            comparison.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(id => stepped.Contains(id.Identifier.ValueText)));
    }
}
