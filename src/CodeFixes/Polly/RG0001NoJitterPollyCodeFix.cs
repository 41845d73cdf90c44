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
/// RG0001 on Polly and Microsoft.Extensions.Http.Resilience:
/// <list type="bullet">
/// <item>v8 <c>RetryStrategyOptions</c>: <c>UseJitter = true</c> (the <c>false</c> replaced, or the setting added to the
/// object initializer); MEHR <c>HttpRetryStrategyOptions</c>, which jitters by default: <c>UseJitter = false</c>
/// removed;</item>
/// <item>Polly.Contrib.WaitAndRetry's <c>Backoff.ExponentialBackoff</c> → <c>Backoff.DecorrelatedJitterBackoffV2</c>; a
/// fixed <c>seed</c> of a jitter helper removed;</item>
/// <item>a v7 sleep-duration provider: an exponential one becomes <c>Backoff.DecorrelatedJitterBackoffV2</c> when
/// Polly.Contrib.WaitAndRetry is referenced; otherwise (or when it is capped or not exponential) each returned delay
/// is wrapped in RetryGuard's <c>Backoff.WithJitter(...)</c>, as is a v8 <c>DelayGenerator</c>'s.</item>
/// </list>
/// Fixed <c>TimeSpan[]</c> durations and the constant / linear Contrib helpers get no fix.
/// </summary>
public sealed class RG0001NoJitterPollyCodeFix : DocumentBatchFix
{
    public const string EquivalenceKey = RG0001NoJitterCodeFix.EquivalenceKey;

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleCatalog.RG0001NoJitter.Id);

    protected override string FixKey => EquivalenceKey;

    private enum Kind
    {
        UseJitter,
        RestoreJitter,
        ContribExponential,
        ContribSeed,
        ProviderToContrib,
        WrapReturns,
        WrapMethodGroup,
    }

    private sealed class Plan
    {
        public Plan(Kind kind, SyntaxNode node, string title)
        {
            Kind = kind;
            Node = node;
            Title = title;
        }

        public Kind Kind { get; }

        public SyntaxNode Node { get; }

        public string Title { get; }

        public OptionsSite? Site { get; init; }

        public List<ExpressionSyntax> Returns { get; init; } = new();

        public ExpressionSyntax? Median { get; init; }

        public ArgumentSyntax? RetryCount { get; init; }

        public IMethodSymbol? Target { get; init; }
    }

    protected override string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        PlanFor(root, model, diagnostic, cancellationToken)?.Title;

    protected override async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var names = RuntimeNames.For(editor.SemanticModel, editor.OriginalRoot, cancellationToken);
        var done = new HashSet<SyntaxNode>();
        foreach (var diagnostic in diagnostics)
        {
            if (PlanFor(editor.OriginalRoot, editor.SemanticModel, diagnostic, cancellationToken) is not { } plan || !done.Add(plan.Node))
            {
                continue;
            }

            Apply(editor, plan, names);
        }

        return await ImportAdder.AddImportsAsync(editor.GetChangedDocument(), Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    private static Plan? PlanFor(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var node = PollySyntax.NodeOf(root, diagnostic);
        if (node is null)
        {
            return null;
        }

        if (node is ArgumentSyntax argument)
        {
            node = argument.Expression;
        }

        // A v8 DelayGenerator or a v7 provider lambda.
        if (node is LambdaExpressionSyntax lambda)
        {
            return LambdaPlan(lambda, model, cancellationToken);
        }

        if (node is InvocationExpressionSyntax call &&
            model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol method &&
            method.ContainingType?.ToDisplayString() == PollySyntax.ContribBackoffMetadataName)
        {
            return ContribPlan(call, method, model, cancellationToken);
        }

        if (node is IdentifierNameSyntax or MemberAccessExpressionSyntax &&
            model.GetSymbolInfo(node, cancellationToken).CandidateSymbols.IsEmpty &&
            model.GetSymbolInfo(node, cancellationToken).Symbol is IMethodSymbol group &&
            model.GetTypeInfo(node, cancellationToken).ConvertedType is INamedTypeSymbol { DelegateInvokeMethod: { Parameters.Length: 1 } invoke } &&
            invoke.Parameters[0].Type.SpecialType == SpecialType.System_Int32 &&
            IsTimeSpan(invoke.ReturnType) && group.Parameters.Length == 1 &&
            PollySyntax.InvocationOf((ExpressionSyntax)node, out _) is { } owner &&
            PollySyntax.IsPollyMember(model.GetSymbolInfo(owner, cancellationToken).Symbol))
        {
            return new Plan(Kind.WrapMethodGroup, node, "Add jitter (Backoff.WithJitter)");
        }

        // The fixed fallback of a provider or generator that reads Retry-After (`ra ?? TimeSpan.FromSeconds(2)`).
        if (node is ExpressionSyntax fallback && IsTimeSpan(model.GetTypeInfo(fallback, cancellationToken).Type) &&
            fallback.FirstAncestorOrSelf<LambdaExpressionSyntax>() is { } function &&
            (PollySyntax.IsDelayGenerator(function) ||
             (PollySyntax.InvocationOf(function, out _) is { } retry && PollySyntax.IsPollyMember(model.GetSymbolInfo(retry, cancellationToken).Symbol))))
        {
            return new Plan(Kind.WrapReturns, fallback, "Add jitter (Backoff.WithJitter)") { Returns = new List<ExpressionSyntax> { fallback } };
        }

        var site = OptionsSite.Find(node, model, cancellationToken);
        if (site is null || !site.CanSet("UseJitter") ||
            site.Of("UseJitter").Any(w => PollySyntax.Constant(model, w.Assignment.Right, cancellationToken) is not false))
        {
            return null;
        }

        // MEHR jitters by default: the switch-off is taken away rather than turned over.
        var off = site.Of("UseJitter").ToList();
        if (site.IsHttp && off.Count > 0)
        {
            return new Plan(Kind.RestoreJitter, off[0].Assignment, "Turn on jitter (the default of HttpRetryStrategyOptions)") { Site = site };
        }

        return new Plan(Kind.UseJitter, site.Creation ?? (SyntaxNode)off.FirstOrDefault()?.Assignment!, "Turn on jitter (UseJitter = true)") { Site = site };
    }

    private static bool IsTimeSpan(ITypeSymbol? type) => type?.ToDisplayString() == "System.TimeSpan";

    /// <summary>A provider or generator lambda passed to Polly (v7 <c>WaitAndRetry*</c>, v8 <c>DelayGenerator = ...</c>).</summary>
    private static Plan? LambdaPlan(LambdaExpressionSyntax lambda, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetSymbolInfo(lambda, cancellationToken).Symbol is not IMethodSymbol function)
        {
            return null;
        }

        bool generator = PollySyntax.IsDelayGenerator(lambda);
        var owner = PollySyntax.InvocationOf(lambda, out var argument);
        if (!generator && (owner is null || !PollySyntax.IsPollyMember(model.GetSymbolInfo(owner, cancellationToken).Symbol)))
        {
            return null;
        }

        // What the lambda returns, and for a generator the TimeSpan inside its ValueTask.
        var returns = new List<ExpressionSyntax>();
        foreach (var value in PollySyntax.ReturnedValues(lambda))
        {
            var inner = generator ? PollySyntax.InsideValueTask(value, model, cancellationToken) : value;
            if (inner is null || !IsTimeSpan(model.GetTypeInfo(inner, cancellationToken).Type))
            {
                return null;
            }

            returns.Add(inner);
        }

        if (returns.Count == 0)
        {
            return null;
        }

        if (!generator && owner is not null && argument is not null && ContribProviderPlan(lambda, function, owner, argument, returns, model, cancellationToken) is { } contrib)
        {
            return contrib;
        }

        return new Plan(Kind.WrapReturns, lambda, "Add jitter (Backoff.WithJitter)") { Returns = returns };
    }

    /// <summary>
    /// <c>WaitAndRetryAsync(n, attempt =&gt; TimeSpan.FromSeconds(Math.Pow(2, attempt)))</c> with Polly.Contrib.WaitAndRetry
    /// referenced: <c>WaitAndRetryAsync(Backoff.DecorrelatedJitterBackoffV2(TimeSpan.FromSeconds(Math.Pow(2, 1)), n))</c>,
    /// the median first delay being the provider's first delay. Only an uncapped exponential of the attempt, and only
    /// where the durations overload takes the same other arguments.
    /// </summary>
    private static Plan? ContribProviderPlan(
        LambdaExpressionSyntax lambda,
        IMethodSymbol function,
        InvocationExpressionSyntax owner,
        ArgumentSyntax argument,
        List<ExpressionSyntax> returns,
        SemanticModel model,
        CancellationToken cancellationToken)
    {
        if (model.Compilation.GetTypeByMetadataName(PollySyntax.ContribBackoffMetadataName) is null ||
            lambda is not SimpleLambdaExpressionSyntax { ExpressionBody: { } body } simple || function.Parameters.Length != 1 ||
            function.Parameters[0].Type.SpecialType != SpecialType.System_Int32 ||
            model.GetSymbolInfo(owner, cancellationToken).Symbol is not IMethodSymbol retry ||
            !IsExponentialOf(body, simple.Parameter.Identifier.ValueText, model, cancellationToken))
        {
            return null;
        }

        // The retry count argument (before the provider) goes into the Contrib call.
        ArgumentSyntax? count = null;
        foreach (var other in owner.ArgumentList.Arguments)
        {
            if (ParameterOf(retry, owner, other)?.Name == "retryCount")
            {
                count = other;
            }
        }

        if (count is null || ParameterOf(retry, owner, argument)?.Name != "sleepDurationProvider" ||
            owner.ArgumentList.Arguments.Any(a => a != count && a != argument && a.NameColon is not null))
        {
            return null;
        }

        // x => E(x): the median first delay is E(1).
        string parameter = simple.Parameter.Identifier.ValueText;
        var median = body.ReplaceNodes(
            body.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Where(i => i.Identifier.ValueText == parameter),
            (_, _) => SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(1)));

        // The same call with the durations overload must bind.
        var contrib = SyntaxFactory.ParseExpression("global::Polly.Contrib.WaitAndRetry.Backoff.DecorrelatedJitterBackoffV2(global::System.TimeSpan.Zero, 1)");
        var speculative = owner.WithArgumentList(owner.ArgumentList.WithArguments(
            SyntaxFactory.SeparatedList(owner.ArgumentList.Arguments.Where(a => a != count).Select(a => a == argument ? a.WithExpression(contrib) : a))));
        if (model.GetSpeculativeSymbolInfo(owner.SpanStart, speculative, SpeculativeBindingOption.BindAsExpression).Symbol is not IMethodSymbol bound ||
            !bound.Parameters.Any(p => p.Name == "sleepDurations"))
        {
            return null;
        }

        return new Plan(Kind.ProviderToContrib, owner, "Use Backoff.DecorrelatedJitterBackoffV2 (Polly.Contrib.WaitAndRetry)")
        {
            Returns = returns,
            Median = median,
            RetryCount = count,
        };
    }

    private static IParameterSymbol? ParameterOf(IMethodSymbol method, InvocationExpressionSyntax call, ArgumentSyntax argument)
    {
        if (argument.NameColon is { } name)
        {
            return method.Parameters.FirstOrDefault(p => p.Name == name.Name.Identifier.ValueText);
        }

        int index = call.ArgumentList.Arguments.IndexOf(argument);
        var parameters = method.ReducedFrom is not null ? method.Parameters : method.Parameters;
        return index >= 0 && index < parameters.Length ? parameters[index] : null;
    }

    /// <summary><c>Math.Pow(2, x ...)</c> or a shift by <c>x</c>, with no <c>Math.Min</c> / <c>Clamp</c> cap.</summary>
    private static bool IsExponentialOf(ExpressionSyntax body, string parameter, SemanticModel model, CancellationToken cancellationToken)
    {
        bool exponential = false;
        foreach (var node in body.DescendantNodesAndSelf())
        {
            switch (node)
            {
                case InvocationExpressionSyntax call when model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol { ContainingType.Name: "Math" } math:
                    if (math.Name is "Min" or "Max" or "Clamp")
                    {
                        return false;
                    }

                    if (math.Name == "Pow" && call.ArgumentList.Arguments.Count == 2 &&
                        PollySyntax.Constant(model, call.ArgumentList.Arguments[0].Expression, cancellationToken) is 2 or 2.0 &&
                        call.ArgumentList.Arguments[1].Expression.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(i => i.Identifier.ValueText == parameter))
                    {
                        exponential = true;
                    }

                    break;
                case BinaryExpressionSyntax shift when shift.IsKind(SyntaxKind.LeftShiftExpression) &&
                                                       shift.Right.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(i => i.Identifier.ValueText == parameter):
                    exponential = true;
                    break;
                case ConditionalExpressionSyntax:
                    return false;
            }
        }

        return exponential;
    }

    /// <summary><c>Backoff.ExponentialBackoff(...)</c>, or a jitter helper with a fixed <c>seed</c>.</summary>
    private static Plan? ContribPlan(InvocationExpressionSyntax call, IMethodSymbol method, SemanticModel model, CancellationToken cancellationToken)
    {
        if (call.Expression is not MemberAccessExpressionSyntax)
        {
            return null;
        }

        if (method.Name == "ExponentialBackoff")
        {
            // A factor other than 2 has no counterpart in DecorrelatedJitterBackoffV2.
            foreach (var argument in call.ArgumentList.Arguments)
            {
                if (ParameterOf(method, call, argument)?.Name == "factor" &&
                    PollySyntax.Constant(model, argument.Expression, cancellationToken) is not (2 or 2.0))
                {
                    return null;
                }
            }

            return new Plan(Kind.ContribExponential, call, "Use Backoff.DecorrelatedJitterBackoffV2") { Target = method };
        }

        if (method.Name.IndexOf("Jitter", StringComparison.Ordinal) >= 0 && method.Parameters.Any(p => p.Name == "seed"))
        {
            return new Plan(Kind.ContribSeed, call, "Remove the fixed jitter seed") { Target = method };
        }

        return null;
    }

    private static void Apply(DocumentEditor editor, Plan plan, RuntimeNames names)
    {
        switch (plan.Kind)
        {
            case Kind.UseJitter:
                plan.Site!.Set(editor, "UseJitter", OptionsSite.True);
                break;
            case Kind.RestoreJitter:
                foreach (var write in plan.Site!.Of("UseJitter"))
                {
                    OptionsSite.Restore(editor, write, OptionsSite.True);
                }

                break;
            case Kind.WrapReturns:
                foreach (var value in plan.Returns)
                {
                    editor.ReplaceNode(value, WithJitter(value, names));
                }

                break;
            case Kind.WrapMethodGroup:
            {
                var group = (ExpressionSyntax)plan.Node;
                string parameter = PollySyntax.FreeName(editor.SemanticModel, group.SpanStart, "attempt");
                var call = SyntaxFactory.InvocationExpression(
                    group.WithoutTrivia(),
                    SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(SyntaxFactory.IdentifierName(parameter)))));
                var lambda = SyntaxFactory.SimpleLambdaExpression(SyntaxFactory.Parameter(SyntaxFactory.Identifier(parameter)), WithJitter(call, names))
                    .WithTriviaFrom(group);
                editor.ReplaceNode(group, lambda);
                break;
            }

            case Kind.ProviderToContrib:
            {
                var owner = (InvocationExpressionSyntax)plan.Node;
                var lambda = plan.Returns[0].FirstAncestorOrSelf<LambdaExpressionSyntax>()!;
                var contrib = SyntaxFactory.InvocationExpression(
                    ContribMember("DecorrelatedJitterBackoffV2"),
                    SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(new[]
                    {
                        SyntaxFactory.Argument(plan.Median!.WithoutTrivia())
                            .WithNameColon(SyntaxFactory.NameColon("medianFirstRetryDelay")),
                        SyntaxFactory.Argument(plan.RetryCount!.Expression.WithoutTrivia())
                            .WithNameColon(SyntaxFactory.NameColon("retryCount")),
                    })));
                var arguments = owner.ArgumentList.Arguments;
                var kept = new List<ArgumentSyntax>();
                foreach (var argument in arguments)
                {
                    if (argument == plan.RetryCount)
                    {
                        continue;
                    }

                    kept.Add(argument.Expression == lambda ? argument.WithExpression(contrib.WithTriviaFrom(lambda)) : argument);
                }

                // Keep the original separators' layout by reusing them in order.
                var separators = arguments.GetSeparators().Take(Math.Max(0, kept.Count - 1));
                editor.ReplaceNode(owner.ArgumentList, owner.ArgumentList.WithArguments(SyntaxFactory.SeparatedList(kept, separators)));
                break;
            }

            case Kind.ContribExponential:
            case Kind.ContribSeed:
                editor.ReplaceNode(plan.Node, RewriteContrib((InvocationExpressionSyntax)plan.Node, plan.Target!, plan.Kind == Kind.ContribExponential));
                break;
        }
    }

    /// <summary>
    /// <c>ExponentialBackoff(initialDelay, retryCount, factor, fastFirst)</c> → <c>DecorrelatedJitterBackoffV2(medianFirstRetryDelay,
    /// retryCount, fastFirst: ...)</c>; a jitter helper loses its <c>seed</c>. Arguments after a dropped one are named.
    /// </summary>
    private static InvocationExpressionSyntax RewriteContrib(InvocationExpressionSyntax call, IMethodSymbol method, bool exponential)
    {
        var kept = new List<ArgumentSyntax>();
        bool dropped = false;
        foreach (var argument in call.ArgumentList.Arguments)
        {
            var parameter = ParameterOf(method, call, argument);
            string name = parameter?.Name ?? string.Empty;
            if (name == (exponential ? "factor" : "seed"))
            {
                dropped = true;
                continue;
            }

            var updated = argument;
            if (exponential && name == "initialDelay")
            {
                name = "medianFirstRetryDelay";
                if (argument.NameColon is not null)
                {
                    updated = argument.WithNameColon(argument.NameColon.WithName(SyntaxFactory.IdentifierName(name).WithTriviaFrom(argument.NameColon.Name)));
                }
            }

            if (dropped && updated.NameColon is null)
            {
                updated = updated.WithNameColon(SyntaxFactory.NameColon(name)).WithTriviaFrom(argument);
                updated = updated.WithExpression(updated.Expression.WithoutLeadingTrivia());
            }

            kept.Add(updated);
        }

        var separators = call.ArgumentList.Arguments.GetSeparators().Take(Math.Max(0, kept.Count - 1));
        var rewritten = call.WithArgumentList(call.ArgumentList.WithArguments(SyntaxFactory.SeparatedList(kept, separators)));
        if (exponential && rewritten.Expression is MemberAccessExpressionSyntax member)
        {
            rewritten = rewritten.WithExpression(member.WithName(SyntaxFactory.IdentifierName("DecorrelatedJitterBackoffV2").WithTriviaFrom(member.Name)));
        }

        return rewritten;
    }

    private static ExpressionSyntax ContribMember(string member) =>
        SyntaxFactory.MemberAccessExpression(
                SyntaxKind.SimpleMemberAccessExpression,
                SyntaxFactory.ParseName("global::Polly.Contrib.WaitAndRetry.Backoff").WithAdditionalAnnotations(Simplifier.Annotation),
                SyntaxFactory.IdentifierName(member))
            .WithAdditionalAnnotations(Simplifier.Annotation);

    private static ExpressionSyntax WithJitter(ExpressionSyntax delay, RuntimeNames names) =>
        SyntaxFactory.InvocationExpression(
                names.Member("Backoff", "WithJitter"),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(delay.WithoutTrivia()))))
            .WithTriviaFrom(delay);
}
