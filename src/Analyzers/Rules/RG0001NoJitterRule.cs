using Microsoft.CodeAnalysis;
using RetryGuard.Analyzers.Model;

namespace RetryGuard.Analyzers.Rules;

/// <summary>RG0001: a wait between attempts whose duration has no random component.</summary>
internal static class RG0001NoJitterRule
{
    public static void Check(RetryConstruct construct, System.Action<Diagnostic> report)
    {
        foreach (var delay in construct.Delays)
        {
            if (!delay.Sources.IsDeterministic() || IsNoWait(delay.Node))
            {
                continue;
            }

            report(Diagnostic.Create(RuleCatalog.RG0001NoJitter, delay.Location, delay.Display));
        }
    }

    /// <summary><c>Task.Delay(0)</c> yields, <c>Timeout.Infinite</c> blocks: neither is a backoff to jitter.</summary>
    private static bool IsNoWait(IOperation? node)
    {
        var delay = node is Microsoft.CodeAnalysis.Operations.IInvocationOperation wait ? RetryRecognizer.DelayArgument(wait) : null;
        var value = delay?.ConstantValue;
        return value is { HasValue: true, Value: int milliseconds } && milliseconds <= 0;
    }
}
