using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;
using RetryGuard.Analyzers;

namespace RetryGuard.CodeFixes;

/// <summary>
/// RG0001: wraps the existing delay in <c>Backoff.WithJitter(...)</c>. An <c>int</c> milliseconds argument becomes
/// <c>TimeSpan.FromMilliseconds(...)</c> so that the TimeSpan overload of the wait is used.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RG0001NoJitterCodeFix)), Shared]
public sealed class RG0001NoJitterCodeFix : DocumentBatchFix
{
    public const string EquivalenceKey = "RG0001.WithJitter";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(RuleCatalog.RG0001NoJitter.Id);

    protected override string FixKey => EquivalenceKey;

    protected override string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        FindWait(root, diagnostic) is { } wait && Rewrite(wait, model, names: null, cancellationToken) is not null
            ? "Add jitter (Backoff.WithJitter)"
            : null;

    protected override async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var names = RuntimeNames.For(editor.SemanticModel, editor.OriginalRoot, cancellationToken);
        foreach (var diagnostic in diagnostics)
        {
            if (FindWait(editor.OriginalRoot, diagnostic) is { } wait &&
                Rewrite(wait, editor.SemanticModel, names, cancellationToken) is { } replacement)
            {
                editor.ReplaceNode(wait.Argument, replacement);
            }
        }

        // `using RetryGuard;` is added where it is missing; the simplifier then shortens global::RetryGuard.Backoff
        // to Backoff only where that still binds to RetryGuard's type (Polly.Contrib.WaitAndRetry has a Backoff too).
        return await ImportAdder.AddImportsAsync(editor.GetChangedDocument(), Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    private readonly struct Wait
    {
        public Wait(InvocationExpressionSyntax invocation, ArgumentSyntax argument)
        {
            Invocation = invocation;
            Argument = argument;
        }

        public InvocationExpressionSyntax Invocation { get; }

        public ArgumentSyntax Argument { get; }
    }

    private static Wait? FindWait(SyntaxNode root, Diagnostic diagnostic)
    {
        var node = root.FindNode(diagnostic.Location.SourceSpan, false, true);
        var invocation = node as InvocationExpressionSyntax ?? node.FirstAncestorOrSelf<InvocationExpressionSyntax>();
        if (invocation is null || invocation.ArgumentList.Arguments.Count == 0 ||
            invocation.Span != diagnostic.Location.SourceSpan)
        {
            // A Polly provider, generator or options object (reported elsewhere than on a wait): RG0001NoJitterPollyCodeFix.
            return null;
        }

        // The delay is the wait's first parameter, wherever a named argument put it.
        foreach (var argument in invocation.ArgumentList.Arguments)
        {
            if (argument.NameColon is null ||
                argument.NameColon.Name.Identifier.ValueText is "millisecondsDelay" or "delay" or "millisecondsTimeout" or "timeout")
            {
                return new Wait(invocation, argument);
            }
        }

        return null;
    }

    /// <summary>The new argument, or null when the fix cannot be made safely.</summary>
    private static ArgumentSyntax? Rewrite(Wait wait, SemanticModel model, RuntimeNames? names, CancellationToken cancellationToken)
    {
        var expression = wait.Argument.Expression;
        var type = model.GetTypeInfo(expression, cancellationToken).ConvertedType;
        if (type is null || Polly.PollySyntax.IsPollyMember(model.GetSymbolInfo(wait.Invocation, cancellationToken).Symbol))
        {
            return null;
        }

        ExpressionSyntax delay;
        if (type.ToDisplayString() == "System.TimeSpan")
        {
            delay = expression.WithoutTrivia();
        }
        else if (type.SpecialType == SpecialType.System_Int32)
        {
            delay = SyntaxFactory.InvocationExpression(
                RuntimeNames.Framework("System", "TimeSpan", "FromMilliseconds"),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(expression.WithoutTrivia()))));
        }
        else
        {
            return null;
        }

        if (names is null)
        {
            // Only asked whether a fix can be made.
            return wait.Argument;
        }

        var jittered = SyntaxFactory.InvocationExpression(
                names.Member("Backoff", "WithJitter"),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(delay))))
            .WithTriviaFrom(expression);

        var argument = wait.Argument.WithExpression(jittered);
        if (argument.NameColon is { } name)
        {
            // Task.Delay(millisecondsDelay: 100) → Task.Delay(delay: ...); Thread.Sleep(millisecondsTimeout: ...) → timeout.
            string renamed = name.Name.Identifier.ValueText switch
            {
                "millisecondsDelay" => "delay",
                "millisecondsTimeout" => "timeout",
                var same => same,
            };
            argument = argument.WithNameColon(name.WithName(SyntaxFactory.IdentifierName(renamed).WithTriviaFrom(name.Name)));
        }

        return argument;
    }
}
