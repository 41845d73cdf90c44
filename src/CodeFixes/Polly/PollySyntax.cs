using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace RetryGuard.CodeFixes.Polly;

/// <summary>Small syntax and symbol helpers shared by the Polly / Microsoft.Extensions.Http.Resilience fixes.</summary>
internal static class PollySyntax
{
    public const string ContribBackoffMetadataName = "Polly.Contrib.WaitAndRetry.Backoff";

    /// <summary>A member of Polly, Polly.Core, Polly.Contrib.* or Microsoft.Extensions.*Resilience.</summary>
    public static bool IsPollyMember(ISymbol? symbol)
    {
        string ns = symbol?.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        return ns == "Polly" || ns.StartsWith("Polly.", StringComparison.Ordinal) ||
               ns.StartsWith("Microsoft.Extensions.Http.Resilience", StringComparison.Ordinal);
    }

    /// <summary>The node a diagnostic is reported on (the innermost one that covers its span).</summary>
    public static SyntaxNode? NodeOf(SyntaxNode root, Diagnostic diagnostic)
    {
        var span = diagnostic.Location.SourceSpan;
        if (!root.FullSpan.Contains(span))
        {
            return null;
        }

        return root.FindNode(span, findInsideTrivia: false, getInnermostNodeForTie: true);
    }

    /// <summary>The invocation whose argument list holds <paramref name="argument"/>, with the argument.</summary>
    public static InvocationExpressionSyntax? InvocationOf(ExpressionSyntax value, out ArgumentSyntax? argument)
    {
        argument = value.Parent as ArgumentSyntax;
        return argument?.Parent?.Parent as InvocationExpressionSyntax;
    }

    /// <summary>
    /// A name that binds to nothing at <paramref name="position"/> (nor is declared inside <paramref name="scope"/>, nor
    /// was handed out already to another edit of the same scope — <paramref name="handedOut"/>, which the name joins):
    /// <paramref name="preferred"/>, else it with a number. Pattern variables of two rewritten returns of one block
    /// share that block's scope, so they need different names.
    /// </summary>
    public static string FreeName(SemanticModel model, int position, string preferred, SyntaxNode? scope = null, ISet<string>? handedOut = null)
    {
        var taken = handedOut is null ? new HashSet<string>(StringComparer.Ordinal) : new HashSet<string>(handedOut, StringComparer.Ordinal);
        if (scope is not null)
        {
            foreach (var token in scope.DescendantTokens())
            {
                if (token.IsKind(SyntaxKind.IdentifierToken))
                {
                    taken.Add(token.ValueText);
                }
            }
        }

        for (int suffix = 1; suffix < 100; suffix++)
        {
            string name = suffix == 1 ? preferred : preferred + suffix;
            if (!taken.Contains(name) && model.LookupSymbols(position, name: name).IsEmpty)
            {
                handedOut?.Add(name);
                return name;
            }
        }

        return preferred + "_";
    }

    /// <summary><c>global::System.TimeSpan.FromSeconds(120)</c> (or milliseconds), shortened by the simplifier.</summary>
    public static ExpressionSyntax Duration(TimeSpan value)
    {
        bool seconds = value.Ticks % TimeSpan.TicksPerSecond == 0;
        var factory = RuntimeNames.Framework("System", "TimeSpan", seconds ? "FromSeconds" : "FromMilliseconds");
        long amount = seconds ? (long)value.TotalSeconds : (long)value.TotalMilliseconds;
        var literal = amount <= int.MaxValue ? SyntaxFactory.Literal((int)amount) : SyntaxFactory.Literal(amount);
        return SyntaxFactory.InvocationExpression(
            factory,
            SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(
                SyntaxFactory.Argument(SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, literal)))));
    }

    /// <summary>
    /// Parses <paramref name="text"/> and puts each runtime name in place of its placeholder identifier
    /// (<c>__RetryAfter_GetDelay__</c> → <c>global::RetryGuard.RetryAfter.GetDelay</c>, annotated), and every other
    /// <c>global::</c> name under the simplifier.
    /// </summary>
    public static ExpressionSyntax Parse(string text, RuntimeNames? names, IReadOnlyDictionary<string, ExpressionSyntax>? extra = null)
    {
        var parsed = SyntaxFactory.ParseExpression(text);
        var replaced = parsed.ReplaceNodes(
            parsed.DescendantNodes().OfType<IdentifierNameSyntax>().Where(i => i.Identifier.ValueText.StartsWith("__", StringComparison.Ordinal)),
            (original, _) =>
            {
                string key = original.Identifier.ValueText;
                if (extra is not null && extra.TryGetValue(key, out var replacement))
                {
                    return replacement.WithTriviaFrom(original);
                }

                var parts = key.Trim('_').Split('_');
                return names is not null && parts.Length == 2
                    ? names.Member(parts[0], parts[1])
                    : throw new System.InvalidOperationException("No runtime name for " + key);
            });
        // Every qualified name is offered to the simplifier (global::System.TimeSpan → TimeSpan where that binds).
        var simplified = replaced.ReplaceNodes(
            replaced.DescendantNodes().Where(n => n is QualifiedNameSyntax or AliasQualifiedNameSyntax or MemberAccessExpressionSyntax or NullableTypeSyntax or GenericNameSyntax),
            (_, rewritten) => rewritten.WithAdditionalAnnotations(Simplifier.Annotation));
        return simplified.WithAdditionalAnnotations(Simplifier.Annotation);
    }

    /// <summary>Adds <paramref name="member"/> at the end of an object initializer, in the initializer's layout.</summary>
    public static InitializerExpressionSyntax AddMember(InitializerExpressionSyntax initializer, ExpressionSyntax member)
    {
        var list = initializer.Expressions;
        if (list.Count == 0)
        {
            return initializer
                .WithOpenBraceToken(initializer.OpenBraceToken.WithTrailingTrivia(SyntaxFactory.Space))
                .WithExpressions(SyntaxFactory.SingletonSeparatedList(member.WithTrailingTrivia(SyntaxFactory.Space)))
                .WithCloseBraceToken(initializer.CloseBraceToken.WithLeadingTrivia());
        }

        var last = list[list.Count - 1];
        var items = new List<SyntaxNodeOrToken>(list.GetWithSeparators());
        member = member.WithLeadingTrivia(last.GetLeadingTrivia());
        if (list.SeparatorCount == list.Count)
        {
            // `A = 1,` then a line break: the new member and a comma of its own in the same layout.
            var separator = list.GetSeparator(list.Count - 1);
            items.Add(member);
            items.Add(SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(separator.TrailingTrivia));
        }
        else
        {
            var trailing = last.GetTrailingTrivia();
            var lineEnd = trailing.Where(t => t.IsKind(SyntaxKind.EndOfLineTrivia)).Take(1).ToList();
            items[items.Count - 1] = last.WithoutTrailingTrivia();
            items.Add(SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(lineEnd.Count > 0 ? trailing : SyntaxFactory.TriviaList(SyntaxFactory.Space)));
            items.Add(member.WithTrailingTrivia(lineEnd.Count > 0 ? SyntaxFactory.TriviaList(lineEnd) : trailing));
        }

        return initializer.WithExpressions(SyntaxFactory.SeparatedList<ExpressionSyntax>(items));
    }

    /// <summary>Removes one member of an object initializer with its separator.</summary>
    public static InitializerExpressionSyntax RemoveMember(InitializerExpressionSyntax initializer, ExpressionSyntax member)
    {
        var list = initializer.Expressions;
        int index = list.IndexOf(member);
        if (index < 0)
        {
            return initializer;
        }

        var items = new List<SyntaxNodeOrToken>(list.GetWithSeparators());
        int at = items.FindIndex(i => i.IsNode && i.AsNode() == member);
        bool hasSeparatorAfter = at + 1 < items.Count;
        if (hasSeparatorAfter)
        {
            items.RemoveRange(at, 2);
        }
        else if (at > 0)
        {
            // The last member without a trailing comma: the comma before it goes, its trailing trivia stays.
            var previous = items[at - 2].AsNode()!;
            items[at - 2] = previous.WithTrailingTrivia(member.GetTrailingTrivia());
            items.RemoveRange(at - 1, 2);
        }
        else
        {
            items.RemoveAt(at);
        }

        return initializer.WithExpressions(SyntaxFactory.SeparatedList<ExpressionSyntax>(items));
    }

    /// <summary>
    /// A creation with <paramref name="member"/> added to its initializer (an initializer is created when there is
    /// none; an empty <c>()</c> of an explicit <c>new T()</c> goes with it).
    /// </summary>
    public static BaseObjectCreationExpressionSyntax WithMember(BaseObjectCreationExpressionSyntax creation, ExpressionSyntax member)
    {
        if (creation.Initializer is { } initializer)
        {
            return creation.WithInitializer(AddMember(initializer, member));
        }

        var trailing = creation.GetTrailingTrivia();
        var created = SyntaxFactory.InitializerExpression(
                SyntaxKind.ObjectInitializerExpression,
                SyntaxFactory.SingletonSeparatedList(member.WithLeadingTrivia().WithTrailingTrivia(SyntaxFactory.Space)))
            .WithOpenBraceToken(SyntaxFactory.Token(SyntaxKind.OpenBraceToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space))
            .WithTrailingTrivia(trailing);
        var bare = creation.WithoutTrailingTrivia();
        if (bare is ObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: 0 } explicitNew)
        {
            bare = explicitNew.WithArgumentList(null).WithType(explicitNew.Type.WithoutTrailingTrivia());
        }

        return bare.WithInitializer(created);
    }

    /// <summary><c>Name = value</c> for an object initializer.</summary>
    public static AssignmentExpressionSyntax Assignment(string name, ExpressionSyntax value) =>
        SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, SyntaxFactory.IdentifierName(name), value);

    /// <summary>The type declaration that holds <paramref name="node"/>, when a constant can be added to it.</summary>
    public static TypeDeclarationSyntax? ContainingType(SyntaxNode node) =>
        node.FirstAncestorOrSelf<TypeDeclarationSyntax>(t => t is ClassDeclarationSyntax or StructDeclarationSyntax or RecordDeclarationSyntax);

    /// <summary>True when <paramref name="expression"/> binds to <c>int.MaxValue</c> or another constant.</summary>
    public static object? Constant(SemanticModel model, ExpressionSyntax expression, CancellationToken cancellationToken)
    {
        var value = model.GetConstantValue(expression, cancellationToken);
        return value.HasValue ? value.Value : null;
    }

    /// <summary><c>DelayGenerator = lambda</c> (in an initializer, or <c>options.DelayGenerator = ...</c>).</summary>
    public static bool IsDelayGenerator(LambdaExpressionSyntax lambda) =>
        lambda.Parent is AssignmentExpressionSyntax { Left: var left } assignment && assignment.Right == lambda &&
        (left as IdentifierNameSyntax ?? (left as MemberAccessExpressionSyntax)?.Name)?.Identifier.ValueText == "DelayGenerator";

    /// <summary>What a lambda returns: its expression body, or the values of the returns of its block (not of nested functions).</summary>
    public static IEnumerable<ExpressionSyntax> ReturnedValues(LambdaExpressionSyntax lambda)
    {
        if (lambda.ExpressionBody is { } body)
        {
            yield return body;
            yield break;
        }

        if (lambda.Block is not { } block)
        {
            yield break;
        }

        foreach (var statement in block.DescendantNodes(n => n is not AnonymousFunctionExpressionSyntax and not LocalFunctionStatementSyntax).OfType<ReturnStatementSyntax>())
        {
            if (statement.Expression is { } value)
            {
                yield return value;
            }
        }
    }

    /// <summary><c>x</c> in <c>new ValueTask&lt;TimeSpan?&gt;(x)</c> or <c>ValueTask.FromResult&lt;TimeSpan?&gt;(x)</c>.</summary>
    public static ExpressionSyntax? InsideValueTask(ExpressionSyntax value, SemanticModel model, CancellationToken cancellationToken)
    {
        switch (value)
        {
            case BaseObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: 1 } creation
                when model.GetTypeInfo(creation, cancellationToken).Type?.Name == "ValueTask":
                return creation.ArgumentList!.Arguments[0].Expression;
            case InvocationExpressionSyntax { ArgumentList.Arguments.Count: 1 } call
                when model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol { Name: "FromResult" }:
                return call.ArgumentList.Arguments[0].Expression;
            default:
                return null;
        }
    }

    /// <summary>
    /// <c>{response} is HttpResponseMessage r &amp;&amp; RetryAfter.GetDelay(r) is TimeSpan d &amp;&amp; d &lt;= cap ? d : fallback</c>:
    /// the server's wait when it is within the cap, else the existing delay.
    /// </summary>
    public static ExpressionSyntax RetryAfterOr(
        ExpressionSyntax response,
        ExpressionSyntax fallback,
        TimeSpan cap,
        RuntimeNames names,
        SemanticModel model,
        int position,
        SyntaxNode? scope,
        ISet<string>? handedOut = null)
    {
        string message = FreeName(model, position, "response", scope, handedOut);
        string delay = FreeName(model, position, "retryAfter", scope, handedOut);
        return Parse(
            $"__Response__ is global::System.Net.Http.HttpResponseMessage {message} && __RetryAfter_GetDelay__({message}) is global::System.TimeSpan {delay} && {delay} <= __Cap__ ? {delay} : __Fallback__",
            names,
            new Dictionary<string, ExpressionSyntax>
            {
                ["__Response__"] = response.WithoutTrivia(),
                ["__Cap__"] = Duration(cap),
                ["__Fallback__"] = fallback.WithoutTrivia(),
            });
    }

    /// <summary>The largest Retry-After the analyzers accept (<c>retryguard.max_retry_after</c>, 120 s by default).</summary>
    public static TimeSpan MaxRetryAfter(Document document, SyntaxTree tree)
    {
        try
        {
            return RetryGuard.Analyzers.AnalyzerSettings.For(document.Project.AnalyzerOptions, tree).MaxRetryAfter;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return RetryGuard.Analyzers.AnalyzerSettings.DefaultMaxRetryAfter;
        }
    }
}
