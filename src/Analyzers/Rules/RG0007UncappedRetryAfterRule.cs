using System;
using Microsoft.CodeAnalysis;
using RetryGuard.Analyzers.Model;

namespace RetryGuard.Analyzers.Rules;

/// <summary>RG0007: the wait is the server's Retry-After with no upper bound, or a bound above the limit.</summary>
internal static class RG0007UncappedRetryAfterRule
{
    public static void Check(RetryConstruct construct, AnalyzerSettings settings, Action<Diagnostic> report)
    {
        foreach (var delay in construct.Delays)
        {
            if (!delay.Sources.Has(DelaySource.RetryAfter))
            {
                continue;
            }

            string? problem = null;
            if (!delay.Sources.Has(DelaySource.Capped))
            {
                problem = "with no upper bound";
            }
            else if (delay.Cap is { } cap && cap > settings.MaxRetryAfter)
            {
                problem = $"capped at {Durations.Format(cap)}, above the {Durations.Format(settings.MaxRetryAfter)} limit";
            }

            if (problem is not null)
            {
                report(Diagnostic.Create(RuleCatalog.RG0007UncappedRetryAfter, delay.Location, HandWrittenFixProperties.MaxRetryAfter(settings.MaxRetryAfter), delay.Display, problem, Durations.Format(settings.MaxRetryAfter)));
            }
        }
    }
}
