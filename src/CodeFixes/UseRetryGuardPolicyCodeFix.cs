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
using Microsoft.CodeAnalysis.Simplification;
using RetryGuard.Analyzers;

namespace RetryGuard.CodeFixes;

/// <summary>
/// "Use RetryGuard policy": replaces a hand-written retry loop of the common shape (<see cref="PolicyLoopShape"/>) with
/// one call into the runtime:
/// <code>
/// using var retryPolicy = new RetryGuardPolicy(new RetryGuardOptions { MaxRetries = MaxAttempts - 1, RethrowAttemptExceptions = true });
/// return await retryPolicy.ExecuteAsync(async ct =&gt; { ...the attempt... }, cancellationToken);
/// </code>
/// The caller keeps its inputs, its result type, its token and its exceptions: the attempt is the loop's own code (a
/// status-checking loop's without its check and retry path, the policy deciding and waiting instead), the
/// loop's attempt count becomes <c>MaxRetries</c>, and <c>RethrowAttemptExceptions</c> makes the attempt's exception
/// what the caller gets whenever the request ends on one. The policy supplies what the loop lacked: jittered capped
/// backoff, no retries of caller errors, a bound. A part of each retry rule's provider (<see cref="RuleCodeFix"/>),
/// offered after the targeted fixes, so <c>dotnet format</c> (the first action) applies those and the IDE offers both.
/// </summary>
public sealed class UseRetryGuardPolicyCodeFix : DocumentBatchFix
{
    public const string EquivalenceKey = "RetryGuard.UseRetryGuardPolicy";

    public const string FixTitle = "Use RetryGuard policy";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        RuleCatalog.RG0001NoJitter.Id,
        RuleCatalog.RG0002NonRetryableStatus.Id,
        RuleCatalog.RG0005Unbounded.Id,
        RuleCatalog.RG0007UncappedRetryAfter.Id);

    protected override string FixKey => EquivalenceKey;

    protected override string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        ShapeFor(root, model, diagnostic, cancellationToken) is null ? null : FixTitle;

    private static PolicyLoopShape? ShapeFor(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        PolicyLoopShape.ConstructFor(root, model, diagnostic, cancellationToken) is { } found
            ? PolicyLoopShape.Match(found.Loop, found.Construct, model, cancellationToken)
            : null;

    protected override async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var root = editor.OriginalRoot;
        var model = editor.SemanticModel;

        // One rewrite per loop, however many of its diagnostics are in the batch; a loop inside another one that is
        // rewritten goes into the lambda as it is (a second Fix All pass finds it there).
        var shapes = new Dictionary<StatementSyntax, PolicyLoopShape>();
        foreach (var diagnostic in diagnostics)
        {
            if (ShapeFor(root, model, diagnostic, cancellationToken) is { } shape && !shapes.ContainsKey(shape.Loop))
            {
                shapes.Add(shape.Loop, shape);
            }
        }

        var names = RuntimeNames.For(model, root, cancellationToken);
        var takenByFunction = new Dictionary<SyntaxNode, HashSet<string>>();
        foreach (var shape in shapes.Values)
        {
            if (shapes.Keys.Any(other => other != shape.Loop && other.Span.Contains(shape.Loop.Span)))
            {
                continue;
            }

            // Names given by this batch count as taken in the same function: two rewritten loops there never clash.
            var function = (SyntaxNode?)shape.Loop.FirstAncestorOrSelf<MemberDeclarationSyntax>() ?? root;
            if (!takenByFunction.TryGetValue(function, out var taken))
            {
                takenByFunction[function] = taken = NamesIn(function);
            }

            var (declaration, call) = Rewrite(shape, model, names, taken, cancellationToken);
            editor.InsertBefore(shape.Loop, declaration);
            editor.ReplaceNode(shape.Loop, call);
            if (shape.DeadEnd is { } deadEnd)
            {
                editor.RemoveNode(deadEnd, SyntaxRemoveOptions.KeepUnbalancedDirectives);
            }
        }

        return await ImportAdder.AddImportsAsync(editor.GetChangedDocument(), Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    private static (StatementSyntax Declaration, StatementSyntax Call) Rewrite(
        PolicyLoopShape shape, SemanticModel model, RuntimeNames names, HashSet<string> taken, CancellationToken cancellationToken)
    {
        var loop = shape.Loop;
        taken.UnionWith(model.LookupSymbols(loop.SpanStart).Select(symbol => symbol.Name));
        var policyName = Unique("retryPolicy", taken);
        taken.Add(policyName);

        // A lambda parameter is seen only in its lambda: another rewrite's lambda may use the same name. An unused
        // one is `_` unless a `_` is in scope there (another lambda's `_` is not).
        var visible = new HashSet<string>(model.LookupSymbols(loop.SpanStart).Select(symbol => symbol.Name));
        visible.UnionWith(NamesIn(shape.Attempt));
        var tokenName = shape.Token is null && !visible.Contains("_") ? "_" : Unique(shape.Token is null ? "attempt" : "ct", taken);

        // new RetryGuardOptions { MaxRetries = ..., RethrowAttemptExceptions = true }
        var settings = new List<ExpressionSyntax>();
        if (shape.Retries is { } retries)
        {
            settings.Add(Assign("MaxRetries", retries));
        }

        settings.Add(Assign("RethrowAttemptExceptions", SyntaxFactory.LiteralExpression(SyntaxKind.TrueLiteralExpression)));
        var options = SyntaxFactory.ObjectCreationExpression(names.TypeName("RetryGuardOptions"))
            .WithInitializer(SyntaxFactory.InitializerExpression(SyntaxKind.ObjectInitializerExpression, SyntaxFactory.SeparatedList(settings)));
        var policy = SyntaxFactory.ObjectCreationExpression(names.TypeName("RetryGuardPolicy"))
            .WithArgumentList(SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(options))));
        var declaration = SyntaxFactory.LocalDeclarationStatement(
                SyntaxFactory.VariableDeclaration(
                    SyntaxFactory.IdentifierName("var"),
                    SyntaxFactory.SingletonSeparatedList(
                        SyntaxFactory.VariableDeclarator(SyntaxFactory.Identifier(policyName))
                            .WithInitializer(SyntaxFactory.EqualsValueClause(policy)))))
            .WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword))
            .WithLeadingTrivia(loop.GetLeadingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);

        // The attempt, with the loop's token renamed to the attempt's token.
        // A status-checking loop's attempt leaves out the check and its retry path: the policy decides and waits.
        var body = shape.IsWholeBlock
            ? Renamed(shape.Attempt)
            : SyntaxFactory.Block(shape.Statements.Select((statement, index) =>
                Joined(Renamed(statement), index > 0 && PreviousOf(statement) != shape.Statements[index - 1]).WithAdditionalAnnotations(Formatter.Annotation)));
        TNode Renamed<TNode>(TNode node)
            where TNode : SyntaxNode =>
            shape.Token is { } token ? RenameToken(node, token, tokenName, model, cancellationToken) : node;
        var lambda = SyntaxFactory.ParenthesizedLambdaExpression()
            .WithAsyncKeyword(SyntaxFactory.Token(SyntaxKind.AsyncKeyword))
            .WithParameterList(SyntaxFactory.ParameterList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Parameter(SyntaxFactory.Identifier(tokenName)))))
            .WithBlock(body.WithoutTrivia());
        var arguments = new List<ArgumentSyntax> { SyntaxFactory.Argument(SimpleLambda(lambda)) };
        if (shape.Token is { } passed)
        {
            arguments.Add(SyntaxFactory.Argument(SyntaxFactory.IdentifierName(passed.Name)));
        }

        SimpleNameSyntax execute = shape.ResultIsInferred
            ? SyntaxFactory.IdentifierName("ExecuteAsync")
            : SyntaxFactory.GenericName(SyntaxFactory.Identifier("ExecuteAsync"),
                SyntaxFactory.TypeArgumentList(SyntaxFactory.SingletonSeparatedList(
                    SyntaxFactory.ParseTypeName(shape.Result.ToMinimalDisplayString(model, loop.SpanStart)))));
        var invocation = SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.IdentifierName(policyName), execute),
            SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(arguments)));
        var call = SyntaxFactory.ReturnStatement(SyntaxFactory.AwaitExpression(invocation))
            .WithTrailingTrivia(loop.GetTrailingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
        return (declaration, call);
    }

    private static StatementSyntax? PreviousOf(StatementSyntax statement) =>
        statement.Parent is BlockSyntax block && block.Statements.IndexOf(statement) is > 0 and var index ? block.Statements[index - 1] : null;

    /// <summary>A statement that follows a removed one loses the blank lines before it (its comments stay).</summary>
    private static StatementSyntax Joined(StatementSyntax statement, bool afterRemoved)
    {
        if (!afterRemoved)
        {
            return statement;
        }

        var leading = statement.GetLeadingTrivia();
        var start = 0;
        while (start < leading.Count && (leading[start].IsKind(SyntaxKind.WhitespaceTrivia) || leading[start].IsKind(SyntaxKind.EndOfLineTrivia)))
        {
            start++;
        }

        return statement.WithLeadingTrivia(leading.Skip(start));
    }

    private static ExpressionSyntax Assign(string property, ExpressionSyntax value) =>
        SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, SyntaxFactory.IdentifierName(property), value);

    /// <summary><c>async ct =&gt; { ... }</c>: the one-parameter form.</summary>
    private static LambdaExpressionSyntax SimpleLambda(ParenthesizedLambdaExpressionSyntax lambda) =>
        SyntaxFactory.SimpleLambdaExpression(lambda.ParameterList.Parameters[0])
            .WithAsyncKeyword(lambda.AsyncKeyword)
            .WithBlock(lambda.Block);

    private static TNode RenameToken<TNode>(TNode block, ISymbol token, string name, SemanticModel model, CancellationToken cancellationToken)
        where TNode : SyntaxNode
    {
        var uses = block.DescendantNodes().OfType<IdentifierNameSyntax>()
            .Where(identifier => SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, token))
            .ToList();
        return block.ReplaceNodes(uses, (original, _) => SyntaxFactory.IdentifierName(name).WithTriviaFrom(original));
    }

    /// <summary>
    /// Every identifier of the member: the new local and lambda parameter clash with none of them, nor with what is
    /// visible at the loop.
    /// </summary>
    private static HashSet<string> NamesIn(SyntaxNode function)
    {
        var names = new HashSet<string>();
        foreach (var token in function.DescendantTokens())
        {
            if (token.IsKind(SyntaxKind.IdentifierToken))
            {
                names.Add(token.ValueText);
            }
        }

        return names;
    }

    private static string Unique(string name, HashSet<string> taken)
    {
        var candidate = name;
        for (var suffix = 2; taken.Contains(candidate); suffix++)
        {
            candidate = name + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return candidate;
    }
}
