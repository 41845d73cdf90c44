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
/// RG0007 on a hand-written wait: the server's delay is not slept past the cap. As the runtime does with a
/// Retry-After above <c>MaxRetryAfter</c>, the wait is surfaced instead: the delay goes into a local (unless it is
/// one already) and a guard before the wait throws <c>RateLimitExceededException</c> carrying it.
/// <code>
/// var retryAfter = response.Headers.RetryAfter!.Delta!.Value;
/// if (retryAfter &gt; MaxRetryAfter)
/// {
///     throw new RateLimitExceededException($"The server asked to wait {retryAfter}, longer than {MaxRetryAfter}.", retryAfter);
/// }
/// await Task.Delay(retryAfter, cancellationToken);
/// </code>
/// Waits up to the cap behave as before. Offered where the wait is a statement of a block.
/// </summary>
public sealed class RG0007UncappedRetryAfterLoopFix : DocumentBatchFix
{
    public const string EquivalenceKey = RG0007UncappedRetryAfterCodeFix.EquivalenceKey;

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(RuleCatalog.RG0007UncappedRetryAfter.Id);

    protected override string FixKey => EquivalenceKey;

    protected override string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        Find(root, model, diagnostic, cancellationToken) is not null ? "Cap the Retry-After wait (surface longer waits)" : null;

    protected override async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var model = editor.SemanticModel;
        var names = RuntimeNames.For(model, editor.OriginalRoot, cancellationToken);
        var locals = new LocalNames(model);
        var caps = new RetryAfterCap(editor, model);
        foreach (var diagnostic in diagnostics)
        {
            if (Find(editor.OriginalRoot, model, diagnostic, cancellationToken) is not { } found)
            {
                continue;
            }

            var (wait, statement) = found;
            var cap = caps.For(statement, HandWrittenFixProperties.ReadMaxRetryAfter(diagnostic.Properties), cancellationToken);
            string variable;
            var inserted = new System.Collections.Generic.List<StatementSyntax>();
            if (IsTimeSpanLocal(wait.Argument.Expression, model, cancellationToken))
            {
                variable = ((IdentifierNameSyntax)wait.Argument.Expression).Identifier.ValueText;
            }
            else
            {
                variable = locals.Pick(statement, "retryAfter", "serverDelay", cancellationToken);
                inserted.Add(SyntaxFactory.LocalDeclarationStatement(
                    SyntaxFactory.VariableDeclaration(
                        SyntaxFactory.IdentifierName("var"),
                        SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(variable)
                            .WithInitializer(SyntaxFactory.EqualsValueClause(wait.DelayAsTimeSpan(model, cancellationToken)!))))));
            }

            if (inserted.Count == 1)
            {
                editor.ReplaceNode(wait.Argument, wait.WithDelay(SyntaxFactory.IdentifierName(variable)));
            }

            inserted.Add(Guard(variable, cap, names));
            InsertBefore(editor, statement, inserted);
        }

        return await ImportAdder.AddImportsAsync(editor.GetChangedDocument(), Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>The wait and the statement (directly in a block) whose expression makes it, when the fix can be made.</summary>
    private static (WaitSite Wait, StatementSyntax Statement)? Find(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (WaitSite.Find(root, model, diagnostic, cancellationToken) is not { } wait || wait.IsTimeSpan(model, cancellationToken) is null ||
            model.Compilation.GetTypeByMetadataName("RetryGuard.RateLimitExceededException") is null)
        {
            return null;
        }

        var statement = wait.Invocation.FirstAncestorOrSelf<StatementSyntax>();
        if (statement is not ExpressionStatementSyntax || statement.Parent is not BlockSyntax ||
            wait.Invocation.Ancestors().TakeWhile(a => a != statement).Any(a => a is AnonymousFunctionExpressionSyntax))
        {
            return null;
        }

        return (wait, statement);
    }

    private static bool IsTimeSpanLocal(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken) =>
        expression is IdentifierNameSyntax &&
        model.GetSymbolInfo(expression, cancellationToken).Symbol is ILocalSymbol { IsConst: false } local &&
        local.Type.ToDisplayString() == "System.TimeSpan";

    /// <summary><c>if (wait &gt; cap) { throw new RateLimitExceededException(..., wait); }</c></summary>
    private static StatementSyntax Guard(string variable, ExpressionSyntax cap, RuntimeNames names)
    {
        var wait = SyntaxFactory.IdentifierName(variable);
        var message = SyntaxFactory.InterpolatedStringExpression(
            SyntaxFactory.Token(SyntaxKind.InterpolatedStringStartToken),
            SyntaxFactory.List(new InterpolatedStringContentSyntax[]
            {
                Text("The server asked to wait "),
                SyntaxFactory.Interpolation(wait),
                Text(", longer than "),
                SyntaxFactory.Interpolation(cap is IdentifierNameSyntax ? cap : SyntaxFactory.ParenthesizedExpression(cap)),
                Text("; not waiting that long."),
            }));
        var exception = SyntaxFactory.ObjectCreationExpression(
            names.TypeName("RateLimitExceededException"),
            SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(new[] { SyntaxFactory.Argument(message), SyntaxFactory.Argument(wait) })),
            initializer: null);
        return SyntaxFactory.IfStatement(
            SyntaxFactory.BinaryExpression(SyntaxKind.GreaterThanExpression, wait, cap),
            SyntaxFactory.Block(SyntaxFactory.ThrowStatement(exception)));
    }

    private static InterpolatedStringTextSyntax Text(string text) =>
        SyntaxFactory.InterpolatedStringText(SyntaxFactory.Token(default, SyntaxKind.InterpolatedStringTextToken, text, text, default));

    /// <summary>
    /// New statements before <paramref name="anchor"/> at its indentation. The anchor's comments and blank lines move
    /// to the first of them, so that a comment above the wait stays above the code that now prepares it.
    /// </summary>
    internal static void InsertBefore(SyntaxEditor editor, StatementSyntax anchor, System.Collections.Generic.IReadOnlyList<StatementSyntax> statements)
    {
        var indentation = SyntaxFactory.TriviaList(anchor.GetLeadingTrivia().Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse());
        var newline = LocalNames.Newline(anchor);
        var lines = statements.Select((statement, index) => (SyntaxNode)statement
            .WithLeadingTrivia(index == 0 ? anchor.GetLeadingTrivia() : indentation)
            .WithTrailingTrivia(newline)
            .WithAdditionalAnnotations(Formatter.Annotation));
        editor.InsertBefore(anchor, lines);
        editor.ReplaceNode(anchor, (current, _) => current.WithLeadingTrivia(indentation));
    }
}
