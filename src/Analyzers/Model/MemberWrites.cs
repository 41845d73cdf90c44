using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model;

/// <summary>
/// The one value a private field or property of a source type is given: its initializer or the only assignment
/// to it in the type's declarations (typically in the constructor). Null when it is given none, several, or may be
/// given one from outside the type.
/// </summary>
internal static class MemberWrites
{
    /// <summary>
    /// The assignments written in each source type's declarations, by the member name they assign (<c>x = …</c>,
    /// <c>this.x = …</c>): one syntax pass per type, shared by every member asked about (analyses run concurrently;
    /// the table is thread-safe and the lists are not changed once built).
    /// </summary>
    private static readonly ConditionalWeakTable<INamedTypeSymbol, Dictionary<string, List<AssignmentExpressionSyntax>>> AssignmentsByType = new();

    private static readonly ConditionalWeakTable<INamedTypeSymbol, Dictionary<string, List<AssignmentExpressionSyntax>>>.CreateValueCallback
        CollectAssignments = Collect;

    public static IOperation? SingleValue(ISymbol member, Func<SyntaxTree, SemanticModel?> semanticModels)
    {
        if (!WrittenOnlyInItsType(member) || member.ContainingType is not { } type || member.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        IOperation? value = null;
        int writes = 0;

        // The initializer.
        var declaration = member.DeclaringSyntaxReferences[0].GetSyntax();
        var initializer = declaration switch
        {
            VariableDeclaratorSyntax variable => variable.Initializer?.Value,
            PropertyDeclarationSyntax property => property.Initializer?.Value,
            _ => null,
        };

        if (initializer is not null)
        {
            writes++;
            value = semanticModels(initializer.SyntaxTree)?.GetOperation(initializer);
        }

        // Assignments anywhere in the type (several partial declarations included).
        if (AssignmentsByType.GetValue(type.OriginalDefinition, CollectAssignments).TryGetValue(member.Name, out var assignments))
        {
            SyntaxTree? tree = null;
            SemanticModel? model = null;
            foreach (var assignment in assignments)
            {
                if (assignment.SyntaxTree != tree)
                {
                    tree = assignment.SyntaxTree;
                    model = semanticModels(tree);
                }

                if (model is null)
                {
                    return null;
                }

                if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(assignment.Left).Symbol?.OriginalDefinition, member.OriginalDefinition))
                {
                    continue;
                }

                if (++writes > 1 || !assignment.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.SimpleAssignmentExpression))
                {
                    return null;
                }

                value = model.GetOperation(assignment) is ISimpleAssignmentOperation write ? write.Value : null;
            }
        }

        return writes == 1 ? value : null;
    }

    /// <summary>A readonly or private field; a get-only or privately set property (not init: initializers outside set those).</summary>
    private static bool WrittenOnlyInItsType(ISymbol member) => member switch
    {
        IFieldSymbol field => field.IsReadOnly || field.DeclaredAccessibility == Accessibility.Private,
        IPropertySymbol property => property.SetMethod is null ||
                                    (!property.SetMethod.IsInitOnly &&
                                     (property.DeclaredAccessibility == Accessibility.Private || property.SetMethod.DeclaredAccessibility == Accessibility.Private)),
        _ => false,
    };

    private static Dictionary<string, List<AssignmentExpressionSyntax>> Collect(INamedTypeSymbol type)
    {
        var byName = new Dictionary<string, List<AssignmentExpressionSyntax>>(StringComparer.Ordinal);
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            foreach (var node in reference.GetSyntax().DescendantNodes())
            {
                if (node is AssignmentExpressionSyntax assignment && AssignedName(assignment.Left) is { } name)
                {
                    if (!byName.TryGetValue(name, out var list))
                    {
                        byName[name] = list = new List<AssignmentExpressionSyntax>();
                    }

                    list.Add(assignment);
                }
            }
        }

        return byName;
    }

    private static string? AssignedName(ExpressionSyntax left) => left switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } access => access.Name.Identifier.ValueText,
        _ => null,
    };
}
