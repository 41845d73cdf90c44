using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;
using RetryGuard.Analyzers;

namespace RetryGuard.CodeFixes;

/// <summary>
/// RG0001: wraps the existing delay in <c>Backoff.WithJitter(...)</c>. An <c>int</c> milliseconds argument becomes
/// <c>TimeSpan.FromMilliseconds(...)</c> so that the TimeSpan overload of the wait is used. Where the delay is a
/// hand-written exponential (<c>base × 2^attempt</c>) with a visible attempt counter, a second action replaces it with
/// <c>Backoff.Exponential(attempt, base, max)</c>. WithJitter is offered first: it applies to every wait the fix finds,
/// so it is the one <c>dotnet format analyzers</c> (Fix All with the first action's key) applies everywhere.
/// </summary>
public sealed class RG0001NoJitterLoopFix : DocumentBatchFix
{
    public const string EquivalenceKey = RG0001NoJitterCodeFix.EquivalenceKey;
    public const string ExponentialEquivalenceKey = RG0001NoJitterCodeFix.ExponentialEquivalenceKey;

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(RuleCatalog.RG0001NoJitter.Id);

    protected override string FixKey => EquivalenceKey;

    protected override string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        FindWait(root, model, diagnostic, cancellationToken) is { } wait && wait.IsTimeSpan(model, cancellationToken) is not null
            ? "Add jitter (Backoff.WithJitter)"
            : null;

    protected override IEnumerable<(string Key, string Title)> Actions(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (Title(root, model, diagnostic, cancellationToken) is { } title)
        {
            yield return (EquivalenceKey, title);
        }

        if (FindWait(root, model, diagnostic, cancellationToken) is { } wait && ExponentialDelay.Match(wait, model, cancellationToken) is not null)
        {
            yield return (ExponentialEquivalenceKey, "Use Backoff.Exponential (jittered, capped)");
        }
    }

    protected override Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken) =>
        ApplyAsync(document, diagnostics, EquivalenceKey, cancellationToken);

    protected override async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string? key, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var names = RuntimeNames.For(editor.SemanticModel, editor.OriginalRoot, cancellationToken);
        bool exponential = key == ExponentialEquivalenceKey;
        foreach (var diagnostic in diagnostics)
        {
            if (FindWait(editor.OriginalRoot, editor.SemanticModel, diagnostic, cancellationToken) is not { } wait)
            {
                continue;
            }

            ExpressionSyntax? replacement;
            if (exponential)
            {
                // Fix All of this action changes only the waits it recognises; the others keep their diagnostic.
                replacement = ExponentialDelay.Match(wait, editor.SemanticModel, cancellationToken) is { } growth
                    ? Invoke(names.Member("Backoff", "Exponential"), growth.Attempt, growth.BaseDelay, growth.MaxDelay)
                    : null;
            }
            else
            {
                replacement = wait.DelayAsTimeSpan(editor.SemanticModel, cancellationToken) is { } delay
                    ? Invoke(names.Member("Backoff", "WithJitter"), delay)
                    : null;
            }

            if (replacement is not null)
            {
                editor.ReplaceNode(wait.Argument, wait.WithDelay(replacement));
            }
        }

        // `using RetryGuard;` is added where it is missing; the simplifier then shortens global::RetryGuard.Backoff
        // to Backoff only where that still binds to RetryGuard's type (Polly.Contrib.WaitAndRetry has a Backoff too).
        return await ImportAdder.AddImportsAsync(editor.GetChangedDocument(), Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// The wait the diagnostic is reported on. A Polly provider, generator or options object is reported elsewhere
    /// than on a wait, and a Polly member is no wait to wrap: those belong to RG0001NoJitterPollyCodeFix.
    /// </summary>
    private static WaitSite? FindWait(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        WaitSite.Find(root, model, diagnostic, cancellationToken);

    internal static InvocationExpressionSyntax Invoke(ExpressionSyntax method, params ExpressionSyntax[] arguments)
    {
        var list = new List<ArgumentSyntax>();
        foreach (var argument in arguments)
        {
            list.Add(SyntaxFactory.Argument(argument));
        }

        return SyntaxFactory.InvocationExpression(method, SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(list)));
    }
}
