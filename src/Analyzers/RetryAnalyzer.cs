using System.Collections.Immutable;
using System.Runtime.CompilerServices;
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

        var bodies = new BodyRecognizers(symbols, context.Options);
        context.RegisterSyntaxNodeAction(c => OnRetryTrigger(c, bodies), SyntaxTriggers.RetryNodeKinds);
        PollyRegistration.Register(context, symbols, (tree, home) => SemanticModelFor(tree, home, symbols.Compilation));
    }

    /// <summary>
    /// A node that may start a hand-written retry (<see cref="SyntaxTriggers.IsRetryTrigger"/>): only now is the
    /// member's operation tree asked for, and the construct recognised by its body's shared recognizer.
    /// </summary>
    private static void OnRetryTrigger(SyntaxNodeAnalysisContext context, BodyRecognizers bodies)
    {
        if (!SyntaxTriggers.IsRetryTrigger(context.Node))
        {
            return;
        }

        var operation = context.SemanticModel.GetOperation(context.Node, context.CancellationToken);
        RetryConstruct? construct = null;
        var body = bodies.For(operation);
        if (body is null)
        {
            return;
        }

        lock (body)
        {
            var recognizer = body.Recognizer;
            switch (operation)
            {
                case ILoopOperation loop:
                    construct = recognizer.RecognizeLoop(loop);
                    break;

                case IInvocationOperation call:
                    var (function, callerBody) = EnclosingFunction(call, context.ContainingSymbol);
                    if (function is not null && callerBody is not null &&
                        SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, function.OriginalDefinition))
                    {
                        construct = recognizer.RecognizeRecursion(call, function, callerBody);
                    }

                    break;

                case ITryOperation attempt when attempt.Catches.Length > 0:
                    construct = recognizer.RecognizeCatchRetry(attempt);
                    break;

                case IBranchOperation { BranchKind: BranchKind.GoTo } jump:
                    var (_, jumpBody) = EnclosingFunction(jump, context.ContainingSymbol);
                    if (jumpBody is not null)
                    {
                        construct = recognizer.RecognizeGoto(jump, jumpBody);
                    }

                    break;
            }
        }

        Report(construct, body.Settings, context.ReportDiagnostic);
    }

    /// <summary>
    /// One recognizer per member body: what it learns about the body (the writes to each local, the guards before
    /// each wait) is computed once and shared by every loop, goto and recursive call in it. Keyed weakly by the
    /// body's root operation, so a recognizer lives as long as the semantic model keeps that operation tree and
    /// nothing outlives the compilation's analysis.
    /// </summary>
    private sealed class BodyRecognizers
    {
        private readonly KnownSymbols _symbols;
        private readonly AnalyzerOptions _options;
        private readonly ConditionalWeakTable<IOperation, Body> _bodies = new();
        private readonly ConditionalWeakTable<IOperation, Body>.CreateValueCallback _create;

        public BodyRecognizers(KnownSymbols symbols, AnalyzerOptions options)
        {
            _symbols = symbols;
            _options = options;
            _create = Create;
        }

        public Body? For(IOperation? operation)
        {
            if (operation is null)
            {
                return null;
            }

            var root = operation;
            while (root.Parent is { } parent)
            {
                root = parent;
            }

            return _bodies.GetValue(root, _create);
        }

        private Body Create(IOperation root)
        {
            var settings = AnalyzerSettings.For(_options, root.Syntax.SyntaxTree);
            var home = root.SemanticModel;
            var compilation = _symbols.Compilation;
            return new Body(new RetryRecognizer(_symbols, tree => SemanticModelFor(tree, home, compilation), settings), settings);
        }
    }

    /// <summary>A body's recognizer (not thread-safe: used under a lock on the body) and its tree's settings.</summary>
    private sealed class Body
    {
        public Body(RetryRecognizer recognizer, AnalyzerSettings settings)
        {
            Recognizer = recognizer;
            Settings = settings;
        }

        public RetryRecognizer Recognizer { get; }

        public AnalyzerSettings Settings { get; }
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
