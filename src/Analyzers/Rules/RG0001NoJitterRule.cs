using Microsoft.CodeAnalysis;
using RetryGuard.Analyzers.Model;

namespace RetryGuard.Analyzers.Rules;

/// <summary>RG0001: a wait between attempts whose duration has no random component.</summary>
internal static class RG0001NoJitterRule
{
    public static void Check(RetryConstruct construct, System.Action<Diagnostic> report)
    {
        foreach (var wait in construct.Waits)
        {
            if (!wait.Sources.IsDeterministic() || IsNoWait(wait.Delay))
            {
                continue;
            }

            report(Diagnostic.Create(
                RuleCatalog.RG0001NoJitter,
                wait.Invocation.Syntax.GetLocation(),
                Display.Shorten(wait.Invocation.Syntax.ToString())));
        }
    }

    /// <summary><c>Task.Delay(0)</c> yields, <c>Timeout.Infinite</c> blocks: neither is a backoff to jitter.</summary>
    private static bool IsNoWait(IOperation? delay)
    {
        var value = delay?.ConstantValue;
        return value is { HasValue: true, Value: int milliseconds } && milliseconds <= 0;
    }
}
