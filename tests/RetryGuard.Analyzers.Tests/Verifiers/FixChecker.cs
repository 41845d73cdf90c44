using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using RetryGuard.Analyzers.Keys;

namespace RetryGuard.Analyzers.Tests.Verifiers;

/// <summary>
/// What happens to code that is not in this repository: every action that RetryGuard's exported fix providers offer
/// for every RetryGuard diagnostic of a source is applied on its own, and the result must compile with no error the
/// source did not have, no longer report the diagnostic it fixed where it was (the edited code included), and report no RetryGuard diagnostic of another rule
/// that the source did not have. Runs after every analyzer and code-fix test over its source (hundreds of retry
/// shapes, most of them written to probe the rules, not the fixes), and over <see cref="Fixes.CorpusFixTests"/>'s corpus.
/// The same source also goes through <see cref="TriggerChecker"/> (the syntax triggers must let every retry through).
/// </summary>
internal static class FixChecker
{
    /// <summary>On unless <c>RETRYGUARD_CHECK_ALL_FIXES=0</c> (it adds about a third to the analyzer tests' time).</summary>
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("RETRYGUARD_CHECK_ALL_FIXES") != "0";

    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers =
        ImmutableArray.Create<DiagnosticAnalyzer>(new RetryAnalyzer(), new SharedApiKeyAnalyzer());

    private static readonly ImmutableArray<CodeFixProvider> Providers = typeof(RetryGuard.CodeFixes.RuleCodeFix).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && t.GetCustomAttributes(typeof(ExportCodeFixProviderAttribute), inherit: false).Length > 0)
        .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    /// <summary>Checks every fix of <paramref name="markup"/> (test markup is removed first).</summary>
    public static async Task CheckAsync(string markup, IEnumerable<MetadataReference> references, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary, string? editorConfig = null)
    {
        string source = System.Text.RegularExpressions.Regex.Replace(markup, @"\{\|[A-Za-z0-9#]+:", string.Empty)
            .Replace("|}", string.Empty).Replace("[|", string.Empty).Replace("|]", string.Empty);
        var problems = await ProblemsAsync(source, references, outputKind, editorConfig).ConfigureAwait(false);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, problems));
    }

    /// <summary>How many fix actions are offered over all diagnostics of <paramref name="source"/>.</summary>
    public static async Task<int> CountFixesAsync(string source, IEnumerable<MetadataReference> references) =>
        (await CheckedAsync(source, references, OutputKind.DynamicallyLinkedLibrary, null).ConfigureAwait(false)).Offered.Count;

    /// <summary>The (diagnostic id, equivalence key) of every fix action offered over all diagnostics of <paramref name="source"/>.</summary>
    public static async Task<List<(string Id, string? Key)>> OfferedAsync(string source, IEnumerable<MetadataReference> references) =>
        (await CheckedAsync(source, references, OutputKind.DynamicallyLinkedLibrary, null).ConfigureAwait(false)).Offered;

    public static async Task<List<string>> ProblemsAsync(string source, IEnumerable<MetadataReference> references, OutputKind outputKind, string? editorConfig) =>
        (await CheckedAsync(source, references, outputKind, editorConfig).ConfigureAwait(false)).Problems;

    private static async Task<(List<string> Problems, List<(string Id, string? Key)> Offered)> CheckedAsync(string source, IEnumerable<MetadataReference> references, OutputKind outputKind, string? editorConfig)
    {
        using var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId();
        var documentId = DocumentId.CreateNewId(projectId);
        var solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(projectId, VersionStamp.Default, "Checked", "Checked", LanguageNames.CSharp,
                compilationOptions: new CSharpCompilationOptions(outputKind, allowUnsafe: true),
                parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
                metadataReferences: references))
            .AddDocument(documentId, "Test0.cs", SourceText.From(source), filePath: "/0/Test0.cs");
        if (editorConfig is not null)
        {
            solution = solution.AddAnalyzerConfigDocument(DocumentId.CreateNewId(projectId), ".editorconfig",
                SourceText.From("root = true\n\n[*.cs]\n" + editorConfig), filePath: "/.editorconfig");
        }

        var before = await AnalyzeAsync(solution.GetProject(projectId)!).ConfigureAwait(false);
        var problems = TriggerChecker.Problems((await solution.GetProject(projectId)!.GetCompilationAsync().ConfigureAwait(false))!);
        var offered = new List<(string Id, string? Key)>();
        foreach (var diagnostic in before.Diagnostics)
        {
            var document = solution.GetDocument(documentId)!;
            foreach (var provider in Providers.Where(p => p.FixableDiagnosticIds.Contains(diagnostic.Id)))
            {
                var actions = new List<CodeAction>();
                await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None)).ConfigureAwait(false);
                foreach (var action in actions.SelectMany(Flatten))
                {
                    offered.Add((diagnostic.Id, action.EquivalenceKey));
                    var operations = await action.GetOperationsAsync(CancellationToken.None).ConfigureAwait(false);
                    var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
                    var after = await AnalyzeAsync(changed.GetProject(projectId)!).ConfigureAwait(false);
                    var text = (await changed.GetDocument(documentId)!.GetTextAsync().ConfigureAwait(false)).ToString();
                    var what = $"{provider.GetType().Name} '{action.Title}' ({action.EquivalenceKey}) on {diagnostic}";

                    var newErrors = NewOnes(before.Errors, after.Errors);
                    if (newErrors.Count > 0)
                    {
                        problems.Add($"{what}: new compiler errors {string.Join("; ", newErrors)}\n--- fixed code ---\n{text}");
                    }

                    var region = await MovedAsync(diagnostic.Location.SourceSpan, document, changed.GetDocument(documentId)!).ConfigureAwait(false);
                    if (after.Diagnostics.Any(d => d.Id == diagnostic.Id && d.Location.SourceSpan.IntersectsWith(region)))
                    {
                        problems.Add($"{what}: the diagnostic is still reported\n--- fixed code ---\n{text}");
                    }

                    var newRules = NewOnes(
                        before.Diagnostics.Where(d => d.Id != diagnostic.Id).Select(d => d.Id).ToList(),
                        after.Diagnostics.Where(d => d.Id != diagnostic.Id).Select(d => d.Id).ToList());
                    if (newRules.Count > 0)
                    {
                        problems.Add($"{what}: new RetryGuard diagnostics {string.Join(", ", after.Diagnostics.Where(d => newRules.Contains(d.Id)))}\n--- fixed code ---\n{text}");
                    }
                }
            }
        }

        return (problems, offered);
    }

    /// <summary>Where <paramref name="span"/> of <paramref name="before"/> is in <paramref name="after"/>, the edits inside it included.</summary>
    private static async Task<TextSpan> MovedAsync(TextSpan span, Document before, Document after)
    {
        int start = span.Start, end = span.End;
        foreach (var change in (await after.GetTextChangesAsync(before).ConfigureAwait(false)).OrderByDescending(c => c.Span.Start))
        {
            int delta = change.NewText!.Length - change.Span.Length;
            if (change.Span.End <= span.Start)
            {
                start += delta;
                end += delta;
            }
            else if (change.Span.Start < span.End)
            {
                end += delta;
                start = Math.Min(start, change.Span.Start);
                end = Math.Max(end, change.Span.Start + change.NewText.Length);
            }
        }

        return TextSpan.FromBounds(start, Math.Max(start, end));
    }

    private static IEnumerable<CodeAction> Flatten(CodeAction action) =>
        action.NestedActions.IsDefaultOrEmpty ? new[] { action } : action.NestedActions.SelectMany(Flatten);

    /// <summary>The items of <paramref name="after"/> beyond those of <paramref name="before"/> (as multisets).</summary>
    private static List<string> NewOnes(IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        var left = before.GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        var extra = new List<string>();
        foreach (var item in after)
        {
            if (left.TryGetValue(item, out var count) && count > 0)
            {
                left[item] = count - 1;
            }
            else
            {
                extra.Add(item);
            }
        }

        return extra;
    }

    private static async Task<(List<string> Errors, ImmutableArray<Diagnostic> Diagnostics)> AnalyzeAsync(Project project)
    {
        var compilation = (await project.GetCompilationAsync().ConfigureAwait(false))!;
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => $"{d.Id}: {d.GetMessage()}").ToList();
        var analyzed = await compilation.WithAnalyzers(Analyzers, project.AnalyzerOptions).GetAnalyzerDiagnosticsAsync().ConfigureAwait(false);
        var diagnostics = analyzed.Where(d => d.Id.StartsWith("RG", StringComparison.Ordinal) || d.Id == "AD0001")
            .OrderBy(d => d.Location.SourceSpan.Start)
            .ToImmutableArray();
        var crashes = diagnostics.Where(d => d.Id == "AD0001").ToList();
        Assert.True(crashes.Count == 0, string.Join(Environment.NewLine, crashes));
        return (errors, diagnostics);
    }
}
