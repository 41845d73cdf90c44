using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model.Polly;

/// <summary>
/// Follows a value to the expression that produced it: through conversions, locals written once, readonly
/// fields and get-only properties with an initializer, and helper methods of the same compilation that return
/// one value. Bounded in depth; anything else stops the walk where it is.
/// </summary>
internal sealed class PollyFlow
{
    private const int MaxDepth = 6;

    private readonly Func<SyntaxTree, SemanticModel?> _semanticModels;
    private readonly Dictionary<IOperation, Dictionary<ILocalSymbol, List<IOperation>>> _writesByRoot = new();

    public PollyFlow(Func<SyntaxTree, SemanticModel?> semanticModels) => _semanticModels = semanticModels;

    public static IOperation Unwrap(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    continue;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    continue;
                default:
                    return operation;
            }
        }
    }

    /// <summary>The expression that produced <paramref name="operation"/>, or the last one that could be followed.</summary>
    public IOperation Resolve(IOperation operation)
    {
        for (int depth = 0; depth < MaxDepth; depth++)
        {
            operation = Unwrap(operation);
            var next = operation switch
            {
                ILocalReferenceOperation local => SingleWrite(local),
                IFieldReferenceOperation field => FieldInitializer(field.Field),
                IPropertyReferenceOperation { Property: { SetMethod: null, IsIndexer: false } property } => PropertyValue(property),
                IInvocationOperation invocation when IsSourceHelper(invocation.TargetMethod) => SingleReturn(invocation.TargetMethod),
                _ => null,
            };

            if (next is null)
            {
                return operation;
            }

            operation = next;
        }

        return operation;
    }

    /// <summary>
    /// <see cref="Resolve"/>, then on through fields and properties given one value in their type (a constructor's
    /// assignment, see <see cref="MemberWrites"/>).
    /// </summary>
    public IOperation ResolveThroughMembers(IOperation operation)
    {
        var resolved = Resolve(operation);
        for (int step = 0; step < 3; step++)
        {
            ISymbol? member = resolved switch
            {
                IFieldReferenceOperation field => field.Field,
                IPropertyReferenceOperation { Property.IsIndexer: false } property => property.Property,
                _ => null,
            };

            if (member is null || MemberWrites.SingleValue(member, _semanticModels) is not { } value)
            {
                return resolved;
            }

            resolved = Resolve(value);
        }

        return resolved;
    }

    /// <summary>The value written to a local, when it is written exactly once (its declaration or one assignment).</summary>
    public IOperation? SingleWrite(ILocalReferenceOperation reference)
    {
        var writes = WritesOf(reference, reference.Local);
        return writes is { Count: 1 } ? writes[0] : null;
    }

    public List<IOperation>? WritesOf(IOperation anywhere, ILocalSymbol local)
    {
        var root = RootOf(anywhere);
        if (!_writesByRoot.TryGetValue(root, out var map))
        {
            map = new Dictionary<ILocalSymbol, List<IOperation>>(SymbolEqualityComparer.Default);
            foreach (var operation in OperationWalk.Descendants(root, intoFunctions: true))
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation { Initializer: { } initializer } declarator:
                        Add(map, declarator.Symbol, initializer.Value);
                        break;
                    case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment:
                        Add(map, target.Local, assignment.Value);
                        break;
                    case ICompoundAssignmentOperation { Target: ILocalReferenceOperation target } compound:
                        Add(map, target.Local, compound);
                        break;
                    case IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref, Value: ILocalReferenceOperation byRef } argument:
                        Add(map, byRef.Local, argument);
                        break;
                }
            }

            _writesByRoot[root] = map;
        }

        return map.TryGetValue(local, out var list) ? list : null;
    }

    public static IOperation RootOf(IOperation operation)
    {
        var root = operation;
        while (root.Parent is not null)
        {
            root = root.Parent;
        }

        return root;
    }

    private static void Add(Dictionary<ILocalSymbol, List<IOperation>> map, ILocalSymbol local, IOperation value)
    {
        if (!map.TryGetValue(local, out var list))
        {
            list = new List<IOperation>();
            map[local] = list;
        }

        list.Add(value);
    }

    private IOperation? FieldInitializer(IFieldSymbol field)
    {
        if (!field.IsReadOnly || field.DeclaringSyntaxReferences.Length != 1 ||
            field.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax { Initializer: { } initializer } ||
            _semanticModels(initializer.SyntaxTree) is not { } model)
        {
            return null;
        }

        return model.GetOperation(initializer) is IFieldInitializerOperation init ? init.Value : null;
    }

    private IOperation? PropertyValue(IPropertySymbol property)
    {
        if (property.DeclaringSyntaxReferences.Length != 1 ||
            property.DeclaringSyntaxReferences[0].GetSyntax() is not PropertyDeclarationSyntax declaration ||
            _semanticModels(declaration.SyntaxTree) is not { } model)
        {
            return null;
        }

        if (declaration.ExpressionBody is { } arrow)
        {
            return model.GetOperation(arrow.Expression);
        }

        return declaration.Initializer is { } initializer && model.GetOperation(initializer) is IPropertyInitializerOperation init
            ? init.Value
            : null;
    }

    private static bool IsSourceHelper(IMethodSymbol method) =>
        !method.IsAbstract && !method.IsExtern && method.DeclaringSyntaxReferences.Length == 1;

    /// <summary>The one value a source method returns, or null.</summary>
    public IOperation? SingleReturn(IMethodSymbol method)
    {
        var returned = ReturnedValues(method);
        return returned is { Count: 1 } ? returned[0] : null;
    }

    /// <summary>Every value a source method returns, or null when its body cannot be seen.</summary>
    public List<IOperation>? ReturnedValues(IMethodSymbol method)
    {
        method = method.OriginalDefinition;
        if (!IsSourceHelper(method))
        {
            return null;
        }

        var syntax = method.DeclaringSyntaxReferences[0].GetSyntax();
        SyntaxNode? body = syntax switch
        {
            MethodDeclarationSyntax declaration => (SyntaxNode?)declaration.Body ?? declaration.ExpressionBody?.Expression,
            LocalFunctionStatementSyntax local => (SyntaxNode?)local.Body ?? local.ExpressionBody?.Expression,
            _ => null,
        };

        if (body is null || _semanticModels(body.SyntaxTree) is not { } model || model.GetOperation(body) is not { } operation)
        {
            return null;
        }

        return ReturnedValues(operation);
    }

    /// <summary>The values a body returns: the expression of an expression body, or each <c>return</c>'s value.</summary>
    public static List<IOperation> ReturnedValues(IOperation body)
    {
        var values = new List<IOperation>();
        if (body is not IBlockOperation)
        {
            values.Add(body);
            return values;
        }

        foreach (var operation in OperationWalk.Descendants(body, intoFunctions: false))
        {
            if (operation is IReturnOperation { ReturnedValue: { } value })
            {
                values.Add(value);
            }
        }

        return values;
    }

    /// <summary>A lambda or a method group handed over as a delegate, or null.</summary>
    public IOperation? DelegateTarget(IOperation value)
    {
        var resolved = Resolve(value);
        return resolved switch
        {
            IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda } => lambda,
            IDelegateCreationOperation { Target: IMethodReferenceOperation method } => method,
            IAnonymousFunctionOperation lambda => lambda,
            _ => null,
        };
    }

    /// <summary>The values a lambda or a referenced source method returns.</summary>
    public List<IOperation>? ReturnedValuesOfDelegate(IOperation target) => target switch
    {
        IAnonymousFunctionOperation lambda => ReturnedValues(lambda.Body),
        IMethodReferenceOperation method => ReturnedValues(method.Method),
        _ => null,
    };

    /// <summary>The body of a lambda or of a referenced source method, to scan.</summary>
    public IOperation? BodyOfDelegate(IOperation target)
    {
        if (target is IAnonymousFunctionOperation lambda)
        {
            return lambda.Body;
        }

        if (target is IMethodReferenceOperation { Method: { } method } && IsSourceHelper(method.OriginalDefinition))
        {
            var values = ReturnedValues(method);
            if (values is { Count: > 0 })
            {
                return RootOf(values[0]);
            }
        }

        return null;
    }
}
