using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace RetryGuard.CodeFixes;

/// <summary>
/// Names that fixes emit. Every name is written fully qualified (<c>global::RetryGuard.Backoff</c>) with the
/// simplifier annotation, so it is shortened only where the short form still binds to the same symbol.
/// <c>using RetryGuard;</c> is requested only when it cannot make a name the user already writes ambiguous
/// (Polly.Contrib.WaitAndRetry has a <c>Backoff</c> of its own).
/// </summary>
internal sealed class RuntimeNames
{
    private const string RuntimeNamespace = "RetryGuard";
    private readonly bool _mayImport;

    private RuntimeNames(bool mayImport) => _mayImport = mayImport;

    public static RuntimeNames For(SemanticModel model, SyntaxNode root, CancellationToken cancellationToken)
    {
        var runtime = model.Compilation.GlobalNamespace.GetNamespaceMembers().FirstOrDefault(n => n.Name == RuntimeNamespace);
        var names = new HashSet<string>(runtime?.GetTypeMembers().Select(t => t.Name) ?? Enumerable.Empty<string>());
        if (names.Count == 0)
        {
            return new RuntimeNames(mayImport: true);
        }

        // A namespace the file imports with a type of the same name (`using Polly.Contrib.WaitAndRetry;` and its
        // Backoff): importing RetryGuard would make that name ambiguous even where the file does not use it yet.
        foreach (var directive in root.DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax).OfType<UsingDirectiveSyntax>())
        {
            if (directive.Alias is null && directive.StaticKeyword.IsKind(SyntaxKind.None) &&
                model.GetSymbolInfo(directive.Name!, cancellationToken).Symbol is INamespaceSymbol imported &&
                imported.ToDisplayString() != RuntimeNamespace &&
                names.Any(name => !imported.GetTypeMembers(name).IsEmpty))
            {
                return new RuntimeNames(mayImport: false);
            }
        }

        foreach (var identifier in root.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (!names.Contains(identifier.Identifier.ValueText))
            {
                continue;
            }

            var symbol = model.GetSymbolInfo(identifier, cancellationToken).Symbol;
            if (symbol is ITypeSymbol type && type.ContainingNamespace?.ToDisplayString() != RuntimeNamespace)
            {
                return new RuntimeNames(mayImport: false);
            }
        }

        return new RuntimeNames(mayImport: true);
    }

    /// <summary><c>RetryGuard.{type}.{member}</c>, e.g. <c>Backoff.WithJitter</c>.</summary>
    public ExpressionSyntax Member(string type, string member) =>
        SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, Type(type), SyntaxFactory.IdentifierName(member))
            .WithAdditionalAnnotations(Simplifier.Annotation);

    /// <summary>The type <c>RetryGuard.{type}</c>, e.g. for <c>new RateLimitExceededException(...)</c>.</summary>
    public ExpressionSyntax Type(string type)
    {
        // Built as the parser would read `global::RetryGuard.Backoff.WithJitter` in an expression.
        ExpressionSyntax typeName = SyntaxFactory.MemberAccessExpression(
            SyntaxKind.SimpleMemberAccessExpression,
            SyntaxFactory.AliasQualifiedName(
                SyntaxFactory.IdentifierName(SyntaxFactory.Token(SyntaxKind.GlobalKeyword)),
                SyntaxFactory.IdentifierName(RuntimeNamespace)),
            SyntaxFactory.IdentifierName(type));
        return _mayImport
            ? typeName.WithAdditionalAnnotations(Simplifier.AddImportsAnnotation, Simplifier.Annotation)
            : typeName.WithAdditionalAnnotations(Simplifier.Annotation);
    }

    /// <summary>The type name <c>global::RetryGuard.{type}</c> where a type is expected (<c>new ...(...)</c>).</summary>
    public NameSyntax TypeName(string type)
    {
        NameSyntax name = SyntaxFactory.QualifiedName(
            SyntaxFactory.AliasQualifiedName(
                SyntaxFactory.IdentifierName(SyntaxFactory.Token(SyntaxKind.GlobalKeyword)),
                SyntaxFactory.IdentifierName(RuntimeNamespace)),
            SyntaxFactory.IdentifierName(type));
        return _mayImport
            ? name.WithAdditionalAnnotations(Simplifier.AddImportsAnnotation, Simplifier.Annotation)
            : name.WithAdditionalAnnotations(Simplifier.Annotation);
    }

    /// <summary>A framework member, <c>global::System.TimeSpan.FromMilliseconds</c>: shortened, never imported.</summary>
    public static ExpressionSyntax Framework(string ns, string type, string member)
    {
        ExpressionSyntax left = SyntaxFactory.AliasQualifiedName(
            SyntaxFactory.IdentifierName(SyntaxFactory.Token(SyntaxKind.GlobalKeyword)),
            SyntaxFactory.IdentifierName(ns));
        var typeAccess = SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, left, SyntaxFactory.IdentifierName(type))
            .WithAdditionalAnnotations(Simplifier.Annotation);
        return SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, typeAccess, SyntaxFactory.IdentifierName(member))
            .WithAdditionalAnnotations(Simplifier.Annotation);
    }
}
