using System;
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

namespace RetryGuard.CodeFixes.Polly;

/// <summary>
/// RG0007 on a Polly v8 / MEHR <c>DelayGenerator</c> that returns the server's Retry-After uncapped (or capped above
/// the limit): each returned delay <c>x</c> becomes <c>x is TimeSpan d &amp;&amp; d &lt;= cap ? d : null</c> — a longer wait
/// (a daily cap that says "until midnight") is not slept; Polly falls back to its own backoff for that attempt.
/// No fix for v7 sleep-duration providers: they must return a wait, and there is no backoff to fall back to.
/// </summary>
public sealed class RG0007CapRetryAfterPollyCodeFix : DocumentBatchFix
{
    public const string EquivalenceKey = RG0007UncappedRetryAfterCodeFix.EquivalenceKey;

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleCatalog.RG0007UncappedRetryAfter.Id);

    protected override string FixKey => EquivalenceKey;

    protected override string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        Returns(root, model, diagnostic, cancellationToken) is not null ? "Cap the Retry-After delay" : null;

    protected override async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var cap = PollySyntax.MaxRetryAfter(document, editor.OriginalRoot.SyntaxTree);
        var done = new HashSet<SyntaxNode>();
        var handedOut = new Dictionary<SyntaxNode, HashSet<string>>();
        foreach (var diagnostic in diagnostics)
        {
            if (Returns(editor.OriginalRoot, editor.SemanticModel, diagnostic, cancellationToken) is not { } returns)
            {
                continue;
            }

            foreach (var (value, nullable) in returns)
            {
                if (!done.Add(value))
                {
                    continue;
                }

                var scope = value.FirstAncestorOrSelf<LambdaExpressionSyntax>()!;
                if (!handedOut.TryGetValue(scope, out var names))
                {
                    handedOut[scope] = names = new HashSet<string>(StringComparer.Ordinal);
                }

                string name = PollySyntax.FreeName(editor.SemanticModel, value.SpanStart, "retryAfter", scope, names);

                // A TimeSpan? is tested for a value; a TimeSpan always has one.
                string test = nullable ? "is global::System.TimeSpan " + name : "is var " + name;
                var capped = PollySyntax.Parse(
                    $"__Value__ {test} && {name} <= __Cap__ ? {name} : (global::System.TimeSpan?)null",
                    names: null,
                    new Dictionary<string, ExpressionSyntax>
                    {
                        ["__Value__"] = Operand(value.WithoutTrivia()),
                        ["__Cap__"] = PollySyntax.Duration(cap),
                    });
                editor.ReplaceNode(value, capped.WithTriviaFrom(value));
            }
        }

        return editor.GetChangedDocument();
    }

    /// <summary>An operand of <c>is</c>: anything looser than a primary expression is parenthesized.</summary>
    private static ExpressionSyntax Operand(ExpressionSyntax value) =>
        value is IdentifierNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or ElementAccessExpressionSyntax or
            ParenthesizedExpressionSyntax or ConditionalAccessExpressionSyntax or ObjectCreationExpressionSyntax or PostfixUnaryExpressionSyntax
            ? value
            : SyntaxFactory.ParenthesizedExpression(value);

    /// <summary>The values a generator returns inside its ValueTask (null constants left out), each with whether it is nullable.</summary>
    private static List<(ExpressionSyntax Value, bool Nullable)>? Returns(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var node = PollySyntax.NodeOf(root, diagnostic);
        if (node is ArgumentSyntax argument)
        {
            node = argument.Expression;
        }

        if (node is not LambdaExpressionSyntax lambda || !PollySyntax.IsDelayGenerator(lambda))
        {
            return null;
        }

        var returns = new List<(ExpressionSyntax, bool)>();
        foreach (var value in PollySyntax.ReturnedValues(lambda))
        {
            var inner = PollySyntax.InsideValueTask(value, model, cancellationToken);
            if (inner is null)
            {
                return null;
            }

            if (inner.IsKind(SyntaxKind.NullLiteralExpression) || inner.IsKind(SyntaxKind.DefaultLiteralExpression) ||
                model.GetConstantValue(inner, cancellationToken) is { HasValue: true, Value: null })
            {
                continue;
            }

            var type = model.GetTypeInfo(inner, cancellationToken).Type;
            bool nullable = type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T };
            if (!nullable && type?.ToDisplayString() != "System.TimeSpan")
            {
                return null;
            }

            returns.Add((inner, nullable));
        }

        return returns.Count == 0 ? null : returns;
    }
}
