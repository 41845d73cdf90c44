using System;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model.Polly;

/// <summary>
/// The Polly / Microsoft.Extensions.Http.Resilience recognizer for one compilation: none when the compilation
/// references none of them. <see cref="RetryAnalyzer"/> hands it the nodes of each member body that pass
/// <see cref="PollyAnalysis.IsTrigger"/> (node kinds and syntax tests in <see cref="SyntaxTriggers"/>); the operation
/// tree is asked for only there. Each recognised construct goes to the same rule checkers as loops.
/// </summary>
internal static class PollyRegistration
{
    public static PollyAnalysis? Create(
        Compilation compilation,
        KnownSymbols symbols,
        Func<SyntaxTree, SemanticModel?, SemanticModel?> semanticModelFor)
    {
        var polly = KnownPollySymbols.TryCreate(compilation);
        return polly is null ? null : new PollyAnalysis(compilation, symbols, polly, semanticModelFor);
    }
}

/// <summary>What <see cref="PollyRegistration"/> runs on the trigger nodes of one compilation.</summary>
internal sealed class PollyAnalysis
{
    private readonly KnownSymbols _symbols;
    private readonly KnownPollySymbols _polly;
    private readonly Func<SyntaxTree, SemanticModel?, SemanticModel?> _semanticModelFor;
    private readonly Lazy<OptionsWriteIndex> _index;
    private readonly Lazy<System.Collections.Generic.HashSet<string>> _aliases;
    private readonly Func<string, bool> _isOptionsAlias;
    private readonly bool _executions;

    public PollyAnalysis(Compilation compilation, KnownSymbols symbols, KnownPollySymbols polly, Func<SyntaxTree, SemanticModel?, SemanticModel?> semanticModelFor)
    {
        _symbols = symbols;
        _polly = polly;
        _semanticModelFor = semanticModelFor;
        _index = new Lazy<OptionsWriteIndex>(
            () => OptionsWriteIndex.Build(compilation, polly, CancellationToken.None),
            LazyThreadSafetyMode.PublicationOnly);

        // `using` aliases of the options types, read once per compilation and only when a creation needs them.
        _aliases = new Lazy<System.Collections.Generic.HashSet<string>>(
            () => SyntaxTriggers.RetryOptionsAliases(compilation.SyntaxTrees, CancellationToken.None),
            LazyThreadSafetyMode.PublicationOnly);
        _isOptionsAlias = name => _aliases.Value.Contains(name);

        // policy.ExecuteAsync(...) / pipeline.ExecuteAsync(...) under a retry: RG0006 looks for clients that retry on
        // their own inside the executed delegate; only when the compilation references such clients.
        _executions = (polly.HasV7 || polly.HasV8) && Rules.RG0006StackedRetriesRule.MayApply(compilation);
    }

    /// <summary>A cheap syntax test: could this node be a Polly construct the recognizer models?</summary>
    public bool IsTrigger(SyntaxNode node) =>
        SyntaxTriggers.IsPollyTrigger(node, _polly.HasV7, _polly.HasStandardHandler, _polly.HasV8, _isOptionsAlias) || IsExecution(node);

    /// <summary>A call named like Execute (the only calls bound for RG0006's executions).</summary>
    private bool IsExecution(SyntaxNode node) =>
        _executions && node is InvocationExpressionSyntax call &&
        SyntaxTriggers.InvokedName(call.Expression) is { } name && PollyRecognizer.IsExecuteName(name);

    public void Analyze(SyntaxNode node, SemanticModel model, AnalyzerOptions options, Action<Diagnostic> report, CancellationToken cancellationToken)
    {
        switch (model.GetOperation(node, cancellationToken))
        {
            case IInvocationOperation invocation:
                AnalyzeInvocation(invocation, options, report);
                if (IsExecution(node))
                {
                    AnalyzeExecution(invocation, options, report);
                }

                break;
            case IObjectCreationOperation creation when _polly.HasV8:
                AnalyzeCreation(creation, options, report);
                break;
        }
    }

    private PollyRecognizer Recognizer(IOperation operation, AnalyzerSettings settings) =>
        new(_symbols, _polly, tree => _semanticModelFor(tree, operation.SemanticModel), () => _index.Value, settings.JitterMethods);

    private void AnalyzeInvocation(IInvocationOperation invocation, AnalyzerOptions options, Action<Diagnostic> report)
    {
        bool v7 = _polly.HasV7 && PollyRecognizer.MayBeV7Retry(invocation);
        if (!v7 && !(_polly.HasStandardHandler && HasStandardOptionsLambda(invocation, _polly)))
        {
            return;
        }

        var settings = AnalyzerSettings.For(options, invocation.Syntax.SyntaxTree);
        RetryConstruct? construct = null;
        try
        {
            construct = v7
                ? Recognizer(invocation, settings).RecognizeV7(invocation)
                : Recognizer(invocation, settings).RecognizeStandardHandler(invocation);
        }
        catch (Exception exception) when (Swallow(exception))
        {
        }

        RetryAnalyzer.Report(construct, settings, report);
    }

    private void AnalyzeExecution(IInvocationOperation invocation, AnalyzerOptions options, Action<Diagnostic> report)
    {
        if (!PollyRecognizer.MayBeExecute(invocation) || invocation.Instance is null)
        {
            return;
        }

        var settings = AnalyzerSettings.For(options, invocation.Syntax.SyntaxTree);
        try
        {
            if (Recognizer(invocation, settings).RecognizeExecution(invocation) is { } executed)
            {
                Rules.RG0006StackedRetriesRule.CheckExecuted(executed, report);
            }
        }
        catch (Exception exception) when (Swallow(exception))
        {
        }
    }

    private void AnalyzeCreation(IObjectCreationOperation creation, AnalyzerOptions options, Action<Diagnostic> report)
    {
        if (_polly.RetryOptionsResult(creation.Type) is null)
        {
            return;
        }

        var settings = AnalyzerSettings.For(options, creation.Syntax.SyntaxTree);
        RetryConstruct? construct = null;
        try
        {
            construct = Recognizer(creation, settings).RecognizeOptions(creation);
        }
        catch (Exception exception) when (Swallow(exception))
        {
        }

        RetryAnalyzer.Report(construct, settings, report);
    }

    /// <summary>
    /// Code the recognizer does not expect (partial code, an unusual overload) must cost a missed diagnostic, never
    /// an AD0001 in the user's build. Debug builds (the tests) let the exception through so it gets fixed.
    /// </summary>
    private static bool Swallow(Exception exception)
    {
#if DEBUG
        return false;
#else
        return exception is not OperationCanceledException;
#endif
    }

    /// <summary>A lambda over <c>HttpStandardResilienceOptions</c> among the arguments: checked before any allocation.</summary>
    private static bool HasStandardOptionsLambda(IInvocationOperation invocation, KnownPollySymbols polly)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Value is IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda } &&
                lambda.Symbol.Parameters.Length > 0 &&
                KnownSymbols.Is(lambda.Symbol.Parameters[0].Type, polly.HttpStandardResilienceOptions))
            {
                return true;
            }
        }

        return false;
    }
}
