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

        context.RegisterOperationBlockStartAction(block => OnBlockStart(block, symbols));
        PollyRegistration.Register(context, symbols, (tree, home) => SemanticModelFor(tree, home, symbols.Compilation));
    }

    /// <summary>
    /// One recognizer per member body: what it learns about the body (the writes to each local, the guards before
    /// each wait) is computed once and shared by every loop, goto and recursive call in it.
    /// </summary>
    private static void OnBlockStart(OperationBlockStartAnalysisContext context, KnownSymbols symbols)
    {
        RetryRecognizer? recognizer = null;
        AnalyzerSettings? settings = null;

        RetryRecognizer RecognizerFor(IOperation operation)
        {
            settings ??= AnalyzerSettings.For(context.Options, operation.Syntax.SyntaxTree);
            if (recognizer is null)
            {
                var home = operation.SemanticModel;
                recognizer = new RetryRecognizer(symbols, tree => SemanticModelFor(tree, home, symbols.Compilation), settings);
            }

            return recognizer;
        }

        context.RegisterOperationAction(
            c =>
            {
                var loop = (ILoopOperation)c.Operation;
                var construct = RecognizerFor(loop).RecognizeLoop(loop);
                Report(construct, settings!, c.ReportDiagnostic);
            },
            OperationKind.Loop);

        context.RegisterOperationAction(
            c =>
            {
                var call = (IInvocationOperation)c.Operation;

                // Cheap test first: only a call to the function it sits in can be a recursive retry.
                if (call.TargetMethod.MethodKind != MethodKind.LocalFunction && call.TargetMethod.Name != c.ContainingSymbol.Name)
                {
                    return;
                }

                var (function, body) = EnclosingFunction(call, c.ContainingSymbol);
                if (function is null || body is null ||
                    !SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, function.OriginalDefinition))
                {
                    return;
                }

                var construct = RecognizerFor(call).RecognizeRecursion(call, function, body);
                Report(construct, settings!, c.ReportDiagnostic);
            },
            OperationKind.Invocation);

        context.RegisterOperationAction(
            c =>
            {
                var attempt = (ITryOperation)c.Operation;
                if (attempt.Catches.Length > 0)
                {
                    var construct = RecognizerFor(attempt).RecognizeCatchRetry(attempt);
                    Report(construct, settings!, c.ReportDiagnostic);
                }
            },
            OperationKind.Try);

        context.RegisterOperationAction(
            c =>
            {
                var jump = (IBranchOperation)c.Operation;
                if (jump.BranchKind != BranchKind.GoTo)
                {
                    return;
                }

                var (_, body) = EnclosingFunction(jump, c.ContainingSymbol);
                if (body is not null)
                {
                    var construct = RecognizerFor(jump).RecognizeGoto(jump, body);
                    Report(construct, settings!, c.ReportDiagnostic);
                }
            },
            OperationKind.Branch);
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

    internal static void Report(RetryConstruct? construct, AnalyzerSettings settings, System.Action<Diagnostic> report)
    {
        if (construct is null)
        {
            return;
        }

        RG0001NoJitterRule.Check(construct, report);
        RG0002NonRetryableStatusRule.Check(construct, settings, report);
        RG0003IgnoresRetryAfterRule.Check(construct, settings, report);
        RG0005UnboundedRule.Check(construct, report);
        RG0006StackedRetriesRule.Check(construct, report);
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
