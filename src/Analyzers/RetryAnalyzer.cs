using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using RetryGuard.Analyzers.Model;
using RetryGuard.Analyzers.Model.Polly;
using RetryGuard.Analyzers.Rules;

namespace RetryGuard.Analyzers;

/// <summary>
/// The retry rules. Each retry construct is recognised once (<see cref="RetryRecognizer"/>) and every rule reads
/// the same model.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RetryAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        RuleCatalog.RG0001NoJitter,
        RuleCatalog.RG0002NonRetryableStatus,
        RuleCatalog.RG0003IgnoresRetryAfter,
        RuleCatalog.RG0005Unbounded,
        RuleCatalog.RG0006StackedRetries,
        RuleCatalog.RG0007UncappedRetryAfter);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(OnCompilationStart);
    }

    private static void OnCompilationStart(CompilationStartAnalysisContext context)
    {
        var symbols = KnownSymbols.TryCreate(context.Compilation);
        if (symbols is null)
        {
            return;
        }

        var polly = PollyRegistration.Create(context.Compilation, symbols, (tree, home) => SemanticModelFor(tree, home, symbols.Compilation));
        var compilation = context.Compilation;
        var statusNames = new Computed<bool>(cancellationToken => SyntaxTriggers.StatusNamesAreFramework(compilation, cancellationToken));
        context.RegisterSemanticModelAction(file => OnSemanticModel(file, symbols, polly, statusNames));
    }

    /// <summary>
    /// One file: its syntax is searched for the nodes that may start a construct (<see cref="SyntaxTriggers"/>), and
    /// only for those is the operation tree asked for. One recognizer per member body, as a code block action would
    /// see it (<see cref="BodyOf"/>): what it learns about the body (the writes to each local, the guards before each
    /// wait) is computed once and shared by every loop, goto and recursive call in it. Diagnostics may sit anywhere
    /// in the body (a delay set a few statements before the policy).
    /// <para>
    /// A semantic model action, not a code block action: the analyzer driver then does no work per declaration for
    /// this analyzer (it finds each declaration's symbol and code blocks before it can call a code block action,
    /// which cost more than most bodies' analysis). When the host analyses only a span (the IDE), every member that
    /// the span touches is analysed whole, so a diagnostic outside the span whose trigger is inside is still found.
    /// </para>
    /// </summary>
    private static void OnSemanticModel(SemanticModelAnalysisContext context, KnownSymbols symbols, PollyAnalysis? polly, Computed<bool> statusNames)
    {
        var model = context.SemanticModel;
        var cancellationToken = context.CancellationToken;
        var root = model.SyntaxTree.GetRoot(cancellationToken);
        var filter = context.FilterSpan;
        var nodes = filter is { } span && !span.Contains(root.FullSpan)
            ? root.DescendantNodesAndSelf(descendIntoChildren: node => MayHoldTrigger(node) && (node is not MemberDeclarationSyntax || node.FullSpan.IntersectsWith(span)))
            : root.DescendantNodesAndSelf(descendIntoChildren: MayHoldTrigger);

        SyntaxNode? body = null;
        ISymbol? owner = null;
        RetryRecognizer? recognizer = null;
        AnalyzerSettings? settings = null;
        var pollyFile = polly?.ForBody(model, context.Options, context.ReportDiagnostic, cancellationToken);
        Func<bool> statusNamesAreFramework = () => statusNames.Get(cancellationToken);
        foreach (var node in nodes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            bool pollyTrigger = pollyFile is not null && pollyFile.IsTrigger(node);
            bool retryTrigger = SyntaxTriggers.IsRetryTrigger(node, statusNamesAreFramework);
            if (!pollyTrigger && !retryTrigger)
            {
                continue;
            }

            // A new body: nothing learnt about the previous one carries over.
            var nodeBody = BodyOf(node);
            if (nodeBody != body)
            {
                body = nodeBody;
                owner = null;
                recognizer = null;
                pollyFile?.Reset();
            }

            if (pollyTrigger)
            {
                pollyFile!.Analyze(node);
            }

            if (!retryTrigger || model.GetOperation(node, cancellationToken) is not { } operation)
            {
                continue;
            }

            settings ??= AnalyzerSettings.For(context.Options, node.SyntaxTree);
            if (recognizer is null)
            {
                var compilation = symbols.Compilation;
                recognizer = new RetryRecognizer(symbols, tree => SemanticModelFor(tree, model, compilation), settings);
            }

            owner ??= OwnerOf(body, model, cancellationToken);
            Report(Recognize(recognizer, operation, owner), settings, context.ReportDiagnostic, cancellationToken);
        }
    }

    /// <summary>
    /// Syntax that holds names, types and constants only (usings, attributes, type arguments, parameter lists,
    /// qualified names): no loop, <c>try</c>, <c>goto</c>, call or creation a construct can start from. (Not base
    /// lists: a primary constructor's base arguments may create retry options.)
    /// </summary>
    private static bool MayHoldTrigger(SyntaxNode node) => node is not (UsingDirectiveSyntax or AttributeListSyntax or
        TypeArgumentListSyntax or TypeParameterListSyntax or TypeParameterConstraintClauseSyntax or ParameterListSyntax or QualifiedNameSyntax or
        AliasQualifiedNameSyntax or PredefinedTypeSyntax);

    /// <summary>
    /// The code block <paramref name="node"/> belongs to, as the analyzer driver hands them to a code block action:
    /// a method's, operator's or constructor's declaration; an accessor; an expression-bodied property's body; a
    /// property's or enum member's initializer; one field declarator; all top-level statements of a file together;
    /// otherwise the member declaration it is in (a primary constructor's arguments), or the file.
    /// </summary>
    private static SyntaxNode BodyOf(SyntaxNode node)
    {
        for (var current = node; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case AccessorDeclarationSyntax:
                case BaseMethodDeclarationSyntax:
                case ArrowExpressionClauseSyntax { Parent: BasePropertyDeclarationSyntax }:
                case EqualsValueClauseSyntax { Parent: PropertyDeclarationSyntax or EnumMemberDeclarationSyntax }:
                case VariableDeclaratorSyntax { Parent.Parent: BaseFieldDeclarationSyntax }:
                    return current;
                case GlobalStatementSyntax:
                    return current.Parent ?? current;
                case MemberDeclarationSyntax:
                    return current;
            }
        }

        return node.SyntaxTree.GetRoot();
    }

    /// <summary>The symbol a code block action would have named as the body's owner.</summary>
    private static ISymbol? OwnerOf(SyntaxNode body, SemanticModel model, System.Threading.CancellationToken cancellationToken) => body switch
    {
        ArrowExpressionClauseSyntax { Parent: { } property } => model.GetDeclaredSymbol(property, cancellationToken) switch
        {
            IPropertySymbol { GetMethod: { } getter } => getter,
            var other => other,
        },
        EqualsValueClauseSyntax { Parent: { } declaration } => model.GetDeclaredSymbol(declaration, cancellationToken),
        CompilationUnitSyntax unit => FirstGlobalStatement(unit) is { } first ? model.GetEnclosingSymbol(first.SpanStart, cancellationToken) : null,
        _ => model.GetDeclaredSymbol(body, cancellationToken),
    };

    private static GlobalStatementSyntax? FirstGlobalStatement(CompilationUnitSyntax unit)
    {
        foreach (var member in unit.Members)
        {
            if (member is GlobalStatementSyntax statement)
            {
                return statement;
            }
        }

        return null;
    }

    private static RetryConstruct? Recognize(RetryRecognizer recognizer, IOperation operation, ISymbol? owner)
    {
        switch (operation)
        {
            case ILoopOperation loop:
                return recognizer.RecognizeLoop(loop);

            case IInvocationOperation call:
                var (function, body) = EnclosingFunction(call, owner);
                return function is not null && body is not null &&
                       SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, function.OriginalDefinition)
                    ? recognizer.RecognizeRecursion(call, function, body)
                    : null;

            case ITryOperation attempt when attempt.Catches.Length > 0:
                return recognizer.RecognizeCatchRetry(attempt);

            case IBranchOperation { BranchKind: BranchKind.GoTo } jump:
                var (_, jumpBody) = EnclosingFunction(jump, owner);
                return jumpBody is null ? null : recognizer.RecognizeGoto(jump, jumpBody);

            default:
                return null;
        }
    }

    /// <summary>The method or local function whose body holds the operation; lambdas end the search.</summary>
    private static (IMethodSymbol? Function, IOperation? Body) EnclosingFunction(IOperation operation, ISymbol? containing)
    {
        for (var current = operation; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case ILocalFunctionOperation local:
                    return (local.Symbol, local.Body);
                case IAnonymousFunctionOperation:
                    return (null, null);
                case IMethodBodyOperation methodBody:
                    return (DeclaredMethod(methodBody, containing), (IOperation?)methodBody.BlockBody ?? methodBody.ExpressionBody);
                case IBlockOperation block when block.Parent is null:
                    return (DeclaredMethod(block, containing), block);
            }
        }

        return (null, null);
    }

    /// <summary>The method a body belongs to (an accessor's own method, not its property).</summary>
    private static IMethodSymbol? DeclaredMethod(IOperation body, ISymbol? containing) =>
        body.SemanticModel?.GetDeclaredSymbol(body.Syntax) as IMethodSymbol ?? containing as IMethodSymbol;

    internal static void Report(RetryConstruct? construct, AnalyzerSettings settings, System.Action<Diagnostic> report, System.Threading.CancellationToken cancellationToken)
    {
        if (construct is null)
        {
            return;
        }

        RG0001NoJitterRule.Check(construct, report);
        RG0002NonRetryableStatusRule.Check(construct, settings, report);
        RG0003IgnoresRetryAfterRule.Check(construct, settings, report);
        RG0005UnboundedRule.Check(construct, report);
        RG0006StackedRetriesRule.Check(construct, report, cancellationToken);
        RG0007UncappedRetryAfterRule.Check(construct, settings, report);
    }

    private static SemanticModel? SemanticModelFor(SyntaxTree tree, SemanticModel? home, Compilation compilation)
    {
        if (home is not null && home.SyntaxTree == tree)
        {
            return home;
        }

        if (!compilation.ContainsSyntaxTree(tree))
        {
            return null;
        }

#pragma warning disable RS1030 // Helper bodies in other files of the same compilation: no other way to see them in Roslyn 4.8.
        return compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
    }
}
