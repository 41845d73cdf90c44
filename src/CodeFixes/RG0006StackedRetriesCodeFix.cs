using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using RetryGuard.Analyzers;

namespace RetryGuard.CodeFixes;

/// <summary>
/// RG0006: where the client's options are constructed in view (in the client's creation, or in a local of the same
/// method that the creation passes), turns the SDK's retries off so that the hand-written retry is the one layer:
/// <c>RetryPolicy = new ClientRetryPolicy(0)</c> for System.ClientModel clients, <c>Retry = { MaxRetries = 0 }</c>
/// for Azure.Core clients. Otherwise no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RG0006StackedRetriesCodeFix)), Shared]
public sealed class RG0006StackedRetriesCodeFix : DocumentBatchFix
{
    public const string EquivalenceKey = "RG0006.TurnOffSdkRetries";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(RuleCatalog.RG0006StackedRetries.Id);

    protected override string FixKey => EquivalenceKey;

    protected override string? Title(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        FindOptions(root, model, diagnostic, cancellationToken) switch
        {
            null => null,
            { IsAzure: true } => "Turn the SDK's retries off (Retry.MaxRetries = 0)",
            _ => "Turn the SDK's retries off (ClientRetryPolicy(0))",
        };

    private sealed class Options
    {
        public Options(BaseObjectCreationExpressionSyntax creation, bool isAzure)
        {
            Creation = creation;
            IsAzure = isAzure;
        }

        public BaseObjectCreationExpressionSyntax Creation { get; }

        public bool IsAzure { get; }
    }

    protected override async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var done = new System.Collections.Generic.HashSet<SyntaxNode>();
        foreach (var diagnostic in diagnostics)
        {
            if (FindOptions(editor.OriginalRoot, editor.SemanticModel, diagnostic, cancellationToken) is { } options && done.Add(options.Creation))
            {
                editor.ReplaceNode(options.Creation, (current, _) => TurnOff((BaseObjectCreationExpressionSyntax)current, options.IsAzure));
            }
        }

        return await ImportAdder.AddImportsAsync(editor.GetChangedDocument(), Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    private static SyntaxNode TurnOff(BaseObjectCreationExpressionSyntax creation, bool isAzure)
    {
        ExpressionSyntax assignment = isAzure
            ? SyntaxFactory.ParseExpression("Retry = { MaxRetries = 0 }")
            : SyntaxFactory.AssignmentExpression(
                SyntaxKind.SimpleAssignmentExpression,
                SyntaxFactory.IdentifierName("RetryPolicy"),
                SyntaxFactory.ParseExpression("new global::System.ClientModel.Primitives.ClientRetryPolicy(0)")
                    .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation));

        var initializer = creation.Initializer;
        if (initializer is null)
        {
            initializer = SyntaxFactory.InitializerExpression(
                SyntaxKind.ObjectInitializerExpression,
                SyntaxFactory.SingletonSeparatedList(assignment));
        }
        else
        {
            initializer = initializer.AddExpressions(assignment);
        }

        var updated = creation.WithInitializer(initializer.WithAdditionalAnnotations(Formatter.Annotation));
        if (updated is ObjectCreationExpressionSyntax { ArgumentList: { Arguments.Count: 0 } arguments } explicitCreation)
        {
            // new X() { … } → new X { … }
            updated = explicitCreation.WithArgumentList(null).WithType(explicitCreation.Type.WithTrailingTrivia(SyntaxFactory.Space));
        }

        return updated.WithAdditionalAnnotations(Formatter.Annotation);
    }

    /// <summary>The options object creation that the reported call's client was built with, in this document.</summary>
    private static Options? FindOptions(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!diagnostic.Location.IsInSource || diagnostic.Location.SourceTree != root.SyntaxTree)
        {
            return null;
        }

        var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        var call = node as InvocationExpressionSyntax ?? node.FirstAncestorOrSelf<InvocationExpressionSyntax>();
        if (call?.Expression is not MemberAccessExpressionSyntax member)
        {
            return null;
        }

        var receiver = model.GetSymbolInfo(member.Expression, cancellationToken).Symbol;
        var clientCreation = InitialValue(receiver, root, cancellationToken) as BaseObjectCreationExpressionSyntax;
        if (clientCreation?.ArgumentList is null)
        {
            return null;
        }

        foreach (var argument in clientCreation.ArgumentList.Arguments)
        {
            var type = model.GetTypeInfo(argument.Expression, cancellationToken).Type;
            bool? isAzure = OptionsKind(type);
            if (isAzure is null)
            {
                continue;
            }

            if (argument.Expression is BaseObjectCreationExpressionSyntax inline)
            {
                return new Options(inline, isAzure.Value);
            }

            // A local or field: only when nothing else uses it (other clients built with it keep their retries).
            var symbol = model.GetSymbolInfo(argument.Expression, cancellationToken).Symbol;
            if (symbol is null || InitialValue(symbol, root, cancellationToken) is not BaseObjectCreationExpressionSyntax creation ||
                root.DescendantNodes().OfType<IdentifierNameSyntax>().Count(i => i.Identifier.ValueText == symbol.Name) != 1)
            {
                return null;
            }

            return new Options(creation, isAzure.Value);
        }

        return null;
    }

    /// <summary>True for Azure.Core.ClientOptions, false for System.ClientModel's ClientPipelineOptions, null for neither.</summary>
    private static bool? OptionsKind(ITypeSymbol? type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            switch (current.ToDisplayString())
            {
                case "System.ClientModel.Primitives.ClientPipelineOptions":
                    return false;
                case "Azure.Core.ClientOptions":
                    return true;
            }
        }

        return null;
    }

    /// <summary>The initializer of a local or field declared once in this document.</summary>
    private static ExpressionSyntax? InitialValue(ISymbol? symbol, SyntaxNode root, CancellationToken cancellationToken)
    {
        if (symbol is not (ILocalSymbol or IFieldSymbol) || symbol.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        var reference = symbol.DeclaringSyntaxReferences[0];
        if (reference.SyntaxTree != root.SyntaxTree)
        {
            return null;
        }

        return (reference.GetSyntax(cancellationToken) as VariableDeclaratorSyntax)?.Initializer?.Value;
    }
}
