using System;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model.Polly;

/// <summary>
/// Registers the Polly / Microsoft.Extensions.Http.Resilience recognizer for one compilation: nothing when the
/// compilation references none of them. Triggered from syntax (<see cref="SyntaxTriggers.PollyNodeKinds"/>, tested by
/// <see cref="SyntaxTriggers.IsPollyTrigger"/>); the operation tree is asked for only there. Each recognised
/// construct goes to the same rule checkers as loops.
/// </summary>
internal static class PollyRegistration
{
    public static void Register(
        CompilationStartAnalysisContext context,
        KnownSymbols symbols,
        Func<SyntaxTree, SemanticModel?, SemanticModel?> semanticModelFor)
    {
        var polly = KnownPollySymbols.TryCreate(context.Compilation);
        if (polly is null)
        {
            return;
        }

        var compilation = context.Compilation;
        var index = new Lazy<OptionsWriteIndex>(
            () => OptionsWriteIndex.Build(compilation, polly, CancellationToken.None),
            LazyThreadSafetyMode.ExecutionAndPublication);

        PollyRecognizer Recognizer(IOperation operation, AnalyzerSettings settings) =>
            new(symbols, polly, tree => semanticModelFor(tree, operation.SemanticModel), () => index.Value, settings.JitterMethods);

        // `using` aliases of the options types, read once per compilation and only when a creation needs them.
        var aliases = new Lazy<System.Collections.Generic.HashSet<string>>(
            () => SyntaxTriggers.RetryOptionsAliases(compilation.SyntaxTrees, CancellationToken.None),
            LazyThreadSafetyMode.ExecutionAndPublication);
        Func<string, bool> isOptionsAlias = name => aliases.Value.Contains(name);
        bool v7 = polly.HasV7, standardHandler = polly.HasStandardHandler, v8 = polly.HasV8;

        context.RegisterSyntaxNodeAction(
            nodeContext =>
            {
                if (!SyntaxTriggers.IsPollyTrigger(nodeContext.Node, v7, standardHandler, v8, isOptionsAlias))
                {
                    return;
                }

                var operation = nodeContext.SemanticModel.GetOperation(nodeContext.Node, nodeContext.CancellationToken);
                switch (operation)
                {
                    case IInvocationOperation invocation:
                        AnalyzeInvocation(nodeContext, invocation);
                        break;
                    case IObjectCreationOperation creation when v8:
                        AnalyzeCreation(nodeContext, creation);
                        break;
                }
            },
            SyntaxTriggers.PollyNodeKinds);

        if ((v7 || v8) && Rules.RG0006StackedRetriesRule.MayApply(compilation))
        {
            RegisterExecutions(context, Recognizer);
        }

        void AnalyzeInvocation(SyntaxNodeAnalysisContext nodeContext, IInvocationOperation invocation)
        {
            bool isV7 = v7 && PollyRecognizer.MayBeV7Retry(invocation);
            if (!isV7 && !(standardHandler && HasStandardOptionsLambda(invocation, polly)))
            {
                return;
            }

            var settings = AnalyzerSettings.For(nodeContext.Options, invocation.Syntax.SyntaxTree);
            RetryConstruct? construct = null;
            try
            {
                construct = isV7
                    ? Recognizer(invocation, settings).RecognizeV7(invocation)
                    : Recognizer(invocation, settings).RecognizeStandardHandler(invocation);
            }
            catch (Exception exception) when (Swallow(exception))
            {
            }

            RetryAnalyzer.Report(construct, settings, nodeContext.ReportDiagnostic);
        }

        void AnalyzeCreation(SyntaxNodeAnalysisContext nodeContext, IObjectCreationOperation creation)
        {
            if (polly.RetryOptionsResult(creation.Type) is null)
            {
                return;
            }

            var settings = AnalyzerSettings.For(nodeContext.Options, creation.Syntax.SyntaxTree);
            RetryConstruct? construct = null;
            try
            {
                construct = Recognizer(creation, settings).RecognizeOptions(creation);
            }
            catch (Exception exception) when (Swallow(exception))
            {
            }

            RetryAnalyzer.Report(construct, settings, nodeContext.ReportDiagnostic);
        }
    }

    /// <summary>
    /// <c>policy.ExecuteAsync(...)</c> / <c>pipeline.ExecuteAsync(...)</c> under a retry: RG0006 looks for clients that
    /// retry on their own inside the executed delegate. Registered only when the compilation references such clients.
    /// </summary>
    private static void RegisterExecutions(CompilationStartAnalysisContext context, Func<IOperation, AnalyzerSettings, PollyRecognizer> recognizer)
    {
        context.RegisterSyntaxNodeAction(
            nodeContext =>
            {
                // Cheap syntax test first: only a call named like Execute is bound.
                var call = (InvocationExpressionSyntax)nodeContext.Node;
                if (SyntaxTriggers.InvokedName(call.Expression) is not { } name || !PollyRecognizer.IsExecuteName(name) ||
                    nodeContext.SemanticModel.GetOperation(call, nodeContext.CancellationToken) is not IInvocationOperation invocation ||
                    !PollyRecognizer.MayBeExecute(invocation) || invocation.Instance is null)
                {
                    return;
                }

                var settings = AnalyzerSettings.For(nodeContext.Options, invocation.Syntax.SyntaxTree);
                try
                {
                    if (recognizer(invocation, settings).RecognizeExecution(invocation) is { } executed)
                    {
                        Rules.RG0006StackedRetriesRule.CheckExecuted(executed, nodeContext.ReportDiagnostic);
                    }
                }
                catch (Exception exception) when (Swallow(exception))
                {
                }
            },
            SyntaxKind.InvocationExpression);
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
