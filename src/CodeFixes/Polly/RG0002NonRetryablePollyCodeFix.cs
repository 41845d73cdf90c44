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
/// RG0002 on a Polly predicate lambda: its condition is kept and narrowed to retryable statuses with
/// <c>HttpStatusPolicy.IsRetryable</c>:
/// <list type="bullet">
/// <item>v7 <c>HandleResult</c> / <c>OrResult</c>, v8 <c>PredicateBuilder.HandleResult</c> over a response <c>r</c>:
/// <c>X &amp;&amp; HttpStatusPolicy.IsRetryable(r.StatusCode)</c>;</item>
/// <item>an <c>HttpRequestException</c> filter <c>ex</c>: <c>X &amp;&amp; (ex.StatusCode == null ||
/// HttpStatusPolicy.IsRetryable(ex.StatusCode.Value))</c> — failures without a status (the network) stay retried;</item>
/// <item>a v8 <c>ShouldHandle = args =&gt; ValueTask.FromResult(X)</c> that does not look at exceptions: the same over
/// <c>args.Outcome.Result?.StatusCode</c> (an outcome without a response stays retried).</item>
/// </list>
/// No fix for <c>switch</c> / <c>PredicateResult</c> predicates, predicates that read the exception, method groups.
/// </summary>
public sealed class RG0002NonRetryablePollyCodeFix : DocumentBatchFix
{
    public const string EquivalenceKey = RG0002NonRetryableStatusCodeFix.EquivalenceKey;

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleCatalog.RG0002NonRetryableStatus.Id);

    protected override string FixKey => EquivalenceKey;

    private enum Kind
    {
        Response,
        Exception,
        Arguments,
    }

    private sealed class Plan
    {
        public Plan(Kind kind, ExpressionSyntax condition, string parameter)
        {
            Kind = kind;
            Condition = condition;
            Parameter = parameter;
        }

        public Kind Kind { get; }

        /// <summary>The boolean the predicate returns (inside its ValueTask for v8).</summary>
        public ExpressionSyntax Condition { get; }

        public string Parameter { get; }
    }

    protected override string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        PlanFor(root, model, diagnostic, cancellationToken) is not null ? "Retry only retryable statuses (HttpStatusPolicy.IsRetryable)" : null;

    protected override async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var names = RuntimeNames.For(editor.SemanticModel, editor.OriginalRoot, cancellationToken);
        var done = new HashSet<SyntaxNode>();
        foreach (var diagnostic in diagnostics)
        {
            if (PlanFor(editor.OriginalRoot, editor.SemanticModel, diagnostic, cancellationToken) is not { } plan || !done.Add(plan.Condition))
            {
                continue;
            }

            string narrowing = plan.Kind switch
            {
                Kind.Response => $"__HttpStatusPolicy_IsRetryable__({plan.Parameter}.StatusCode)",
                Kind.Exception => $"({plan.Parameter}.StatusCode == null || __HttpStatusPolicy_IsRetryable__({plan.Parameter}.StatusCode.Value))",
                _ => $"({plan.Parameter}.Outcome.Result?.StatusCode == null || __HttpStatusPolicy_IsRetryable__({plan.Parameter}.Outcome.Result.StatusCode))",
            };
            var narrowed = PollySyntax.Parse(
                "__Condition__ && " + narrowing,
                names,
                new Dictionary<string, ExpressionSyntax> { ["__Condition__"] = Operand(plan.Condition.WithoutTrivia()) });
            editor.ReplaceNode(plan.Condition, narrowed.WithTriviaFrom(plan.Condition));
        }

        return await ImportAdder.AddImportsAsync(editor.GetChangedDocument(), Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>The left operand of <c>&amp;&amp;</c>: anything that binds looser is parenthesized.</summary>
    private static ExpressionSyntax Operand(ExpressionSyntax condition)
    {
        switch (condition)
        {
            case IdentifierNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or ParenthesizedExpressionSyntax or
                LiteralExpressionSyntax or PrefixUnaryExpressionSyntax or ElementAccessExpressionSyntax or ConditionalAccessExpressionSyntax:
                return condition;
            case BinaryExpressionSyntax binary when binary.Kind() is SyntaxKind.EqualsExpression or SyntaxKind.NotEqualsExpression or
                SyntaxKind.LessThanExpression or SyntaxKind.LessThanOrEqualExpression or SyntaxKind.GreaterThanExpression or
                SyntaxKind.GreaterThanOrEqualExpression or SyntaxKind.LogicalAndExpression:
                return condition;
            default:
                return SyntaxFactory.ParenthesizedExpression(condition);
        }
    }

    private static Plan? PlanFor(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var node = PollySyntax.NodeOf(root, diagnostic);
        if (node is ArgumentSyntax argument)
        {
            node = argument.Expression;
        }

        if (node is not LambdaExpressionSyntax { ExpressionBody: { } body } lambda ||
            model.GetSymbolInfo(lambda, cancellationToken).Symbol is not IMethodSymbol { Parameters.Length: 1 } function)
        {
            return null;
        }

        var parameter = function.Parameters[0];
        if (parameter.IsDiscard || parameter.Name is "" or "_" || !PassedToPolly(lambda, model, cancellationToken))
        {
            return null;
        }

        if (IsOrDerives(parameter.Type, "System.Net.Http.HttpResponseMessage"))
        {
            return IsBool(body, model, cancellationToken) ? new Plan(Kind.Response, body, parameter.Name) : null;
        }

        if (IsOrDerives(parameter.Type, "System.Net.Http.HttpRequestException"))
        {
            // HttpRequestException.StatusCode (.NET 5 and later).
            bool hasStatus = model.Compilation.GetTypeByMetadataName("System.Net.Http.HttpRequestException")?.GetMembers("StatusCode").Any() == true;
            return hasStatus && IsBool(body, model, cancellationToken) ? new Plan(Kind.Exception, body, parameter.Name) : null;
        }

        // v8 ShouldHandle = args => ValueTask.FromResult(X) over HttpResponseMessage outcomes.
        if (parameter.Type is INamedTypeSymbol { Name: "RetryPredicateArguments", TypeArguments.Length: 1 } arguments &&
            IsOrDerives(arguments.TypeArguments[0], "System.Net.Http.HttpResponseMessage") &&
            PollySyntax.InsideValueTask(body, model, cancellationToken) is { } condition && IsBool(condition, model, cancellationToken) &&
            !condition.DescendantNodesAndSelf().Any(n => n is SwitchExpressionSyntax ||
                                                        (n is IdentifierNameSyntax { Identifier.ValueText: "Exception" or "PredicateResult" })))
        {
            return new Plan(Kind.Arguments, condition, parameter.Name);
        }

        return null;
    }

    private static bool PassedToPolly(LambdaExpressionSyntax lambda, SemanticModel model, CancellationToken cancellationToken)
    {
        if (lambda.Parent is AssignmentExpressionSyntax { Left: var left } assignment && assignment.Right == lambda)
        {
            return (left as IdentifierNameSyntax ?? (left as MemberAccessExpressionSyntax)?.Name)?.Identifier.ValueText == "ShouldHandle";
        }

        return PollySyntax.InvocationOf(lambda, out _) is { } owner && PollySyntax.IsPollyMember(model.GetSymbolInfo(owner, cancellationToken).Symbol);
    }

    private static bool IsBool(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken) =>
        model.GetTypeInfo(expression, cancellationToken).Type?.SpecialType == SpecialType.System_Boolean;

    private static bool IsOrDerives(ITypeSymbol? type, string name)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.ToDisplayString() == name)
            {
                return true;
            }
        }

        return false;
    }
}
