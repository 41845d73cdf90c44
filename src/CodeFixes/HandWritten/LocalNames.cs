using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RetryGuard.CodeFixes;

/// <summary>
/// Picks names for the locals, constants and catch variables a fix introduces: a name is free when nothing of that
/// name is visible at the insertion point and no identifier of the enclosing member uses it (a later or nested
/// declaration would clash). Names handed out in one Fix All batch are remembered per member.
/// </summary>
internal sealed class LocalNames
{
    private readonly SemanticModel _model;
    private readonly Dictionary<SyntaxNode, HashSet<string>> _usedByMember = new();

    public LocalNames(SemanticModel model) => _model = model;

    public string Pick(SyntaxNode at, string preferred, CancellationToken cancellationToken) =>
        Pick(at, preferred, alternative: null, cancellationToken);

    /// <summary>The first free name of <paramref name="preferred"/>, <paramref name="alternative"/>, then numbered ones.</summary>
    public string Pick(SyntaxNode at, string preferred, string? alternative, CancellationToken cancellationToken)
    {
        var member = MemberOf(at);
        if (!_usedByMember.TryGetValue(member, out var used))
        {
            used = new HashSet<string>();
            foreach (var token in member.DescendantTokens())
            {
                if (token.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken))
                {
                    used.Add(token.ValueText);
                }
            }

            _usedByMember[member] = used;
        }

        bool Free(string name) => !used.Contains(name) && _model.LookupSymbols(at.SpanStart, name: name).IsEmpty;

        if (!Free(preferred) && alternative is not null && Free(alternative))
        {
            used.Add(alternative);
            return alternative;
        }

        for (int suffix = 1; ; suffix++)
        {
            string name = suffix == 1 ? preferred : preferred + suffix;
            if (Free(name))
            {
                used.Add(name);
                return name;
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>The member (method, accessor, constructor ...) whose body holds <paramref name="node"/>; top-level code: the file.</summary>
    public static SyntaxNode MemberOf(SyntaxNode node)
    {
        for (var current = node; current is not null; current = current.Parent)
        {
            if (current is MemberDeclarationSyntax and not BaseTypeDeclarationSyntax and not BaseNamespaceDeclarationSyntax and not GlobalStatementSyntax)
            {
                return current;
            }
        }

        return node.SyntaxTree.GetRoot();
    }

    /// <summary>The document's own line break (the first one found around <paramref name="node"/>).</summary>
    public static SyntaxTrivia Newline(SyntaxNode node)
    {
        foreach (var trivia in node.DescendantTrivia())
        {
            if (trivia.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.EndOfLineTrivia))
            {
                return trivia;
            }
        }

        return Microsoft.CodeAnalysis.CSharp.SyntaxFactory.EndOfLine("\n");
    }
}
