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
using Microsoft.CodeAnalysis.Formatting;
using RetryGuard.Analyzers;

namespace RetryGuard.CodeFixes.Polly;

/// <summary>
/// RG0005 on Polly: a v7 <c>*Forever*</c> policy becomes its bounded overload (<c>WaitAndRetryForeverAsync(p, onRetry)</c> →
/// <c>WaitAndRetryAsync(MaxRetries, p, onRetry)</c>, an <c>onRetry</c> lambda's attempt and delay parameters put in the
/// bounded overload's order); a retry count or v8 <c>MaxRetryAttempts</c> of <c>int.MaxValue</c> becomes
/// <c>MaxRetries</c>. <c>MaxRetries</c> is a <c>const int</c> (5) added to the containing type. No fix where the
/// bounded overload does not take the same callbacks.
/// </summary>
public sealed class RG0005UnboundedPollyCodeFix : DocumentBatchFix
{
    public const string EquivalenceKey = RG0005UnboundedCodeFix.EquivalenceKey;

    /// <summary>The attempt cap the fix writes in the constant.</summary>
    public const int DefaultMaxRetries = 5;

    private const string ConstantName = "MaxRetries";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleCatalog.RG0005Unbounded.Id);

    protected override string FixKey => EquivalenceKey;

    private sealed class Plan
    {
        public Plan(ExpressionSyntax replaced, TypeDeclarationSyntax type, string title)
        {
            Replaced = replaced;
            Type = type;
            Title = title;
        }

        /// <summary>The <c>int.MaxValue</c> to replace, or the whole <c>*Forever*</c> invocation.</summary>
        public ExpressionSyntax Replaced { get; }

        public TypeDeclarationSyntax Type { get; }

        public string Title { get; }

        /// <summary>For a forever call: the bounded call, with <see cref="CountPlaceholder"/> for the count.</summary>
        public InvocationExpressionSyntax? Bounded { get; init; }
    }

    private const string CountPlaceholder = "__RetryGuardMaxRetries__";

    protected override string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        PlanFor(root, model, diagnostic, cancellationToken)?.Title;

    protected override async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var plans = new List<Plan>();
        foreach (var diagnostic in diagnostics)
        {
            if (PlanFor(editor.OriginalRoot, editor.SemanticModel, diagnostic, cancellationToken) is { } plan &&
                plans.All(p => p.Replaced != plan.Replaced))
            {
                plans.Add(plan);
            }
        }

        foreach (var group in plans.GroupBy(p => p.Type))
        {
            var type = group.Key;
            string name = ConstantFor(type, editor.SemanticModel, group.Select(p => p.Replaced), cancellationToken, out bool exists);
            foreach (var plan in group)
            {
                var count = SyntaxFactory.IdentifierName(name);
                if (plan.Bounded is { } bounded)
                {
                    var placeholder = bounded.DescendantNodes().OfType<IdentifierNameSyntax>().First(i => i.Identifier.ValueText == CountPlaceholder);
                    editor.ReplaceNode(plan.Replaced, bounded.ReplaceNode(placeholder, count.WithTriviaFrom(placeholder)));
                }
                else
                {
                    editor.ReplaceNode(plan.Replaced, count.WithTriviaFrom(plan.Replaced));
                }
            }

            if (!exists)
            {
                var field = SyntaxFactory.FieldDeclaration(
                        SyntaxFactory.VariableDeclaration(
                            SyntaxFactory.PredefinedType(SyntaxFactory.Token(SyntaxKind.IntKeyword)),
                            SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(name).WithInitializer(
                                SyntaxFactory.EqualsValueClause(SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(DefaultMaxRetries)))))))
                    .WithModifiers(SyntaxFactory.TokenList(SyntaxFactory.Token(SyntaxKind.PrivateKeyword), SyntaxFactory.Token(SyntaxKind.ConstKeyword)))
                    .WithAdditionalAnnotations(Formatter.Annotation);
                editor.InsertMembers(type, 0, new SyntaxNode[] { field });
            }
        }

        return editor.GetChangedDocument();
    }

    /// <summary>
    /// <c>MaxRetries</c> when the type has no member of that name (or has it as a <c>const int</c> bound, which is reused),
    /// and no local or parameter of that name hides it where it is used; else a numbered name.
    /// </summary>
    private static string ConstantFor(TypeDeclarationSyntax type, SemanticModel model, IEnumerable<ExpressionSyntax> uses, CancellationToken cancellationToken, out bool exists)
    {
        var symbol = model.GetDeclaredSymbol(type, cancellationToken) as INamedTypeSymbol;
        for (int suffix = 1; suffix < 100; suffix++)
        {
            string name = suffix == 1 ? ConstantName : ConstantName + suffix;
            var members = symbol?.GetMembers(name) ?? ImmutableArray<ISymbol>.Empty;
            // Reused only when it is a real bound: a MaxRetries of int.MaxValue would leave the retry unbounded.
            bool reusable = members.Length == 1 &&
                members[0] is IFieldSymbol { IsConst: true, Type.SpecialType: SpecialType.System_Int32, ConstantValue: int value } &&
                value is > 0 and < int.MaxValue;
            if (!members.IsEmpty && !reusable)
            {
                continue;
            }

            bool hidden = uses.Any(use => model.LookupSymbols(use.SpanStart, name: name).Any(s => s is ILocalSymbol or IParameterSymbol or IRangeVariableSymbol));
            if (hidden)
            {
                continue;
            }

            exists = reusable;
            return name;
        }

        exists = false;
        return ConstantName + "_";
    }

    private static Plan? PlanFor(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var node = PollySyntax.NodeOf(root, diagnostic);
        if (node is ArgumentSyntax argument)
        {
            node = argument.Expression;
        }

        if (node is null || PollySyntax.ContainingType(node) is not { } type)
        {
            return null;
        }

        // WaitAndRetry(int.MaxValue, ...) / MaxRetryAttempts = int.MaxValue.
        if (node is ExpressionSyntax value && PollySyntax.Constant(model, value, cancellationToken) is int.MaxValue &&
            PollySyntax.InvocationOf(value, out _) is { } owner && PollySyntax.IsPollyMember(model.GetSymbolInfo(owner, cancellationToken).Symbol))
        {
            return new Plan(value, type, "Bound the retries (MaxRetries)");
        }

        if (node is AssignmentExpressionSyntax { Left: var left, Right: var right } &&
            (left as IdentifierNameSyntax ?? (left as MemberAccessExpressionSyntax)?.Name)?.Identifier.ValueText == "MaxRetryAttempts" &&
            PollySyntax.Constant(model, right, cancellationToken) is int.MaxValue)
        {
            return new Plan(right, type, "Bound the retries (MaxRetries)");
        }

        // builder.WaitAndRetryForeverAsync(...): the name is reported.
        if (node is SimpleNameSyntax { Parent: MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax call } member } name &&
            member.Name == name && name.Identifier.ValueText.IndexOf("Forever", StringComparison.Ordinal) >= 0)
        {
            return ForeverPlan(call, member, type, model, cancellationToken);
        }

        return null;
    }

    private static Plan? ForeverPlan(InvocationExpressionSyntax call, MemberAccessExpressionSyntax member, TypeDeclarationSyntax type, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetSymbolInfo(call, cancellationToken).Symbol is not IMethodSymbol { ReducedFrom: not null } forever || !PollySyntax.IsPollyMember(forever) ||
            member.Name is GenericNameSyntax)
        {
            return null;
        }

        var original = forever.ReducedFrom ?? forever;
        string boundedName = original.Name.Replace("Forever", string.Empty);
        foreach (var candidate in original.ContainingType.GetMembers(boundedName).OfType<IMethodSymbol>())
        {
            if (Match(original, candidate, call, forever) is not { } arguments)
            {
                continue;
            }

            var bounded = call
                .WithExpression(member.WithName(SyntaxFactory.IdentifierName(boundedName).WithTriviaFrom(member.Name)))
                .WithArgumentList(call.ArgumentList.WithArguments(arguments));

            // The rewritten call must bind to the bounded overload it was built for.
            var probe = bounded.ReplaceNode(
                bounded.DescendantNodes().OfType<IdentifierNameSyntax>().First(i => i.Identifier.ValueText == CountPlaceholder),
                SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(DefaultMaxRetries)));
            var bound = model.GetSpeculativeSymbolInfo(call.SpanStart, probe, SpeculativeBindingOption.BindAsExpression).Symbol as IMethodSymbol;
            if (bound is null || !SymbolEqualityComparer.Default.Equals((bound.ReducedFrom ?? bound).OriginalDefinition, candidate.OriginalDefinition))
            {
                continue;
            }

            return new Plan(call, type, "Bound the retries (" + boundedName + "(MaxRetries, ...))") { Bounded = bounded };
        }

        return null;
    }

    /// <summary>
    /// The bounded call's arguments: the count first, then the forever call's arguments, each delegate of the same
    /// shape (a lambda whose parameters are reordered where the bounded overload orders them differently).
    /// Null when <paramref name="candidate"/> is not the bounded counterpart.
    /// </summary>
    private static SeparatedSyntaxList<ArgumentSyntax>? Match(IMethodSymbol original, IMethodSymbol candidate, InvocationExpressionSyntax call, IMethodSymbol reduced)
    {
        var from = original.Parameters;
        var to = candidate.Parameters;
        if (to.Length != from.Length + 1 || to.Length < 2 || to[1].Name != "retryCount" || to[1].Type.SpecialType != SpecialType.System_Int32 ||
            from.Length < 1 || to[0].Type.OriginalDefinition.ToDisplayString() != from[0].Type.OriginalDefinition.ToDisplayString())
        {
            return null;
        }

        var permutations = new Dictionary<int, int[]>();
        for (int i = 1; i < from.Length; i++)
        {
            if (Permutation(from[i].Type, to[i + 1].Type) is not { } order)
            {
                return null;
            }

            permutations[i] = order;
        }

        // The call's arguments are the reduced method's parameters 0..n-2 (the original's 1..n-1).
        var arguments = new List<ArgumentSyntax>();
        var count = SyntaxFactory.Argument(SyntaxFactory.IdentifierName(CountPlaceholder));
        bool named = call.ArgumentList.Arguments.Any(a => a.NameColon is not null);
        arguments.Add(named ? count.WithNameColon(SyntaxFactory.NameColon("retryCount")) : count);
        foreach (var argument in call.ArgumentList.Arguments)
        {
            var parameter = argument.NameColon is { } name
                ? reduced.Parameters.FirstOrDefault(p => p.Name == name.Name.Identifier.ValueText)
                : call.ArgumentList.Arguments.IndexOf(argument) is var index && index < reduced.Parameters.Length ? reduced.Parameters[index] : null;
            if (parameter is null)
            {
                return null;
            }

            int ordinal = parameter.Ordinal + (reduced.ReducedFrom is null ? 0 : 1);
            if (argument.NameColon is not null && to[ordinal + 1].Name != parameter.Name)
            {
                return null;
            }

            var order = permutations[ordinal];
            if (order.Select((target, source) => target == source).All(same => same))
            {
                arguments.Add(argument);
                continue;
            }

            // Only a lambda's parameters can be put in another order.
            if (argument.Expression is not ParenthesizedLambdaExpressionSyntax lambda || lambda.ParameterList.Parameters.Count != order.Length)
            {
                return null;
            }

            var parameters = lambda.ParameterList.Parameters;
            var reordered = new ParameterSyntax[order.Length];
            for (int source = 0; source < order.Length; source++)
            {
                // The parameter keeps its name (and type, when written) and moves to where its type now stands.
                reordered[order[source]] = parameters[source].WithTriviaFrom(parameters[order[source]]);
            }

            var list = lambda.ParameterList.WithParameters(SyntaxFactory.SeparatedList(reordered, parameters.GetSeparators()));
            arguments.Add(argument.WithExpression(lambda.WithParameterList(list)));
        }

        // Arguments on lines of their own (after a line break at the parenthesis): the count gets a line too.
        var lineBreak = call.ArgumentList.OpenParenToken.TrailingTrivia.Where(t => t.IsKind(SyntaxKind.EndOfLineTrivia)).ToList();
        if (lineBreak.Count > 0 && call.ArgumentList.Arguments.Count > 0)
        {
            arguments[0] = arguments[0].WithLeadingTrivia(call.ArgumentList.Arguments[0].GetLeadingTrivia());
        }

        var separators = new List<SyntaxToken>
        {
            SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(lineBreak.Count > 0 ? SyntaxFactory.TriviaList(lineBreak) : SyntaxFactory.TriviaList(SyntaxFactory.Space)),
        };
        separators.AddRange(call.ArgumentList.Arguments.GetSeparators());
        return SyntaxFactory.SeparatedList(arguments, separators.Take(Math.Max(0, arguments.Count - 1)));
    }

    /// <summary>
    /// For two delegate types of the same kind and arity whose parameter types are the same multiset: where each
    /// parameter of <paramref name="from"/> stands in <paramref name="to"/>. Identical non-delegate types: the identity.
    /// </summary>
    private static int[]? Permutation(ITypeSymbol from, ITypeSymbol to)
    {
        if (from is not INamedTypeSymbol { DelegateInvokeMethod: { } fromInvoke } fromDelegate ||
            to is not INamedTypeSymbol { DelegateInvokeMethod: { } toInvoke } toDelegate)
        {
            return from.OriginalDefinition.ToDisplayString() == to.OriginalDefinition.ToDisplayString() ? Array.Empty<int>() : null;
        }

        if (fromDelegate.OriginalDefinition.ToDisplayString() != toDelegate.OriginalDefinition.ToDisplayString() ||
            Display(fromInvoke.ReturnType) != Display(toInvoke.ReturnType))
        {
            return null;
        }

        var fromTypes = fromInvoke.Parameters.Select(p => Display(p.Type)).ToList();
        var toTypes = toInvoke.Parameters.Select(p => Display(p.Type)).ToList();
        var order = new int[fromTypes.Count];
        var used = new bool[toTypes.Count];
        for (int i = 0; i < fromTypes.Count; i++)
        {
            int at = -1;
            for (int j = 0; j < toTypes.Count; j++)
            {
                if (!used[j] && toTypes[j] == fromTypes[i])
                {
                    at = j;
                    break;
                }
            }

            if (at < 0)
            {
                return null;
            }

            used[at] = true;
            order[i] = at;
        }

        return order;
    }

    private static string Display(ITypeSymbol type) => type.OriginalDefinition.ToDisplayString() + "|" + type.ToDisplayString();
}
