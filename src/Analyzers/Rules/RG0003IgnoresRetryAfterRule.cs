using System;
using Microsoft.CodeAnalysis;
using RetryGuard.Analyzers.Model;

namespace RetryGuard.Analyzers.Rules;

/// <summary>RG0003: 429 is retried and the wait does not come from Retry-After.</summary>
internal static class RG0003IgnoresRetryAfterRule
{
    public const int TooManyRequests = 429;

    public static void Check(RetryConstruct construct, AnalyzerSettings settings, Action<Diagnostic> report)
    {
        foreach (var delay in construct.Delays)
        {
            // A delay the analysis cannot see through may well be the server's: no guess.
            if (delay.Statuses is { } statuses && statuses.Contains(TooManyRequests) &&
                !delay.Sources.Has(DelaySource.RetryAfter) && !delay.Sources.Has(DelaySource.Unknown))
            {
                var properties = HandWrittenFixProperties.MaxRetryAfter(settings.MaxRetryAfter)
                    .Add(HandWrittenFixProperties.DelayHasJitter, delay.Sources.Has(DelaySource.Random) ? "true" : "false");
                if (delay.LibraryRetryAfterUnbounded)
                {
                    properties = properties.Add(HandWrittenFixProperties.LibraryRetryAfterUnbounded, "true");
                }

                report(Diagnostic.Create(RuleCatalog.RG0003IgnoresRetryAfter, delay.Location, properties, delay.Display));
            }
        }
    }
}
