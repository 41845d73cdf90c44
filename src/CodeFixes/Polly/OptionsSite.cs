using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace RetryGuard.CodeFixes.Polly;

/// <summary>
/// One Polly v8 <c>RetryStrategyOptions</c> / MEHR <c>HttpRetryStrategyOptions</c> object as the fixes see it: its
/// creation (when in view) and the property writes that set it up — in its object initializer, as statements on the
/// local that holds it, or as <c>o.Retry.X = ...</c> in a standard resilience handler's configure lambda.
/// </summary>
internal sealed class OptionsSite
{
    private OptionsSite(bool isHttp, ITypeSymbol? resultType, BaseObjectCreationExpressionSyntax? creation, List<Write> writes)
    {
        IsHttp = isHttp;
        ResultType = resultType;
        Creation = creation;
        Writes = writes;
    }

    /// <summary>Microsoft.Extensions.Http.Resilience's <c>HttpRetryStrategyOptions</c> (jitter and Retry-After on by default).</summary>
    public bool IsHttp { get; }

    /// <summary>The <c>TResult</c> of the options (null for the non-generic <c>RetryStrategyOptions</c>).</summary>
    public ITypeSymbol? ResultType { get; }

    public BaseObjectCreationExpressionSyntax? Creation { get; }

    public List<Write> Writes { get; }

    /// <summary>One <c>Property = value</c> of the options object.</summary>
    internal sealed class Write
    {
        public Write(string name, AssignmentExpressionSyntax assignment, bool inInitializer, bool direct)
        {
            Name = name;
            Assignment = assignment;
            InInitializer = inInitializer;
            Direct = direct;
        }

        public string Name { get; }

        public AssignmentExpressionSyntax Assignment { get; }

        public bool InInitializer { get; }

        /// <summary>Always runs: in the initializer, or a statement directly in the block that owns the options.</summary>
        public bool Direct { get; }
    }

    public IEnumerable<Write> Of(string name) => Writes.Where(w => w.Name == name);

    /// <summary>The options object that <paramref name="node"/> (a creation, or a property write) belongs to.</summary>
    public static OptionsSite? Find(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
    {
        for (var current = node; current is not null && current is not MemberDeclarationSyntax; current = current.Parent)
        {
            switch (current)
            {
                case BaseObjectCreationExpressionSyntax creation when IsOptions(model.GetTypeInfo(creation, cancellationToken).Type, out _, out _):
                    return FromCreation(creation, model, cancellationToken);
                case AssignmentExpressionSyntax { Left: MemberAccessExpressionSyntax member }
                    when IsOptions(model.GetTypeInfo(member.Expression, cancellationToken).Type, out _, out _):
                    return FromReceiver(member.Expression, model, cancellationToken);
                case StatementSyntax when current != node && current.Parent is BlockSyntax:
                    // A statement of a larger body: the options are not above it.
                    return null;
            }
        }

        return null;
    }

    private static bool IsOptions(ITypeSymbol? type, out bool isHttp, out ITypeSymbol? resultType)
    {
        isHttp = false;
        resultType = null;
        if (type is not INamedTypeSymbol named)
        {
            return false;
        }

        string name = named.OriginalDefinition.ToDisplayString();
        switch (name)
        {
            case "Microsoft.Extensions.Http.Resilience.HttpRetryStrategyOptions":
                isHttp = true;
                resultType = named.BaseType?.TypeArguments.FirstOrDefault();
                return true;
            case "Polly.Retry.RetryStrategyOptions<TResult>":
                resultType = named.TypeArguments[0];
                return true;
            case "Polly.Retry.RetryStrategyOptions":
                return true;
            default:
                return false;
        }
    }

    private static OptionsSite FromCreation(BaseObjectCreationExpressionSyntax creation, SemanticModel model, CancellationToken cancellationToken)
    {
        IsOptions(model.GetTypeInfo(creation, cancellationToken).Type, out bool isHttp, out var resultType);
        var writes = InitializerWrites(creation);
        var holder = creation.Parent;
        while (holder is ParenthesizedExpressionSyntax)
        {
            holder = holder.Parent;
        }

        ILocalSymbol? local = null;
        SyntaxNode? statement = null;
        if (holder is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator })
        {
            local = model.GetDeclaredSymbol(declarator, cancellationToken) as ILocalSymbol;
            statement = declarator.FirstAncestorOrSelf<LocalDeclarationStatementSyntax>();
        }
        else if (holder is AssignmentExpressionSyntax { Left: IdentifierNameSyntax target, Parent: ExpressionStatementSyntax assignmentStatement })
        {
            local = model.GetSymbolInfo(target, cancellationToken).Symbol as ILocalSymbol;
            statement = assignmentStatement;
        }

        if (local is not null && statement?.Parent is BlockSyntax block)
        {
            CollectLocalWrites(block, local, model, writes, cancellationToken);
        }

        return new OptionsSite(isHttp, resultType, creation, writes);
    }

    private static OptionsSite? FromReceiver(ExpressionSyntax receiver, SemanticModel model, CancellationToken cancellationToken)
    {
        IsOptions(model.GetTypeInfo(receiver, cancellationToken).Type, out bool isHttp, out var resultType);
        var symbol = model.GetSymbolInfo(receiver, cancellationToken).Symbol;
        if (symbol is ILocalSymbol local)
        {
            foreach (var reference in local.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is VariableDeclaratorSyntax { Initializer.Value: { } value } &&
                    Unparenthesize(value) is BaseObjectCreationExpressionSyntax creation)
                {
                    return FromCreation(creation, model, cancellationToken);
                }
            }

            // A local given its options some other way: only its writes in its own block are known.
            var declaration = local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
            if (declaration?.FirstAncestorOrSelf<LocalDeclarationStatementSyntax>()?.Parent is BlockSyntax block)
            {
                var writes = new List<Write>();
                CollectLocalWrites(block, local, model, writes, cancellationToken);
                return new OptionsSite(isHttp, resultType, null, writes);
            }

            return null;
        }

        // o.Retry in AddStandardResilienceHandler(o => ...).
        if (receiver is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Retry", Expression: IdentifierNameSyntax options } &&
            model.GetSymbolInfo(options, cancellationToken).Symbol is IParameterSymbol parameter &&
            options.FirstAncestorOrSelf<LambdaExpressionSyntax>() is { } lambda &&
            SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(LambdaParameter(lambda), cancellationToken), parameter))
        {
            var writes = new List<Write>();
            foreach (var assignment in lambda.Body.DescendantNodesAndSelf().OfType<AssignmentExpressionSyntax>())
            {
                if (assignment.Left is MemberAccessExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Retry", Expression: IdentifierNameSyntax owner } } property &&
                    SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(owner, cancellationToken).Symbol, parameter))
                {
                    bool direct = assignment.Parent == lambda ||
                                  (assignment.Parent is ExpressionStatementSyntax { Parent: BlockSyntax body } && body == lambda.Body);
                    writes.Add(new Write(property.Name.Identifier.ValueText, assignment, inInitializer: false, direct));
                }
            }

            return new OptionsSite(isHttp: true, resultType, null, writes);
        }

        return null;
    }

    private static ParameterSyntax LambdaParameter(LambdaExpressionSyntax lambda) => lambda switch
    {
        SimpleLambdaExpressionSyntax simple => simple.Parameter,
        ParenthesizedLambdaExpressionSyntax parenthesized => parenthesized.ParameterList.Parameters.FirstOrDefault() ?? SyntaxFactory.Parameter(SyntaxFactory.Identifier("_")),
        _ => SyntaxFactory.Parameter(SyntaxFactory.Identifier("_")),
    };

    private static List<Write> InitializerWrites(BaseObjectCreationExpressionSyntax creation)
    {
        var writes = new List<Write>();
        if (creation.Initializer is { } initializer)
        {
            foreach (var expression in initializer.Expressions)
            {
                if (expression is AssignmentExpressionSyntax { Left: IdentifierNameSyntax name } assignment)
                {
                    writes.Add(new Write(name.Identifier.ValueText, assignment, inInitializer: true, direct: true));
                }
            }
        }

        return writes;
    }

    private static void CollectLocalWrites(BlockSyntax block, ILocalSymbol local, SemanticModel model, List<Write> writes, CancellationToken cancellationToken)
    {
        foreach (var assignment in block.DescendantNodes().OfType<AssignmentExpressionSyntax>())
        {
            if (assignment.Left is MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax owner } property &&
                owner.Identifier.ValueText == local.Name &&
                SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(owner, cancellationToken).Symbol, local))
            {
                bool direct = assignment.Parent is ExpressionStatementSyntax { Parent: BlockSyntax owning } && owning == block;
                writes.Add(new Write(property.Name.Identifier.ValueText, assignment, inInitializer: false, direct));
            }
        }
    }

    private static ExpressionSyntax Unparenthesize(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression;
    }

    /// <summary>
    /// Gives the property <paramref name="value"/>: every write of it is changed (all must always run), or the
    /// creation's initializer gets it. False when neither can be done safely.
    /// </summary>
    public bool CanSet(string name) =>
        Of(name).Any() ? Of(name).All(w => w.Direct) : Creation is not null;

    public void Set(DocumentEditor editor, string name, ExpressionSyntax value)
    {
        var writes = Of(name).ToList();
        if (writes.Count > 0)
        {
            foreach (var write in writes)
            {
                editor.ReplaceNode(write.Assignment.Right, value.WithTriviaFrom(write.Assignment.Right));
            }

            return;
        }

        if (Creation is { } creation)
        {
            editor.ReplaceNode(creation, (current, _) => PollySyntax.WithMember((BaseObjectCreationExpressionSyntax)current, PollySyntax.Assignment(name, value)));
        }
    }

    /// <summary>
    /// Takes a write away so that the default applies: an initializer member or a statement of its own is removed;
    /// anything else (an expression-bodied lambda) gets <paramref name="defaultValue"/> instead.
    /// </summary>
    public static void Restore(DocumentEditor editor, Write write, ExpressionSyntax defaultValue)
    {
        if (write.InInitializer && write.Assignment.Parent is InitializerExpressionSyntax initializer)
        {
            editor.ReplaceNode(initializer, (current, _) =>
            {
                var updated = (InitializerExpressionSyntax)current;
                var member = updated.Expressions.FirstOrDefault(e => e.IsEquivalentTo(write.Assignment)) ?? write.Assignment;
                return PollySyntax.RemoveMember(updated, member);
            });
            return;
        }

        if (write.Assignment.Parent is ExpressionStatementSyntax { Parent: BlockSyntax } statement)
        {
            editor.RemoveNode(statement, SyntaxRemoveOptions.KeepNoTrivia);
            return;
        }

        editor.ReplaceNode(write.Assignment.Right, defaultValue.WithTriviaFrom(write.Assignment.Right));
    }

    public static ExpressionSyntax True => SyntaxFactory.LiteralExpression(SyntaxKind.TrueLiteralExpression);
}
