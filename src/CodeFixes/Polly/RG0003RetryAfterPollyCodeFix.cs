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
using RetryGuard.Analyzers.Rules;

namespace RetryGuard.CodeFixes.Polly;

/// <summary>
/// RG0003 on Polly and Microsoft.Extensions.Http.Resilience: the wait for a 429 comes from Retry-After, capped.
/// <list type="bullet">
/// <item>v8 <c>RetryStrategyOptions&lt;HttpResponseMessage&gt;</c> without a generator: a <c>DelayGenerator</c> that
/// returns <c>RetryAfter.GetDelay(response)</c> when it is within the cap and null otherwise (Polly then uses its
/// own backoff);</item>
/// <item>a v8 generator that ignores the header, or a v7 sleep-duration provider that receives the outcome: the
/// server's wait first, the existing delay as the fallback;</item>
/// <item>MEHR: <c>ShouldRetryAfterHeader = false</c> / <c>DelayGenerator = null</c> taken away, so the default
/// Retry-After handling is back.</item>
/// </list>
/// No fix for v7 providers without the outcome (the overload that passes it needs a different onRetry), fixed
/// durations, results other than <c>HttpResponseMessage</c>, or retries with no wait at all.
/// </summary>
public sealed class RG0003RetryAfterPollyCodeFix : DocumentBatchFix
{
    public const string EquivalenceKey = RG0003IgnoresRetryAfterCodeFix.EquivalenceKey;

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleCatalog.RG0003IgnoresRetryAfter.Id);

    protected override string FixKey => EquivalenceKey;

    private enum Kind
    {
        AddGenerator,
        RestoreHeader,
        RestoreHeaderWithCap,
        PrependToReturns,
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

        public List<OptionsSite.Write> Restored { get; init; } = new();

        public List<ExpressionSyntax> Returns { get; init; } = new();

        /// <summary>The expression that gives the response: <c>args.Outcome.Result</c>, <c>outcome.Result</c>.</summary>
        public string? Response { get; init; }
    }

    protected override string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        PlanFor(root, model, diagnostic, cancellationToken)?.Title;

    protected override async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var names = RuntimeNames.For(editor.SemanticModel, editor.OriginalRoot, cancellationToken);
        var cap = PollySyntax.MaxRetryAfter(document, editor.OriginalRoot.SyntaxTree);
        var done = new HashSet<SyntaxNode>();
        foreach (var diagnostic in diagnostics)
        {
            if (PlanFor(editor.OriginalRoot, editor.SemanticModel, diagnostic, cancellationToken) is not { } plan || !done.Add(plan.Node))
            {
                continue;
            }

            switch (plan.Kind)
            {
                case Kind.RestoreHeader:
                    foreach (var write in plan.Restored)
                    {
                        OptionsSite.Restore(editor, write, OptionsSite.True);
                    }

                    break;
                case Kind.AddGenerator:
                    plan.Site!.Set(editor, "DelayGenerator", Generator(plan.Site, editor.SemanticModel, cap, names));
                    break;
                case Kind.RestoreHeaderWithCap:
                    foreach (var write in plan.Restored)
                    {
                        OptionsSite.Restore(editor, write, OptionsSite.True);
                    }

                    plan.Site!.Set(editor, "DelayGenerator", Generator(plan.Site, editor.SemanticModel, cap, names));
                    break;
                case Kind.PrependToReturns:
                    var handedOut = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var value in plan.Returns)
                    {
                        var response = SyntaxFactory.ParseExpression(plan.Response!);
                        editor.ReplaceNode(
                            value,
                            PollySyntax.RetryAfterOr(response, value, cap, names, editor.SemanticModel, value.SpanStart, plan.Node, handedOut).WithTriviaFrom(value));
                    }

                    break;
            }
        }

        return await ImportAdder.AddImportsAsync(editor.GetChangedDocument(), Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary><c>args =&gt; new ValueTask&lt;TimeSpan?&gt;(args.Outcome.Result is HttpResponseMessage response &amp;&amp; ... ? retryAfter : null)</c>.</summary>
    private static ExpressionSyntax Generator(OptionsSite site, SemanticModel model, System.TimeSpan cap, RuntimeNames names)
    {
        var anchor = site.Creation ?? (SyntaxNode)site.Writes.First().Assignment;
        string args = PollySyntax.FreeName(model, anchor.SpanStart, "args");
        var response = SyntaxFactory.ParseExpression(args + ".Outcome.Result");
        var none = SyntaxFactory.ParseExpression("(global::System.TimeSpan?)null");
        var value = PollySyntax.RetryAfterOr(response, none, cap, names, model, anchor.SpanStart, scope: null);
        var body = PollySyntax.Parse(
            "new global::System.Threading.Tasks.ValueTask<global::System.TimeSpan?>(__Value__)",
            names,
            new Dictionary<string, ExpressionSyntax> { ["__Value__"] = value });
        return SyntaxFactory.SimpleLambdaExpression(SyntaxFactory.Parameter(SyntaxFactory.Identifier(args)), body)
            .WithAdditionalAnnotations(Simplifier.Annotation);
    }

    private static Plan? PlanFor(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var node = PollySyntax.NodeOf(root, diagnostic);
        if (node is ArgumentSyntax argument)
        {
            node = argument.Expression;
        }

        if (node is null)
        {
            return null;
        }

        if (node is LambdaExpressionSyntax lambda)
        {
            return LambdaPlan(lambda, model, cancellationToken);
        }

        var site = OptionsSite.Find(node, model, cancellationToken);
        if (site is null)
        {
            return null;
        }

        var generators = site.Of("DelayGenerator").ToList();
        bool generatorsAreNull = generators.All(w => w.Direct && IsNull(model, w.Assignment.Right, cancellationToken));
        if (site.IsHttp)
        {
            // MEHR honours Retry-After unless told not to: take the switch-off away.
            var off = site.Of("ShouldRetryAfterHeader").ToList();
            if (!generatorsAreNull || off.Any(w => !w.Direct || PollySyntax.Constant(model, w.Assignment.Right, cancellationToken) is not false))
            {
                return null;
            }

            off.AddRange(generators);
            if (off.Count == 0)
            {
                return null;
            }

            // Nothing would end MEHR's own wait (a standalone pipeline, no outer timeout): the switch-off goes and a
            // generator that caps the server's wait takes the place of MEHR's.
            if (diagnostic.Properties.ContainsKey(HandWrittenFixProperties.LibraryRetryAfterUnbounded))
            {
                return site.CanSet("DelayGenerator") && generators.Count == 0
                    ? new Plan(Kind.RestoreHeaderWithCap, off[0].Assignment, "Take the delay from Retry-After, capped (DelayGenerator)") { Restored = off, Site = site }
                    : null;
            }

            return new Plan(Kind.RestoreHeader, off[0].Assignment, "Honour Retry-After (the default of HttpRetryStrategyOptions)") { Restored = off };
        }

        if (!generatorsAreNull || !site.CanSet("DelayGenerator") || !IsResponse(site.ResultType))
        {
            return null;
        }

        return new Plan(Kind.AddGenerator, site.Creation ?? (SyntaxNode)generators[0].Assignment, "Take the delay from Retry-After (DelayGenerator)") { Site = site };
    }

    private static bool IsNull(SemanticModel model, ExpressionSyntax value, CancellationToken cancellationToken) =>
        value.IsKind(SyntaxKind.NullLiteralExpression) || value.IsKind(SyntaxKind.DefaultLiteralExpression) ||
        (model.GetConstantValue(value, cancellationToken) is { HasValue: true, Value: null });

    private static bool IsResponse(ITypeSymbol? type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.ToDisplayString() == "System.Net.Http.HttpResponseMessage")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A v8 generator over HttpResponseMessage, or a v7 provider that is given the outcome.</summary>
    private static Plan? LambdaPlan(LambdaExpressionSyntax lambda, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetSymbolInfo(lambda, cancellationToken).Symbol is not IMethodSymbol function)
        {
            return null;
        }

        bool generator = PollySyntax.IsDelayGenerator(lambda);
        string? response = null;
        if (generator)
        {
            // RetryDelayGeneratorArguments<HttpResponseMessage> args.
            if (function.Parameters.Length == 1 && function.Parameters[0].Type is INamedTypeSymbol { TypeArguments.Length: 1 } arguments &&
                arguments.Name == "RetryDelayGeneratorArguments" && IsResponse(arguments.TypeArguments[0]) && Named(function.Parameters[0]))
            {
                response = function.Parameters[0].Name + ".Outcome.Result";
            }
        }
        else if (PollySyntax.InvocationOf(lambda, out _) is { } owner && PollySyntax.IsPollyMember(model.GetSymbolInfo(owner, cancellationToken).Symbol))
        {
            // (attempt, outcome, context) => ...: the DelegateResult<HttpResponseMessage> parameter.
            var outcome = function.Parameters.FirstOrDefault(p =>
                p.Type is INamedTypeSymbol { Name: "DelegateResult", TypeArguments.Length: 1 } result && IsResponse(result.TypeArguments[0]));
            if (outcome is not null && Named(outcome))
            {
                response = outcome.Name + ".Result";
            }
        }

        if (response is null)
        {
            return null;
        }

        var returns = new List<ExpressionSyntax>();
        foreach (var value in PollySyntax.ReturnedValues(lambda))
        {
            var inner = generator ? PollySyntax.InsideValueTask(value, model, cancellationToken) : value;
            var type = inner is null ? null : model.GetTypeInfo(inner, cancellationToken).Type;
            if (inner is null || type is null)
            {
                return null;
            }

            if (IsNull(model, inner, cancellationToken))
            {
                // null: the strategy's backoff, which the generator then replaces for 429s only through this value.
                return null;
            }

            returns.Add(inner);
        }

        return returns.Count == 0
            ? null
            : new Plan(Kind.PrependToReturns, lambda, "Take the delay from Retry-After, capped") { Returns = returns, Response = response };
    }

    /// <summary>A parameter that can be referred to (not a discard).</summary>
    private static bool Named(IParameterSymbol parameter) => !parameter.IsDiscard && parameter.Name.Length > 0 && parameter.Name != "_";
}
