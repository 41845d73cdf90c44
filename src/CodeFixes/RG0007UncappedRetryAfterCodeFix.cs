using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using RetryGuard.Analyzers;
using RetryGuard.CodeFixes.Polly;

namespace RetryGuard.CodeFixes;

/// <summary>
/// RG0007 (Retry-After slept without a cap). Targeted fix, the first action: cap it — a hand-written wait above
/// <c>MaxRetryAfter</c> is surfaced as <c>RateLimitExceededException</c>, a Polly <c>DelayGenerator</c>'s Retry-After is
/// guarded by the cap. A loop of the common shape can also be replaced by <c>RetryGuardPolicy</c>.
/// Parts: <see cref="RG0007UncappedRetryAfterLoopFix"/>, <see cref="RG0007CapRetryAfterPollyCodeFix"/>, <see cref="UseRetryGuardPolicyCodeFix"/>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RG0007UncappedRetryAfterCodeFix)), Shared]
public sealed class RG0007UncappedRetryAfterCodeFix : RuleCodeFix
{
    public const string EquivalenceKey = "RG0007.CapRetryAfter";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleCatalog.RG0007UncappedRetryAfter.Id);

    protected override string FixKey => EquivalenceKey;

    private protected override ImmutableArray<DocumentBatchFix> Parts { get; } =
        ImmutableArray.Create<DocumentBatchFix>(new RG0007UncappedRetryAfterLoopFix(), new RG0007CapRetryAfterPollyCodeFix(), new UseRetryGuardPolicyCodeFix());
}
