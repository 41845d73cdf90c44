using System;
using Microsoft.CodeAnalysis;
using RetryGuard.Analyzers.Model;

namespace RetryGuard.Analyzers.Rules;

/// <summary>RG0002: the retry status set meets the statuses that must not be retried.</summary>
internal static class RG0002NonRetryableStatusRule
{
    private static readonly StatusSet AuthStatuses = StatusSet.Of(401, 403);

    public static void Check(RetryConstruct construct, AnalyzerSettings settings, Action<Diagnostic> report)
    {
        foreach (var admission in construct.Admissions)
        {
            var slipping = admission.Statuses.Intersect(settings.NonRetryable);
            if (admission.ChangesRequestFirst)
            {
                // A token refresh before the next attempt makes 401/403 worth one more try.
                slipping = slipping.Intersect(AuthStatuses.Complement());
            }

            if (!slipping.IsEmpty)
            {
                var properties = admission.ChangesRequestFirst
                    ? System.Collections.Immutable.ImmutableDictionary<string, string?>.Empty.Add(HandWrittenFixProperties.ChangesRequestFirst, "true")
                    : null;
                report(Diagnostic.Create(RuleCatalog.RG0002NonRetryableStatus, admission.Location, properties, slipping.ToString()));
            }
        }
    }
}
