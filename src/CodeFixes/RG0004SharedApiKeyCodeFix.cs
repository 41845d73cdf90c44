using System.Collections.Immutable;
using System.Composition;
using System.Linq;
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
using RetryGuard.Analyzers.Keys;

namespace RetryGuard.CodeFixes;

/// <summary>
/// RG0004 in source: replaces the literal key with <c>ApiKeys.Require("&lt;PROVIDER&gt;_API_KEY")</c>, a per-environment
/// lookup. <c>"Bearer &lt;key&gt;"</c> becomes <c>"Bearer " + ApiKeys.Require(...)</c>. Not offered where only a
/// constant may stand (<c>const</c>, attribute arguments, default parameter values, case labels and patterns), nor for
/// configuration files.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RG0004SharedApiKeyCodeFix)), Shared]
public sealed class RG0004SharedApiKeyCodeFix : DocumentBatchFix
{
    public const string EquivalenceKey = "RG0004.ApiKeysRequire";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(RuleCatalog.RG0004SharedApiKey.Id);

    protected override string FixKey => EquivalenceKey;

    protected override string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        FindLiteral(root, diagnostic) is not null && Variable(diagnostic) is { } variable
            ? $"Read the key per environment (ApiKeys.Require(\"{variable}\"))"
            : null;

    private static string? Variable(Diagnostic diagnostic) =>
        diagnostic.Properties.TryGetValue(SharedApiKeyAnalyzer.VariableProperty, out var name) && !string.IsNullOrEmpty(name) ? name : null;

    protected override async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var names = RuntimeNames.For(editor.SemanticModel, editor.OriginalRoot, cancellationToken);
        foreach (var diagnostic in diagnostics)
        {
            if (FindLiteral(editor.OriginalRoot, diagnostic) is { } literal && Variable(diagnostic) is { } variable)
            {
                editor.ReplaceNode(literal, Replacement(literal, variable, names));
            }
        }

        return await ImportAdder.AddImportsAsync(editor.GetChangedDocument(), Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    private static ExpressionSyntax Replacement(LiteralExpressionSyntax literal, string variable, RuntimeNames names)
    {
        ExpressionSyntax lookup = SyntaxFactory.InvocationExpression(
            names.Member("ApiKeys", "Require"),
            SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(
                SyntaxFactory.Argument(SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(variable))))));

        string value = literal.Token.ValueText;
        if (value.StartsWith("Bearer ", System.StringComparison.OrdinalIgnoreCase))
        {
            lookup = SyntaxFactory.BinaryExpression(
                SyntaxKind.AddExpression,
                SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(value.Substring(0, 7))),
                lookup);
        }

        return lookup.WithTriviaFrom(literal);
    }

    /// <summary>The reported literal, when an expression that is not a constant may stand in its place.</summary>
    private static LiteralExpressionSyntax? FindLiteral(SyntaxNode root, Diagnostic diagnostic)
    {
        if (!diagnostic.Location.IsInSource || diagnostic.Location.SourceTree != root.SyntaxTree)
        {
            return null;
        }

        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not LiteralExpressionSyntax literal ||
            !literal.IsKind(SyntaxKind.StringLiteralExpression))
        {
            return null;
        }

        foreach (var ancestor in literal.Ancestors())
        {
            switch (ancestor)
            {
                case AttributeArgumentSyntax:
                case CaseSwitchLabelSyntax:
                case ConstantPatternSyntax:
                case EqualsValueClauseSyntax { Parent: ParameterSyntax }:
                    return null;
                case FieldDeclarationSyntax field:
                    return field.Modifiers.Any(SyntaxKind.ConstKeyword) ? null : literal;
                case LocalDeclarationStatementSyntax local:
                    return local.IsConst ? null : literal;
                case StatementSyntax:
                case MemberDeclarationSyntax:
                    return literal;
            }
        }

        return literal;
    }
}
