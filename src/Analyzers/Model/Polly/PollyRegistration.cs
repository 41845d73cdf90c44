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
    private readonly Computed<OptionsWriteIndex> _index;
    private readonly Computed<System.Collections.Generic.HashSet<string>> _aliases;
    private readonly bool _executions;

    public PollyAnalysis(Compilation compilation, KnownSymbols symbols, KnownPollySymbols polly, Func<SyntaxTree, SemanticModel?, SemanticModel?> semanticModelFor)
    {
        _symbols = symbols;
        _polly = polly;
        _semanticModelFor = semanticModelFor;
        _index = new Computed<OptionsWriteIndex>(cancellationToken => OptionsWriteIndex.Build(compilation, polly, cancellationToken));

        // `using` aliases of the options types, read once per compilation and only when a creation needs them.
        _aliases = new Computed<System.Collections.Generic.HashSet<string>>(
            cancellationToken => SyntaxTriggers.RetryOptionsAliases(compilation.SyntaxTrees, cancellationToken));

        // policy.ExecuteAsync(...) / pipeline.ExecuteAsync(...) under a retry: RG0006 looks for clients that retry on
        // their own inside the executed delegate; only when the compilation references such clients.
        _executions = (polly.HasV7 || polly.HasV8) && Rules.RG0006StackedRetriesRule.MayApply(compilation);
    }

    /// <summary>
    /// The analysis of one file: the trigger nodes of one member body share one recognizer (and its caches);
    /// <see cref="Body.Reset"/> at each new body.
    /// </summary>
    public Body ForBody(SemanticModel model, AnalyzerOptions options, Action<Diagnostic> report, CancellationToken cancellationToken) =>
        new(this, model, options, report, cancellationToken);

    /// <summary>A call named like Execute (the only calls bound for RG0006's executions).</summary>
    private bool IsExecution(SyntaxNode node) =>
        _executions && node is InvocationExpressionSyntax call &&
        SyntaxTriggers.InvokedName(call.Expression) is { } name && PollyRecognizer.IsExecuteName(name);

    /// <summary>What the Polly analysis knows of one member body.</summary>
    internal sealed class Body
    {
        private readonly PollyAnalysis _analysis;
        private Func<string, bool>? _isOptionsAlias;
        private PollyRecognizer? _recognizer;

        public Body(PollyAnalysis analysis, SemanticModel model, AnalyzerOptions options, Action<Diagnostic> report, CancellationToken cancellationToken)
        {
            _analysis = analysis;
            Model = model;
            Options = options;
            Report = report;
            CancellationToken = cancellationToken;
        }

        public SemanticModel Model { get; }

        public AnalyzerOptions Options { get; }

        public Action<Diagnostic> Report { get; }

        public CancellationToken CancellationToken { get; }

        /// <summary>A cheap syntax test: could this node be a Polly construct the recognizer models?</summary>
        public bool IsTrigger(SyntaxNode node)
        {
            var polly = _analysis._polly;
            return SyntaxTriggers.IsPollyTrigger(node, polly.HasV7, polly.HasStandardHandler, polly.HasV8, _isOptionsAlias ??= IsOptionsAlias) ||
                   _analysis.IsExecution(node);
        }

        public void Analyze(SyntaxNode node) => _analysis.Analyze(node, this);

        /// <summary>The body's recognizer: created for its first construct, shared by the others.</summary>
        public PollyRecognizer Recognizer(AnalyzerSettings settings) =>
            _recognizer ??= new(
                _analysis._symbols,
                _analysis._polly,
                tree => _analysis._semanticModelFor(tree, Model),
                () => _analysis._index.Get(CancellationToken),
                settings.JitterMethods);

        /// <summary>After a recognizer failed midway its state is not trusted: the next construct gets a new one.</summary>
        public void Discard() => _recognizer = null;

        /// <summary>The next triggers are in another member body: what the recognizer learnt does not carry over.</summary>
        public void Reset() => _recognizer = null;

        private bool IsOptionsAlias(string name) => _analysis._aliases.Get(CancellationToken).Contains(name);
    }

    private void Analyze(SyntaxNode node, Body body)
    {
        switch (body.Model.GetOperation(node, body.CancellationToken))
        {
            case IInvocationOperation invocation:
                AnalyzeInvocation(invocation, body);
                if (IsExecution(node))
                {
                    AnalyzeExecution(invocation, body);
                }

                break;
            case IObjectCreationOperation creation when _polly.HasV8:
                AnalyzeCreation(creation, body);
                break;
        }
    }

    private void AnalyzeInvocation(IInvocationOperation invocation, Body body)
    {
        bool v7 = _polly.HasV7 && PollyRecognizer.MayBeV7Retry(invocation);
        if (!v7 && !(_polly.HasStandardHandler && HasStandardOptionsLambda(invocation, _polly)))
        {
            return;
        }

        var settings = AnalyzerSettings.For(body.Options, invocation.Syntax.SyntaxTree);
        RetryConstruct? construct = null;
        try
        {
            construct = v7
                ? body.Recognizer(settings).RecognizeV7(invocation)
                : body.Recognizer(settings).RecognizeStandardHandler(invocation);
        }
        catch (Exception exception) when (Swallow(exception))
        {
            body.Discard();
        }

        RetryAnalyzer.Report(construct, settings, body.Report, body.CancellationToken);
    }

    private void AnalyzeExecution(IInvocationOperation invocation, Body body)
    {
        if (!PollyRecognizer.MayBeExecute(invocation) || invocation.Instance is null)
        {
            return;
        }

        var settings = AnalyzerSettings.For(body.Options, invocation.Syntax.SyntaxTree);
        try
        {
            if (body.Recognizer(settings).RecognizeExecution(invocation) is { } executed)
            {
                Rules.RG0006StackedRetriesRule.CheckExecuted(executed, body.Report, body.CancellationToken);
            }
        }
        catch (Exception exception) when (Swallow(exception))
        {
            body.Discard();
        }
    }

    private void AnalyzeCreation(IObjectCreationOperation creation, Body body)
    {
        if (_polly.RetryOptionsResult(creation.Type) is null)
        {
            return;
        }

        var settings = AnalyzerSettings.For(body.Options, creation.Syntax.SyntaxTree);
        RetryConstruct? construct = null;
        try
        {
            construct = body.Recognizer(settings).RecognizeOptions(creation);
        }
        catch (Exception exception) when (Swallow(exception))
        {
            body.Discard();
        }

        RetryAnalyzer.Report(construct, settings, body.Report, body.CancellationToken);
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
