using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model.Polly;

/// <summary>
/// Every assignment in the compilation to a retry-options property through a member access
/// (<c>options.UseJitter = true</c>, <c>o.Retry.ShouldRetryAfterHeader = false</c>), outside object initializers.
/// Consulted only for an options object that leaves the method that creates it (returned, stored, handed to a
/// helper): a property it does not set itself may be set elsewhere, and then it is unknown rather than default.
/// Built once per compilation, on first use: the property and filler names are searched in each file's text, and
/// only the candidate assignments and calls are bound.
/// </summary>
internal sealed class OptionsWriteIndex
{
    public static readonly HashSet<string> PropertyNames = new()
    {
        "UseJitter", "DelayGenerator", "ShouldHandle", "MaxRetryAttempts", "BackoffType", "Delay", "MaxDelay",
        "ShouldRetryAfterHeader", "OnRetry",
    };

    /// <summary>Methods without source that fill an object from outside (configuration binding, serializers).</summary>
    private static readonly HashSet<string> OpaqueFillers = new() { "Bind", "Populate", "PopulateObject" };

    private readonly List<Write> _writes = new();
    private readonly List<ITypeSymbol> _opaqueSinks = new();

    private OptionsWriteIndex()
    {
    }

    private readonly struct Write
    {
        public Write(string property, ITypeSymbol? receiver, SyntaxNode node)
        {
            Property = property;
            Receiver = receiver;
            Node = node;
        }

        public string Property { get; }

        public ITypeSymbol? Receiver { get; }

        public SyntaxNode Node { get; }
    }

    /// <summary>Every name the index looks at: a file that writes none of them is read, not walked (<see cref="SourceScan"/>).</summary>
    private static readonly string[] ScannedNames = Concat(PropertyNames, OpaqueFillers);

    public static OptionsWriteIndex Build(Compilation compilation, KnownPollySymbols polly, System.Threading.CancellationToken cancellationToken)
    {
        var index = new OptionsWriteIndex();
        foreach (var tree in compilation.SyntaxTrees)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (SourceScan.Identifiers(tree, ScannedNames, cancellationToken) is not { } names)
            {
                continue;
            }

            SemanticModel? model = null;
            foreach (var name in names)
            {
                if (name.Parent is not SimpleNameSyntax simple)
                {
                    continue;
                }

                if (OpaqueFillerCall(simple) is { } call)
                {
#pragma warning disable RS1030 // See below.
                    model ??= compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
                    if (model.GetOperation(call, cancellationToken) is IInvocationOperation filler && filler.TargetMethod.DeclaringSyntaxReferences.Length == 0)
                    {
                        foreach (var argument in filler.Arguments)
                        {
                            var type = (argument.Value is IConversionOperation conversion ? conversion.Operand : argument.Value).Type;
                            if (type is not null && polly.RetryOptionsResult(type) is not null)
                            {
                                index._opaqueSinks.Add(type);
                            }
                        }
                    }

                    continue;
                }

                if (simple.Parent is not MemberAccessExpressionSyntax member || member.Name != simple ||
                    member.Parent is not AssignmentExpressionSyntax assignment || assignment.Left != member ||
                    !assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) ||
                    !PropertyNames.Contains(member.Name.Identifier.ValueText))
                {
                    continue;
                }

#pragma warning disable RS1030 // One pass over the compilation's trees, cached for the compilation: no other way to see writes elsewhere.
                model ??= compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
                if (model.GetOperation(assignment, cancellationToken) is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation target } &&
                    polly.RetryOptionsResult(target.Property.ContainingType) is not null)
                {
                    index._writes.Add(new Write(target.Property.Name, target.Instance?.Type, assignment));
                }
            }
        }

        return index;
    }

    private static string[] Concat(HashSet<string> first, HashSet<string> second)
    {
        var all = new List<string>(first);
        all.AddRange(second);
        return all.ToArray();
    }

    /// <summary>The call <paramref name="name"/> names when it is the called name of <c>x.Bind(…)</c> or <c>Bind(…)</c>.</summary>
    private static InvocationExpressionSyntax? OpaqueFillerCall(SimpleNameSyntax name)
    {
        if (!OpaqueFillers.Contains(name.Identifier.ValueText))
        {
            return null;
        }

        return name.Parent switch
        {
            MemberAccessExpressionSyntax member when member.Name == name && member.Parent is InvocationExpressionSyntax call && call.Expression == member => call,
            InvocationExpressionSyntax call when name is IdentifierNameSyntax && call.Expression == name => call,
            _ => null,
        };
    }

    /// <summary>
    /// True when <paramref name="property"/> is assigned somewhere, through a receiver that may hold an object of
    /// <paramref name="optionsType"/>, other than at one of <paramref name="own"/>.
    /// </summary>
    public bool IsWrittenElsewhere(string property, ITypeSymbol optionsType, ICollection<SyntaxNode> own)
    {
        foreach (var write in _writes)
        {
            if (write.Property != property || own.Contains(write.Node))
            {
                continue;
            }

            if (write.Receiver is null || SameOrDerives(optionsType, write.Receiver) || SameOrDerives(write.Receiver, optionsType))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An object that may hold <paramref name="optionsType"/> is handed to a configuration binder or a serializer somewhere.</summary>
    public bool HasOpaqueSink(ITypeSymbol optionsType)
    {
        foreach (var sink in _opaqueSinks)
        {
            if (SameOrDerives(optionsType, sink) || SameOrDerives(sink, optionsType))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Compared by definition: a receiver typed RetryStrategyOptions&lt;object&gt; may be any options.</summary>
    private static bool SameOrDerives(ITypeSymbol type, ITypeSymbol other)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, other.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }
}
