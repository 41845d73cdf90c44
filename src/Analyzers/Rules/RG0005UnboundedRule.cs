using System;
using Microsoft.CodeAnalysis;
using RetryGuard.Analyzers.Model;

namespace RetryGuard.Analyzers.Rules;

/// <summary>RG0005: nothing but success ends the retrying.</summary>
internal static class RG0005UnboundedRule
{
    public static void Check(RetryConstruct construct, Action<Diagnostic> report)
    {
        if (construct.Bound is { Kind: BoundKind.Unbounded, Location: { } location } bound)
        {
            report(Diagnostic.Create(RuleCatalog.RG0005Unbounded, location, bound.Detail ?? "it retries until it succeeds"));
        }
    }
}
