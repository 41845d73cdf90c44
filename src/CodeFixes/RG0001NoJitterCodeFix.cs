using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using RetryGuard.Analyzers;
using RetryGuard.CodeFixes.Polly;

namespace RetryGuard.CodeFixes;

/// <summary>
/// RG0001 (retry backoff without jitter). Targeted fix, the first action: add jitter — a hand-written wait is wrapped in
/// <c>Backoff.WithJitter(...)</c>, a Polly / resilience-handler configuration gets its jitter setting or a jittered
/// delay helper. A recognised hand-written exponential can also become <c>Backoff.Exponential(attempt, base, max)</c>,
/// and a loop of the common shape can be replaced by <c>RetryGuardPolicy</c>.
/// Parts: <see cref="RG0001NoJitterLoopFix"/>, <see cref="RG0001NoJitterPollyCodeFix"/>, <see cref="UseRetryGuardPolicyCodeFix"/>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RG0001NoJitterCodeFix)), Shared]
public sealed class RG0001NoJitterCodeFix : RuleCodeFix
{
    public const string EquivalenceKey = "RG0001.AddJitter";
    public const string ExponentialEquivalenceKey = "RG0001.Exponential";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleCatalog.RG0001NoJitter.Id);

    protected override string FixKey => EquivalenceKey;

    private protected override ImmutableArray<DocumentBatchFix> Parts { get; } =
        ImmutableArray.Create<DocumentBatchFix>(new RG0001NoJitterLoopFix(), new RG0001NoJitterPollyCodeFix(), new UseRetryGuardPolicyCodeFix());
}
