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
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(RuleCatalog.RG0001NoJitter);

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

        context.RegisterOperationAction(
            operationContext => AnalyzeLoop(operationContext, symbols),
            OperationKind.Loop);
    }

    private static void AnalyzeLoop(OperationAnalysisContext context, KnownSymbols symbols)
    {
        var loop = (ILoopOperation)context.Operation;
        var home = loop.SemanticModel;
        var recognizer = new RetryRecognizer(symbols, tree => SemanticModelFor(tree, home, symbols.Compilation));
        var construct = recognizer.RecognizeLoop(loop);
        if (construct is null)
        {
            return;
        }

        RG0001NoJitterRule.Check(construct, context.ReportDiagnostic);
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
