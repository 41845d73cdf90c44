using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using RetryGuard.Analyzers;
using RetryGuard.CodeFixes.Polly;

namespace RetryGuard.CodeFixes;

/// <summary>
/// RG0002 (retries a caller error). Targeted fix, the first action: retry only retryable statuses — a hand-written
/// catch or status check, or a Polly / resilience-handler predicate, is narrowed with <c>HttpStatusPolicy.IsRetryable</c>.
/// A loop of the common shape can also be replaced by <c>RetryGuardPolicy</c>.
/// Parts: <see cref="RG0002NonRetryableStatusLoopFix"/>, <see cref="RG0002NonRetryablePollyCodeFix"/>, <see cref="UseRetryGuardPolicyCodeFix"/>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RG0002NonRetryableStatusCodeFix)), Shared]
public sealed class RG0002NonRetryableStatusCodeFix : RuleCodeFix
{
    public const string EquivalenceKey = "RG0002.RetryableStatusesOnly";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleCatalog.RG0002NonRetryableStatus.Id);

    protected override string FixKey => EquivalenceKey;

    private protected override ImmutableArray<DocumentBatchFix> Parts { get; } =
        ImmutableArray.Create<DocumentBatchFix>(new RG0002NonRetryableStatusLoopFix(), new RG0002NonRetryablePollyCodeFix(), new UseRetryGuardPolicyCodeFix());
}
