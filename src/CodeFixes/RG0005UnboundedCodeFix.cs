using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using RetryGuard.Analyzers;
using RetryGuard.CodeFixes.Polly;

namespace RetryGuard.CodeFixes;

/// <summary>
/// RG0005 (a retry without a bound). Targeted fix, the first action: bound it — an attempt cap (<c>const int
/// MaxAttempts = 5</c>) on a hand-written loop, a bounded overload instead of Polly's <c>*Forever*</c>. A loop of the
/// common shape can also be replaced by <c>RetryGuardPolicy</c>.
/// Parts: <see cref="RG0005UnboundedLoopFix"/>, <see cref="RG0005UnboundedPollyCodeFix"/>, <see cref="UseRetryGuardPolicyCodeFix"/>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RG0005UnboundedCodeFix)), Shared]
public sealed class RG0005UnboundedCodeFix : RuleCodeFix
{
    public const string EquivalenceKey = "RG0005.AttemptCap";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleCatalog.RG0005Unbounded.Id);

    protected override string FixKey => EquivalenceKey;

    private protected override ImmutableArray<DocumentBatchFix> Parts { get; } =
        ImmutableArray.Create<DocumentBatchFix>(new RG0005UnboundedLoopFix(), new RG0005UnboundedPollyCodeFix(), new UseRetryGuardPolicyCodeFix());
}
