using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace RetryGuard.CodeFixes.Polly;

/// <summary>Small syntax and symbol helpers shared by the Polly / Microsoft.Extensions.Http.Resilience fixes.</summary>
internal static class PollySyntax
{
    public const string ContribBackoffMetadataName = "Polly.Contrib.WaitAndRetry.Backoff";

    /// <summary>A member of Polly, Polly.Core, Polly.Contrib.* or Microsoft.Extensions.*Resilience.</summary>
    public static bool IsPollyMember(ISymbol? symbol)
    {
        string ns = symbol?.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        return ns == "Polly" || ns.StartsWith("Polly.", StringComparison.Ordinal) ||
               ns.StartsWith("Microsoft.Extensions.Http.Resilience", StringComparison.Ordinal);
    }

    /// <summary>The node a diagnostic is reported on (the innermost one that covers its span).</summary>
    public static SyntaxNode? NodeOf(SyntaxNode root, Diagnostic diagnostic)
    {
        var span = diagnostic.Location.SourceSpan;
        if (!root.FullSpan.Contains(span))
        {
            return null;
        }

        return root.FindNode(span, findInsideTrivia: false, getInnermostNodeForTie: true);
    }

    /// <summary>The invocation whose argument list holds <paramref name="argument"/>, with the argument.</summary>
    public static InvocationExpressionSyntax? InvocationOf(ExpressionSyntax value, out ArgumentSyntax? argument)
    {
        argument = value.Parent as ArgumentSyntax;
        return argument?.Parent?.Parent as InvocationExpressionSyntax;
    }

    /// <summary>
    /// A name that binds to nothing at <paramref name="position"/> (nor is declared inside <paramref name="scope"/>):
    /// <paramref name="preferred"/>, else it with a number.
    /// </summary>
    public static string FreeName(SemanticModel model, int position, string preferred, SyntaxNode? scope = null)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        if (scope is not null)
        {
            foreach (var token in scope.DescendantTokens())
            {
                if (token.IsKind(SyntaxKind.IdentifierToken))
                {
                    taken.Add(token.ValueText);
                }
            }
        }

        for (int suffix = 1; suffix < 100; suffix++)
        {
            string name = suffix == 1 ? preferred : preferred + suffix;
            if (!taken.Contains(name) && model.LookupSymbols(position, name: name).IsEmpty)
            {
                return name;
            }
        }

        return preferred + "_";
    }

    /// <summary><c>global::System.TimeSpan.FromSeconds(120)</c> (or milliseconds), shortened by the simplifier.</summary>
    public static ExpressionSyntax Duration(TimeSpan value)
    {
        bool seconds = value.Ticks % TimeSpan.TicksPerSecond == 0;
        var factory = RuntimeNames.Framework("System", "TimeSpan", seconds ? "FromSeconds" : "FromMilliseconds");
        long amount = seconds ? (long)value.TotalSeconds : (long)value.TotalMilliseconds;
        return SyntaxFactory.InvocationExpression(
            factory,
            SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(
                SyntaxFactory.Argument(SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(amount))))));
    }

    /// <summary>
    /// Parses <paramref name="text"/> and puts each runtime name in place of its placeholder identifier
    /// (<c>__RetryAfter_GetDelay__</c> → <c>global::RetryGuard.RetryAfter.GetDelay</c>, annotated), and every other
    /// <c>global::</c> name under the simplifier.
    /// </summary>
    public static ExpressionSyntax Parse(string text, RuntimeNames names, IReadOnlyDictionary<string, ExpressionSyntax>? extra = null)
    {
        var parsed = SyntaxFactory.ParseExpression(text);
        var replaced = parsed.ReplaceNodes(
            parsed.DescendantNodes().OfType<IdentifierNameSyntax>().Where(i => i.Identifier.ValueText.StartsWith("__", StringComparison.Ordinal)),
            (original, _) =>
            {
                string key = original.Identifier.ValueText;
                if (extra is not null && extra.TryGetValue(key, out var replacement))
                {
                    return replacement;
                }

                var parts = key.Trim('_').Split('_');
                return names.Member(parts[0], parts[1]);
            });
        return replaced.WithAdditionalAnnotations(Simplifier.Annotation);
    }

    /// <summary>Adds <paramref name="member"/> at the end of an object initializer, in the initializer's layout.</summary>
    public static InitializerExpressionSyntax AddMember(InitializerExpressionSyntax initializer, ExpressionSyntax member)
    {
        var list = initializer.Expressions;
        if (list.Count == 0)
        {
            return initializer
                .WithOpenBraceToken(initializer.OpenBraceToken.WithTrailingTrivia(SyntaxFactory.Space))
                .WithExpressions(SyntaxFactory.SingletonSeparatedList(member.WithTrailingTrivia(SyntaxFactory.Space)))
                .WithCloseBraceToken(initializer.CloseBraceToken.WithLeadingTrivia());
        }

        var last = list[list.Count - 1];
        var items = new List<SyntaxNodeOrToken>(list.GetWithSeparators());
        member = member.WithLeadingTrivia(last.GetLeadingTrivia());
        if (list.SeparatorCount == list.Count)
        {
            // `A = 1,` then a line break: the new member and a comma of its own in the same layout.
            var separator = list.GetSeparator(list.Count - 1);
            items.Add(member);
            items.Add(SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(separator.TrailingTrivia));
        }
        else
        {
            var trailing = last.GetTrailingTrivia();
            var lineEnd = trailing.Where(t => t.IsKind(SyntaxKind.EndOfLineTrivia)).Take(1).ToList();
            items[items.Count - 1] = last.WithoutTrailingTrivia();
            items.Add(SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(lineEnd.Count > 0 ? trailing : SyntaxFactory.TriviaList(SyntaxFactory.Space)));
            items.Add(member.WithTrailingTrivia(lineEnd.Count > 0 ? SyntaxFactory.TriviaList(lineEnd) : trailing));
        }

        return initializer.WithExpressions(SyntaxFactory.SeparatedList<ExpressionSyntax>(items));
    }

    /// <summary>Removes one member of an object initializer with its separator.</summary>
    public static InitializerExpressionSyntax RemoveMember(InitializerExpressionSyntax initializer, ExpressionSyntax member)
    {
        var list = initializer.Expressions;
        int index = list.IndexOf(member);
        if (index < 0)
        {
            return initializer;
        }

        var items = new List<SyntaxNodeOrToken>(list.GetWithSeparators());
        int at = items.FindIndex(i => i.IsNode && i.AsNode() == member);
        bool hasSeparatorAfter = at + 1 < items.Count;
        if (hasSeparatorAfter)
        {
            items.RemoveRange(at, 2);
        }
        else if (at > 0)
        {
            // The last member without a trailing comma: the comma before it goes, its trailing trivia stays.
            var previous = items[at - 2].AsNode()!;
            items[at - 2] = previous.WithTrailingTrivia(member.GetTrailingTrivia());
            items.RemoveRange(at - 1, 2);
        }
        else
        {
            items.RemoveAt(at);
        }

        return initializer.WithExpressions(SyntaxFactory.SeparatedList<ExpressionSyntax>(items));
    }

    /// <summary>
    /// A creation with <paramref name="member"/> added to its initializer (an initializer is created when there is
    /// none; an empty <c>()</c> of an explicit <c>new T()</c> goes with it).
    /// </summary>
    public static BaseObjectCreationExpressionSyntax WithMember(BaseObjectCreationExpressionSyntax creation, ExpressionSyntax member)
    {
        if (creation.Initializer is { } initializer)
        {
            return creation.WithInitializer(AddMember(initializer, member));
        }

        var trailing = creation.GetTrailingTrivia();
        var created = SyntaxFactory.InitializerExpression(
                SyntaxKind.ObjectInitializerExpression,
                SyntaxFactory.SingletonSeparatedList(member.WithLeadingTrivia().WithTrailingTrivia(SyntaxFactory.Space)))
            .WithOpenBraceToken(SyntaxFactory.Token(SyntaxKind.OpenBraceToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space))
            .WithTrailingTrivia(trailing);
        var bare = creation.WithoutTrailingTrivia();
        if (bare is ObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: 0 } explicitNew)
        {
            bare = explicitNew.WithArgumentList(null).WithType(explicitNew.Type.WithoutTrailingTrivia());
        }

        return bare.WithInitializer(created);
    }

    /// <summary><c>Name = value</c> for an object initializer.</summary>
    public static AssignmentExpressionSyntax Assignment(string name, ExpressionSyntax value) =>
        SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, SyntaxFactory.IdentifierName(name), value);

    /// <summary>The type declaration that holds <paramref name="node"/>, when a constant can be added to it.</summary>
    public static TypeDeclarationSyntax? ContainingType(SyntaxNode node) =>
        node.FirstAncestorOrSelf<TypeDeclarationSyntax>(t => t is ClassDeclarationSyntax or StructDeclarationSyntax or RecordDeclarationSyntax);

    /// <summary>True when <paramref name="expression"/> binds to <c>int.MaxValue</c> or another constant.</summary>
    public static object? Constant(SemanticModel model, ExpressionSyntax expression, CancellationToken cancellationToken)
    {
        var value = model.GetConstantValue(expression, cancellationToken);
        return value.HasValue ? value.Value : null;
    }
}
