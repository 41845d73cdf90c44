using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;
using RetryGuard.Analyzers;
using RetryGuard.Analyzers.Rules;

namespace RetryGuard.CodeFixes;

/// <summary>
/// RG0003 on a hand-written wait: the delay comes from the server's Retry-After when it sent one within the cap,
/// else from the existing backoff (jittered, when it was not):
/// <c>Task.Delay(RetryAfter.GetDelay(response) is { } retryAfter &amp;&amp; retryAfter &lt;= MaxRetryAfter ? retryAfter : Backoff.WithJitter(delay), ct)</c>.
/// A Retry-After above the cap is not slept, as in the runtime: the loop falls back to the backoff it had.
/// The response must be in view at the wait (a local with an initializer). In a catch, the response of the try
/// is read there: <c>TimeSpan? retryAfter = null;</c> before the try, <c>retryAfter = RetryAfter.GetDelay(response);</c>
/// right after the response is received. No response in view (a retry on exceptions of an SDK): no fix.
/// </summary>
public sealed class RG0003IgnoresRetryAfterLoopFix : DocumentBatchFix
{
    public const string EquivalenceKey = RG0003IgnoresRetryAfterCodeFix.EquivalenceKey;
    private const string ResponseType = "System.Net.Http.HttpResponseMessage";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(RuleCatalog.RG0003IgnoresRetryAfter.Id);

    protected override string FixKey => EquivalenceKey;

    protected override string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        Plan.For(root, model, diagnostic, cancellationToken) is not null ? "Wait for Retry-After (RetryAfter.GetDelay, capped)" : null;

    protected override async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var model = editor.SemanticModel;
        var names = RuntimeNames.For(model, editor.OriginalRoot, cancellationToken);
        var locals = new LocalNames(model);
        var caps = new RetryAfterCap(editor, model);
        var hoisted = new Dictionary<TryStatementSyntax, string>();
        foreach (var diagnostic in diagnostics)
        {
            if (Plan.For(editor.OriginalRoot, model, diagnostic, cancellationToken) is not { } plan)
            {
                continue;
            }

            var fallback = plan.Wait.DelayAsTimeSpan(model, cancellationToken)!;
            if (diagnostic.Properties.TryGetValue(HandWrittenFixProperties.DelayHasJitter, out var jitter) && jitter == "false")
            {
                fallback = RG0001NoJitterLoopFix.Invoke(names.Member("Backoff", "WithJitter"), fallback);
            }

            var cap = caps.For(plan.Wait.Invocation, HandWrittenFixProperties.ReadMaxRetryAfter(diagnostic.Properties), cancellationToken);
            ExpressionSyntax serverSaid;
            if (plan.Response is { } response)
            {
                serverSaid = GetDelay(names, response);
            }
            else
            {
                var attempt = plan.Attempt!;
                if (!hoisted.TryGetValue(attempt, out var local))
                {
                    local = locals.Pick(attempt, "retryAfter", "serverDelay", cancellationToken);
                    hoisted[attempt] = local;
                    var declaration = SyntaxFactory.ParseStatement($"global::System.TimeSpan? {local} = null;");
                    RG0007UncappedRetryAfterLoopFix.InsertBefore(editor, attempt, new[] { Simplified(declaration) });
                    var read = SyntaxFactory.ExpressionStatement(SyntaxFactory.AssignmentExpression(
                        SyntaxKind.SimpleAssignmentExpression, SyntaxFactory.IdentifierName(local), GetDelay(names, plan.ReceivedIn!.Declaration.Variables[0].Identifier.ValueText)));
                    editor.InsertAfter(plan.ReceivedIn!, Indented(read, plan.ReceivedIn!));
                }

                serverSaid = SyntaxFactory.IdentifierName(local);
            }

            string wait = locals.Pick(plan.Wait.Invocation, plan.Response is null ? "serverDelay" : "retryAfter", "serverWait", cancellationToken);
            var delay = SyntaxFactory.ParseExpression($"__said is {{ }} {wait} && {wait} <= __cap ? {wait} : __fallback");
            delay = delay.ReplaceNodes(
                delay.DescendantNodes().OfType<IdentifierNameSyntax>().Where(n => n.Identifier.ValueText.StartsWith("__", System.StringComparison.Ordinal)),
                (original, _) => original.Identifier.ValueText switch
                {
                    "__said" => serverSaid,
                    "__cap" => cap,
                    _ => SyntaxFactory.ParenthesizedExpression(fallback).WithAdditionalAnnotations(Simplifier.Annotation),
                });
            editor.ReplaceNode(plan.Wait.Argument, plan.Wait.WithDelay(delay));
        }

        return await ImportAdder.AddImportsAsync(editor.GetChangedDocument(), Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    private static ExpressionSyntax GetDelay(RuntimeNames names, string response) =>
        RG0001NoJitterLoopFix.Invoke(names.Member("RetryAfter", "GetDelay"), SyntaxFactory.IdentifierName(response));

    private static StatementSyntax Simplified(StatementSyntax statement) =>
        statement.ReplaceNodes(statement.DescendantNodes().OfType<NameSyntax>(), (n, _) => n.WithAdditionalAnnotations(Simplifier.Annotation))
            .WithAdditionalAnnotations(Simplifier.Annotation);

    private static StatementSyntax Indented(StatementSyntax statement, StatementSyntax after)
    {
        var indentation = after.GetLeadingTrivia().Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse();
        return statement.WithLeadingTrivia(indentation).WithTrailingTrivia(LocalNames.Newline(after))
            .WithAdditionalAnnotations(Microsoft.CodeAnalysis.Formatting.Formatter.Annotation);
    }

    private sealed class Plan
    {
        private Plan(WaitSite wait, string? response, TryStatementSyntax? attempt, LocalDeclarationStatementSyntax? receivedIn)
        {
            Wait = wait;
            Response = response;
            Attempt = attempt;
            ReceivedIn = receivedIn;
        }

        public WaitSite Wait { get; }

        /// <summary>The response local in view at the wait.</summary>
        public string? Response { get; }

        /// <summary>Otherwise: the try whose catch waits, and the statement in its block that receives the response.</summary>
        public TryStatementSyntax? Attempt { get; }

        public LocalDeclarationStatementSyntax? ReceivedIn { get; }

        public static Plan? For(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            if (WaitSite.Find(root, model, diagnostic, cancellationToken) is not { } wait || wait.IsTimeSpan(model, cancellationToken) is null ||
                model.Compilation.GetTypeByMetadataName("RetryGuard.RetryAfter") is null ||
                wait.Invocation.Ancestors().TakeWhile(a => a is not StatementSyntax).Any(a => a is AnonymousFunctionExpressionSyntax))
            {
                return null;
            }

            var inView = ResponsesInView(wait.Invocation, model, cancellationToken);
            if (inView.Count == 1)
            {
                return new Plan(wait, inView[0], null, null);
            }

            if (inView.Count > 1)
            {
                return null;
            }

            // In a catch: the response is a local of the try's block.
            var clause = wait.Invocation.FirstAncestorOrSelf<CatchClauseSyntax>();
            if (clause?.Parent is not TryStatementSyntax { Parent: BlockSyntax } attempt ||
                wait.Invocation.Ancestors().TakeWhile(a => a != clause).Any(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            {
                return null;
            }

            var received = attempt.Block.Statements.OfType<LocalDeclarationStatementSyntax>()
                .Where(s => s.Declaration.Variables.Count == 1 && IsResponse(s.Declaration.Variables[0], model, cancellationToken))
                .ToList();
            return received.Count == 1 ? new Plan(wait, null, attempt, received[0]) : null;
        }

        /// <summary>Response locals declared with a value before the wait, in the same member.</summary>
        private static List<string> ResponsesInView(SyntaxNode wait, SemanticModel model, CancellationToken cancellationToken)
        {
            var member = LocalNames.MemberOf(wait);
            var found = new List<string>();
            foreach (var symbol in model.LookupSymbols(wait.SpanStart))
            {
                if (symbol is ILocalSymbol { DeclaringSyntaxReferences.Length: 1 } local &&
                    local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is VariableDeclaratorSyntax declarator &&
                    declarator.Span.End <= wait.SpanStart && member.Span.Contains(declarator.Span) &&
                    (IsResponse(declarator, model, cancellationToken) || IsAssignedBefore(local, wait, model, cancellationToken)))
                {
                    found.Add(local.Name);
                }
            }

            return found;
        }

        /// <summary>
        /// An HttpResponseMessage local declared without a value (<c>HttpResponseMessage response;</c> before a
        /// <c>do</c> loop) that a statement before the wait, in a block around it, assigns a received response.
        /// </summary>
        private static bool IsAssignedBefore(ILocalSymbol local, SyntaxNode wait, SemanticModel model, CancellationToken cancellationToken)
        {
            // In a catch, the response of the failed attempt is the try's own (hoisted by the other plan).
            if (local.Type.OriginalDefinition.ToDisplayString() != ResponseType || wait.Ancestors().Any(a => a is CatchClauseSyntax))
            {
                return false;
            }

            // Only an assignment of this attempt counts: the walk stops at the retry loop (a response assigned before
            // it is some other request's).
            foreach (var statement in wait.Ancestors().OfType<StatementSyntax>().TakeWhile(s => s is not (ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax or ForEachStatementSyntax)))
            {
                if (statement.Parent is not BlockSyntax block)
                {
                    continue;
                }

                foreach (var earlier in block.Statements.TakeWhile(s => s != statement))
                {
                    if (earlier is ExpressionStatementSyntax
                        {
                            Expression: AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Left: IdentifierNameSyntax target, Right: var value },
                        } &&
                        !SyntaxFlow.IsNullLiteral(value) &&
                        SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(target, cancellationToken).Symbol, local))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        /// <summary>An HttpResponseMessage local declared with a value other than null.</summary>
        private static bool IsResponse(VariableDeclaratorSyntax declarator, SemanticModel model, CancellationToken cancellationToken) =>
            declarator.Initializer is { Value: { } value } &&
            !SyntaxFlow.IsNullLiteral(value) &&
            model.GetDeclaredSymbol(declarator, cancellationToken) is ILocalSymbol local &&
            local.Type.OriginalDefinition.ToDisplayString() == ResponseType;
    }
}
