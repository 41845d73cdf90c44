using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
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
        context.RegisterCodeBlockAction(block => OnCodeBlock(block, symbols, polly));
    }

    /// <summary>
    /// One member body (or initializer): its syntax is searched for the nodes that may start a construct
    /// (<see cref="SyntaxTriggers"/>), and only for those is the operation tree asked for. One recognizer per body:
    /// what it learns about the body (the writes to each local, the guards before each wait) is computed once and
    /// shared by every loop, goto and recursive call in it. Diagnostics may sit anywhere in the body (a delay set a
    /// few statements before the policy), which a code block action reports as the body's own.
    /// </summary>
    private static void OnCodeBlock(CodeBlockAnalysisContext context, KnownSymbols symbols, PollyAnalysis? polly)
    {
        RetryRecognizer? recognizer = null;
        AnalyzerSettings? settings = null;
        var model = context.SemanticModel;
        var pollyBody = polly?.ForBody(model, context.Options, context.ReportDiagnostic, context.CancellationToken);
        foreach (var node in context.CodeBlock.DescendantNodesAndSelf())
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (pollyBody is not null && pollyBody.IsTrigger(node))
            {
                pollyBody.Analyze(node);
            }

            if (!SyntaxTriggers.IsRetryTrigger(node) || model.GetOperation(node, context.CancellationToken) is not { } operation)
            {
                continue;
            }

            settings ??= AnalyzerSettings.For(context.Options, node.SyntaxTree);
            if (recognizer is null)
            {
                var compilation = symbols.Compilation;
                recognizer = new RetryRecognizer(symbols, tree => SemanticModelFor(tree, model, compilation), settings);
            }

            Report(Recognize(recognizer, operation, context.OwningSymbol), settings, context.ReportDiagnostic, context.CancellationToken);
        }
    }

    private static RetryConstruct? Recognize(RetryRecognizer recognizer, IOperation operation, ISymbol owner)
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
