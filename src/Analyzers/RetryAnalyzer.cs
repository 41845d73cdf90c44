using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using RetryGuard.Analyzers.Model;
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

        context.RegisterOperationAction(c => AnalyzeLoop(c, symbols), OperationKind.Loop);
        context.RegisterOperationAction(c => AnalyzeRecursion(c, symbols), OperationKind.Invocation);
        context.RegisterOperationAction(c => AnalyzeGoto(c, symbols), OperationKind.Branch);
    }

    private static void AnalyzeLoop(OperationAnalysisContext context, KnownSymbols symbols)
    {
        var loop = (ILoopOperation)context.Operation;
        var settings = AnalyzerSettings.For(context.Options, loop.Syntax.SyntaxTree);
        var construct = Recognizer(loop, symbols, settings).RecognizeLoop(loop);
        Report(construct, settings, context.ReportDiagnostic);
    }

    private static void AnalyzeRecursion(OperationAnalysisContext context, KnownSymbols symbols)
    {
        var call = (IInvocationOperation)context.Operation;

        // Cheap test first: only a call to the function it sits in can be a recursive retry.
        var (function, body) = EnclosingFunction(call, context.ContainingSymbol);
        if (function is null || body is null ||
            !SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, function.OriginalDefinition))
        {
            return;
        }

        var settings = AnalyzerSettings.For(context.Options, call.Syntax.SyntaxTree);
        var construct = Recognizer(call, symbols, settings).RecognizeRecursion(call, function, body);
        Report(construct, settings, context.ReportDiagnostic);
    }

    private static void AnalyzeGoto(OperationAnalysisContext context, KnownSymbols symbols)
    {
        var jump = (IBranchOperation)context.Operation;
        if (jump.BranchKind != BranchKind.GoTo)
        {
            return;
        }

        var (_, body) = EnclosingFunction(jump, context.ContainingSymbol);
        if (body is null)
        {
            return;
        }

        var settings = AnalyzerSettings.For(context.Options, jump.Syntax.SyntaxTree);
        var construct = Recognizer(jump, symbols, settings).RecognizeGoto(jump, body);
        Report(construct, settings, context.ReportDiagnostic);
    }

    /// <summary>The method or local function whose body holds the operation; lambdas end the search.</summary>
    private static (IMethodSymbol? Function, IOperation? Body) EnclosingFunction(IOperation operation, ISymbol containing)
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
                    return (containing as IMethodSymbol, (IOperation?)methodBody.BlockBody ?? methodBody.ExpressionBody);
                case IBlockOperation block when block.Parent is null:
                    return (containing as IMethodSymbol, block);
            }
        }

        return (null, null);
    }

    private static RetryRecognizer Recognizer(IOperation operation, KnownSymbols symbols, AnalyzerSettings settings)
    {
        var home = operation.SemanticModel;
        return new RetryRecognizer(symbols, tree => SemanticModelFor(tree, home, symbols.Compilation), settings);
    }

    internal static void Report(RetryConstruct? construct, AnalyzerSettings settings, System.Action<Diagnostic> report)
    {
        if (construct is null)
        {
            return;
        }

        RG0001NoJitterRule.Check(construct, report);
        RG0002NonRetryableStatusRule.Check(construct, settings, report);
        RG0003IgnoresRetryAfterRule.Check(construct, report);
        RG0005UnboundedRule.Check(construct, report);
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
