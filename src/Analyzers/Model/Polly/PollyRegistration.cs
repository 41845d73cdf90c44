using System;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model.Polly;

/// <summary>
/// Registers the Polly / Microsoft.Extensions.Http.Resilience recognizer for one compilation: nothing when the
/// compilation references none of them. Each recognised construct goes to the same rule checkers as loops.
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

        if (polly.HasV7 || polly.HasStandardHandler)
        {
            context.RegisterOperationAction(
                operationContext =>
                {
                    var invocation = (IInvocationOperation)operationContext.Operation;
                    bool v7 = polly.HasV7 && PollyRecognizer.MayBeV7Retry(invocation);
                    if (!v7 && !(polly.HasStandardHandler && HasStandardOptionsLambda(invocation, polly)))
                    {
                        return;
                    }

                    var settings = AnalyzerSettings.For(operationContext.Options, invocation.Syntax.SyntaxTree);
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

                    RetryAnalyzer.Report(construct, settings, operationContext.ReportDiagnostic);
                },
                OperationKind.Invocation);
        }

        if ((polly.HasV7 || polly.HasV8) && Rules.RG0006StackedRetriesRule.MayApply(compilation))
        {
            RegisterExecutions(context, Recognizer);
        }

        if (polly.HasV8)
        {
            context.RegisterOperationAction(
                operationContext =>
                {
                    var creation = (IObjectCreationOperation)operationContext.Operation;
                    if (polly.RetryOptionsResult(creation.Type) is null)
                    {
                        return;
                    }

                    var settings = AnalyzerSettings.For(operationContext.Options, creation.Syntax.SyntaxTree);
                    RetryConstruct? construct = null;
                    try
                    {
                        construct = Recognizer(creation, settings).RecognizeOptions(creation);
                    }
                    catch (Exception exception) when (Swallow(exception))
                    {
                    }

                    RetryAnalyzer.Report(construct, settings, operationContext.ReportDiagnostic);
                },
                OperationKind.ObjectCreation);
        }
    }

    /// <summary>
    /// <c>policy.ExecuteAsync(...)</c> / <c>pipeline.ExecuteAsync(...)</c> under a retry: RG0006 looks for clients that
    /// retry on their own inside the executed delegate. Registered only when the compilation references such clients.
    /// </summary>
    private static void RegisterExecutions(CompilationStartAnalysisContext context, Func<IOperation, AnalyzerSettings, PollyRecognizer> recognizer)
    {
        context.RegisterOperationAction(
            operationContext =>
            {
                var invocation = (IInvocationOperation)operationContext.Operation;
                if (!PollyRecognizer.MayBeExecute(invocation) || invocation.Instance is null)
                {
                    return;
                }

                var settings = AnalyzerSettings.For(operationContext.Options, invocation.Syntax.SyntaxTree);
                try
                {
                    if (recognizer(invocation, settings).RecognizeExecution(invocation) is { } executed)
                    {
                        Rules.RG0006StackedRetriesRule.CheckExecuted(executed, operationContext.ReportDiagnostic);
                    }
                }
                catch (Exception exception) when (Swallow(exception))
                {
                }
            },
            OperationKind.Invocation);
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
