using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using RetryGuard.Analyzers;
using RetryGuard.CodeFixes.Polly;

namespace RetryGuard.CodeFixes;

/// <summary>
/// RG0003 (a 429 retried without reading Retry-After). Targeted fix, the first action: wait what the server asked, up to
/// the cap — <c>RetryAfter.GetDelay(response)</c> in a hand-written loop, a capped Retry-After <c>DelayGenerator</c>
/// in a Polly pipeline, <c>ShouldRetryAfterHeader = false</c> removed from a resilience handler. A loop of the common
/// shape is not offered the whole-policy rewrite here: the policy cannot read Retry-After from the exception an attempt
/// throws, so it would not fix what this rule reports.
/// Parts: <see cref="RG0003IgnoresRetryAfterLoopFix"/>, <see cref="RG0003RetryAfterPollyCodeFix"/>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RG0003IgnoresRetryAfterCodeFix)), Shared]
public sealed class RG0003IgnoresRetryAfterCodeFix : RuleCodeFix
{
    public const string EquivalenceKey = "RG0003.UseRetryAfter";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleCatalog.RG0003IgnoresRetryAfter.Id);

    protected override string FixKey => EquivalenceKey;

    private protected override ImmutableArray<DocumentBatchFix> Parts { get; } =
        ImmutableArray.Create<DocumentBatchFix>(new RG0003IgnoresRetryAfterLoopFix(), new RG0003RetryAfterPollyCodeFix());
}
