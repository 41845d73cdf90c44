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
            await ApplyAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false);

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
            if (Title(root, model, diagnostic, context.CancellationToken) is { } title)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(title, token => ApplyAsync(context.Document, ImmutableArray.Create(diagnostic), token), FixKey),
                    diagnostic);
            }
        }
    }

    /// <summary>The title of the fix for <paramref name="diagnostic"/>, or null when it cannot be made safely.</summary>
    protected abstract string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken);

    /// <summary>Applies the fix for every diagnostic of the batch that it can fix; the others are left as they are.</summary>
    protected abstract Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken);
}
