using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace RetryGuard.CodeFixes;

/// <summary>
/// A fix that edits one document for a batch of its diagnostics. The lightbulb applies it to one diagnostic; Fix All
/// (document, project, solution) to all of a document's diagnostics in one pass, so that a file without the
/// needed using gets every edit and one using.
/// </summary>
public abstract class DocumentBatchFix : CodeFixProvider
{
    /// <summary>The equivalence key that Fix All groups this fix's actions by.</summary>
    protected abstract string FixKey { get; }

    /// <summary>
    /// The scopes Fix All offers; default (the default array): document, project and solution. <c>dotnet format</c>
    /// applies only fixes whose Fix All covers the solution.
    /// </summary>
    protected virtual ImmutableArray<FixAllScope> FixAllScopes => default;

    public sealed override FixAllProvider GetFixAllProvider()
    {
        async Task<Document?> FixAllAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics) =>
            await ApplyAsync(document, diagnostics, context.CodeActionEquivalenceKey, context.CancellationToken).ConfigureAwait(false);

        return FixAllScopes.IsDefault ? FixAllProvider.Create(FixAllAsync) : FixAllProvider.Create(FixAllAsync, FixAllScopes);
    }

    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            foreach (var (key, title) in Actions(root, model, diagnostic, context.CancellationToken))
            {
                context.RegisterCodeFix(
                    CodeAction.Create(title, token => ApplyAsync(context.Document, ImmutableArray.Create(diagnostic), key, token), key),
                    diagnostic);
            }
        }
    }

    /// <summary>
    /// The actions offered for <paramref name="diagnostic"/>, each with its equivalence key, the preferred one first:
    /// <c>dotnet format analyzers</c> applies the first action offered for the first diagnostic to all of them.
    /// By default the one action of <see cref="Title"/> under <see cref="FixKey"/>.
    /// </summary>
    protected virtual IEnumerable<(string Key, string Title)> Actions(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (Title(root, model, diagnostic, cancellationToken) is { } title)
        {
            yield return (FixKey, title);
        }
    }

    /// <summary>
    /// Applies the action with equivalence key <paramref name="key"/> (null: the preferred one) to every diagnostic of
    /// the batch it can fix. By default the one action of <see cref="ApplyAsync(Document, ImmutableArray{Diagnostic}, CancellationToken)"/>.
    /// </summary>
    protected virtual Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? key, CancellationToken cancellationToken) =>
        ApplyAsync(document, diagnostics, cancellationToken);

    internal IEnumerable<(string Key, string Title)> ActionsFor(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        Actions(root, model, diagnostic, cancellationToken);

    internal Task<Document> ApplyFor(Document document, ImmutableArray<Diagnostic> diagnostics, string? key, CancellationToken cancellationToken) =>
        ApplyAsync(document, diagnostics, key, cancellationToken);

    /// <summary>The title of the fix for <paramref name="diagnostic"/>, or null when it cannot be made safely.</summary>
    protected abstract string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken);

    /// <summary>Applies the fix for every diagnostic of the batch that it can fix; the others are left as they are.</summary>
    protected abstract Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken);
}
