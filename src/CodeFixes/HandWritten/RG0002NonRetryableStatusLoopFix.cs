using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using RetryGuard.Analyzers;
using RetryGuard.Analyzers.Rules;

namespace RetryGuard.CodeFixes;

/// <summary>
/// RG0002 in a hand-written retry that catches <c>HttpRequestException</c> (thrown by
/// <c>EnsureSuccessStatusCode()</c> and the throwing HttpClient helpers): the catch is narrowed with a <c>when</c>
/// filter to retryable statuses, keeping the caller's own filter:
/// <c>catch (HttpRequestException e) when (attempt &lt; Max - 1 &amp;&amp; (e.StatusCode is null || HttpStatusPolicy.IsRetryable(e.StatusCode.Value)))</c>.
/// A failure without a status (a network error) is still retried; a caller error now leaves the loop the way
/// the last attempt's exception already does, by propagating. Offered only where that holds: no later catch of
/// the same try would take the exception instead, the failure path does not refresh credentials first, and
/// <c>HttpRequestException.StatusCode</c> exists (.NET 5 and later).
/// A status check (<c>if (!response.IsSuccessStatusCode) { wait; continue; }</c>) is narrowed by <see cref="RG0002StatusCheck"/>.
/// </summary>
public sealed class RG0002NonRetryableStatusLoopFix : DocumentBatchFix
{
    public const string EquivalenceKey = RG0002NonRetryableStatusCodeFix.EquivalenceKey;

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(RuleCatalog.RG0002NonRetryableStatus.Id);

    protected override string FixKey => EquivalenceKey;

    protected override string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        FindCatch(root, model, diagnostic, cancellationToken) is not null || RG0002StatusCheck.Find(root, model, diagnostic, cancellationToken) is not null
            ? "Retry only retryable statuses (HttpStatusPolicy.IsRetryable)"
            : null;

    protected override async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var model = editor.SemanticModel;
        var names = RuntimeNames.For(model, editor.OriginalRoot, cancellationToken);
        var locals = new LocalNames(model);
        var checks = new System.Collections.Generic.HashSet<IfStatementSyntax>();
        foreach (var diagnostic in diagnostics)
        {
            if (FindCatch(editor.OriginalRoot, model, diagnostic, cancellationToken) is { } clause)
            {
                editor.ReplaceNode(clause, Narrow(clause, names, locals, cancellationToken));
            }
            else if (RG0002StatusCheck.Find(editor.OriginalRoot, model, diagnostic, cancellationToken) is { } check && checks.Add(check.Target))
            {
                check.Apply(editor, names);
            }
        }

        return await ImportAdder.AddImportsAsync(editor.GetChangedDocument(), Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    private static CatchClauseSyntax? FindCatch(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (diagnostic.Properties.ContainsKey(HandWrittenFixProperties.ChangesRequestFirst))
        {
            // 401/403 are retried after a credential refresh on purpose; narrowing to IsRetryable would drop that.
            return null;
        }

        var node = root.FindNode(diagnostic.Location.SourceSpan, false, true);
        if (node.FirstAncestorOrSelf<CatchClauseSyntax>() is not { Declaration: { } declaration } clause ||
            clause.CatchKeyword.SpanStart != diagnostic.Location.SourceSpan.Start ||
            clause.Parent is not TryStatementSyntax attempt)
        {
            return null;
        }

        var requestException = model.Compilation.GetTypeByMetadataName("System.Net.Http.HttpRequestException");
        var caught = model.GetTypeInfo(declaration.Type, cancellationToken).Type;
        if (requestException is null || !SymbolEqualityComparer.Default.Equals(caught, requestException) ||
            !requestException.GetMembers("StatusCode").OfType<IPropertySymbol>().Any() ||
            model.Compilation.GetTypeByMetadataName("RetryGuard.HttpStatusPolicy") is null)
        {
            return null;
        }

        // A try that leaves early on a condition and otherwise ends (`if (response.IsSuccessStatusCode) return ...;`,
        // a failed status falls through to the next attempt) retries statuses that never reach the catch: narrowing
        // the catch would leave them, and the diagnostic with them.
        if (SyntaxFlow.EndReachable(model, attempt.Block) &&
            attempt.Block.Statements.OfType<IfStatementSyntax>().Any(exit => !SyntaxFlow.EndReachable(model, exit.Statement)))
        {
            return null;
        }

        // A later catch that also takes an HttpRequestException would receive the caller errors instead of the caller.
        foreach (var later in attempt.Catches.SkipWhile(c => c != clause).Skip(1))
        {
            var type = later.Declaration is null ? null : model.GetTypeInfo(later.Declaration.Type, cancellationToken).Type;
            if (type is null || Inherits(requestException, type))
            {
                return null;
            }
        }

        return clause;
    }

    private static bool Inherits(ITypeSymbol type, ITypeSymbol candidateBase)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, candidateBase))
            {
                return true;
            }
        }

        return false;
    }

    private static CatchClauseSyntax Narrow(CatchClauseSyntax clause, RuntimeNames names, LocalNames locals, CancellationToken cancellationToken)
    {
        var declaration = clause.Declaration!;
        string variable;
        if (declaration.Identifier.IsKind(SyntaxKind.None))
        {
            variable = locals.Pick(clause, "e", cancellationToken);
            declaration = declaration
                .WithType(declaration.Type.WithTrailingTrivia(SyntaxFactory.Space))
                .WithIdentifier(SyntaxFactory.Identifier(variable).WithTrailingTrivia(declaration.Type.GetTrailingTrivia()));
        }
        else
        {
            variable = declaration.Identifier.ValueText;
        }

        // e.StatusCode is null || HttpStatusPolicy.IsRetryable(e.StatusCode.Value)
        var statusCode = SyntaxFactory.MemberAccessExpression(
            SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.IdentifierName(variable), SyntaxFactory.IdentifierName("StatusCode"));
        var retryable = SyntaxFactory.BinaryExpression(
            SyntaxKind.LogicalOrExpression,
            SyntaxFactory.IsPatternExpression(statusCode, SyntaxFactory.ConstantPattern(SyntaxFactory.LiteralExpression(SyntaxKind.NullLiteralExpression))),
            RG0001NoJitterLoopFix.Invoke(
                names.Member("HttpStatusPolicy", "IsRetryable"),
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, statusCode, SyntaxFactory.IdentifierName("Value"))));

        ExpressionSyntax condition = retryable;
        CatchFilterClauseSyntax filter;
        if (clause.Filter is { } existing)
        {
            var kept = existing.FilterExpression;
            condition = SyntaxFactory.BinaryExpression(
                SyntaxKind.LogicalAndExpression,
                SyntaxFactory.ParenthesizedExpression(kept.WithoutTrivia()).WithAdditionalAnnotations(Simplifier.Annotation),
                SyntaxFactory.ParenthesizedExpression(retryable));
            filter = existing.WithFilterExpression(condition.WithTriviaFrom(kept));
        }
        else
        {
            filter = SyntaxFactory.CatchFilterClause(
                    SyntaxFactory.Token(SyntaxKind.WhenKeyword).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space),
                    SyntaxFactory.Token(SyntaxKind.OpenParenToken),
                    condition,
                    SyntaxFactory.Token(SyntaxKind.CloseParenToken).WithTrailingTrivia(declaration.GetTrailingTrivia()));
            declaration = declaration.WithoutTrailingTrivia();
        }

        return clause.WithDeclaration(declaration).WithFilter(filter.WithAdditionalAnnotations(Formatter.Annotation));
    }
}
