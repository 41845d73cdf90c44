using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace RetryGuard.CodeFixes;

/// <summary>
/// The one fix provider of a rule. A rule is reported on hand-written retries and on Polly / resilience-handler
/// configurations, and each kind has its own fix (a part); the whole-policy rewrite is a part too. Hosts treat every
/// provider of a diagnostic on its own: <c>dotnet format analyzers</c> applies the first action offered for the first
/// diagnostic of an id, solution-wide, by its equivalence key, and skips a second provider of the same id once a
/// document has changed. So a rule has one provider, its parts share the equivalence key of the rule's targeted fix,
/// and Fix All gives each diagnostic of a document to the part that offers that key for it, in one pass.
/// </summary>
public abstract class RuleCodeFix : DocumentBatchFix
{
    /// <summary>The parts, most specific first; an action key offered by several parts goes to the first.</summary>
    private protected abstract ImmutableArray<DocumentBatchFix> Parts { get; }

    /// <summary>The rule's targeted fix: the first action offered, so the one <c>dotnet format</c> applies.</summary>
    protected abstract override string FixKey { get; }

    protected sealed override IEnumerable<(string Key, string Title)> Actions(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var offered = new HashSet<string>();
        foreach (var part in Parts)
        {
            // The whole-loop rewrite is never the first action of a diagnostic: dotnet format applies the first one,
            // solution-wide, and must apply the targeted fixes. Where no targeted fix applies, the rewrite is offered
            // on the loop's other warnings.
            if (part is UseRetryGuardPolicyCodeFix && offered.Count == 0)
            {
                continue;
            }

            foreach (var action in part.ActionsFor(root, model, diagnostic, cancellationToken))
            {
                if (offered.Add(action.Key))
                {
                    yield return action;
                }
            }
        }
    }

    protected sealed override string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        Actions(root, model, diagnostic, cancellationToken).Select(action => action.Title).FirstOrDefault();

    protected sealed override Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken) =>
        ApplyAsync(document, diagnostics, FixKey, cancellationToken);

    protected sealed override async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? key, CancellationToken cancellationToken)
    {
        key ??= FixKey;
        var pending = diagnostics;
        foreach (var part in Parts)
        {
            if (pending.IsEmpty)
            {
                break;
            }

            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (root is null || model is null)
            {
                break;
            }

            var mine = pending.Where(diagnostic => part.ActionsFor(root, model, diagnostic, cancellationToken).Any(action => action.Key == key)).ToImmutableArray();
            if (mine.IsEmpty)
            {
                continue;
            }

            var changed = await part.ApplyFor(document, mine, key, cancellationToken).ConfigureAwait(false);
            pending = pending.RemoveRange(mine);
            if (!pending.IsEmpty && changed != document)
            {
                pending = await DiagnosticShift.ToChangedAsync(pending, document, changed, cancellationToken).ConfigureAwait(false);
            }

            document = changed;
        }

        return document;
    }
}

/// <summary>
/// Moves diagnostics of a document onto the document after an edit: a location before or after every change moves by
/// the length the changes before it added or removed; a diagnostic with a location inside a change is dropped (that
/// code was rewritten; the next analysis reports it again if it still applies).
/// </summary>
internal static class DiagnosticShift
{
    public static async Task<ImmutableArray<Diagnostic>> ToChangedAsync(
        ImmutableArray<Diagnostic> diagnostics, Document before, Document after, CancellationToken cancellationToken)
    {
        var changes = (await after.GetTextChangesAsync(before, cancellationToken).ConfigureAwait(false))
            .OrderBy(change => change.Span.Start)
            .ToList();
        var tree = await after.GetSyntaxTreeAsync(cancellationToken).ConfigureAwait(false);
        if (tree is null)
        {
            return ImmutableArray<Diagnostic>.Empty;
        }

        var moved = ImmutableArray.CreateBuilder<Diagnostic>(diagnostics.Length);
        foreach (var diagnostic in diagnostics)
        {
            if (Move(diagnostic.Location, changes, tree) is not { } location)
            {
                continue;
            }

            var additional = new List<Location>(diagnostic.AdditionalLocations.Count);
            foreach (var extra in diagnostic.AdditionalLocations)
            {
                // Additional locations in other files are not touched by an edit of this one.
                var target = extra.IsInSource && extra.SourceTree == diagnostic.Location.SourceTree ? Move(extra, changes, tree) : extra;
                if (target is null)
                {
                    break;
                }

                additional.Add(target);
            }

            if (additional.Count == diagnostic.AdditionalLocations.Count)
            {
                moved.Add(Diagnostic.Create(diagnostic.Descriptor, location, additional, diagnostic.Properties));
            }
        }

        return moved.ToImmutable();
    }

    private static Location? Move(Location location, List<TextChange> changes, SyntaxTree tree)
    {
        if (!location.IsInSource)
        {
            return location;
        }

        var span = location.SourceSpan;
        int delta = 0;
        foreach (var change in changes)
        {
            if (change.Span.End <= span.Start)
            {
                delta += change.NewText!.Length - change.Span.Length;
            }
            else if (change.Span.Start >= span.End)
            {
                break;
            }
            else
            {
                return null;
            }
        }

        return Location.Create(tree, new TextSpan(span.Start + delta, span.Length));
    }
}
