using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests.Fixes;

/// <summary>
/// The sample's NaiveChatClient.cs fixed the way <c>dotnet format analyzers</c> fixes it: one rule id at a time, in
/// an order it does not promise, each time re-analysing, taking the first action offered for the first diagnostic
/// and applying its Fix All to the solution with every provider of that id. Whatever the order, every RG0001/2/3/5/7
/// must be gone and the code must compile without a warning.
/// </summary>
public class SampleFixAllTests
{
    private static readonly string SampleFolder = Path.Combine(AppContext.BaseDirectory, "sample");

    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    [Theory]
    [InlineData("RG0001 RG0002 RG0003 RG0005 RG0007")]
    [InlineData("RG0007 RG0005 RG0003 RG0002 RG0001")]
    [InlineData("RG0003 RG0001 RG0007 RG0005 RG0002")]
    public async Task Every_retry_rule_in_the_sample_is_fixed_in_any_order(string order)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.CurrentSolution
            .AddProject("Sample", "Sample", LanguageNames.CSharp)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable))
            .WithParseOptions(new CSharpParseOptions(LanguageVersion.Latest))
            .WithMetadataReferences(TestReferences.Net100.Add(TestReferences.Runtime));
        project = project.AddDocument("GlobalUsings.cs", GlobalUsings).Project;
        project = project.AddDocument("ChatApi.cs", File.ReadAllText(Path.Combine(SampleFolder, "ChatApi.cs"))).Project;
        var naive = project.AddDocument("NaiveChatClient.cs", File.ReadAllText(Path.Combine(SampleFolder, "NaiveChatClient.cs")), filePath: "/sample/NaiveChatClient.cs");
        var solution = naive.Project.Solution;
        var projectId = naive.Project.Id;

        var before = await RetryDiagnosticsAsync(solution.GetProject(projectId)!);
        Assert.Equal(["RG0001", "RG0002", "RG0003", "RG0005", "RG0007"], before.Select(d => d.Id).Distinct().Order());

        var providers = typeof(RetryGuard.CodeFixes.DocumentBatchFix).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t))
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .ToList();

        foreach (var id in order.Split(' '))
        {
            var diagnostics = (await RetryDiagnosticsAsync(solution.GetProject(projectId)!)).Where(d => d.Id == id).ToImmutableArray();
            if (diagnostics.IsEmpty)
            {
                continue;
            }

            // dotnet format skips a provider whose Fix All does not reach the solution ("Use RetryGuard policy").
            foreach (var provider in providers.Where(p => p.FixableDiagnosticIds.Contains(id) &&
                                                          p.GetFixAllProvider()?.GetSupportedFixAllScopes().Contains(FixAllScope.Solution) == true))
            {
                solution = await FixAllAsync(solution, projectId, provider, id, diagnostics);
            }
        }

        var fixedProject = solution.GetProject(projectId)!;
        var after = await RetryDiagnosticsAsync(fixedProject);
        var compilation = (await fixedProject.GetCompilationAsync())!;
        var problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id is not ("CS1701" or "CS1702")).ToList();
        string text = (await fixedProject.Documents.Single(d => d.Name == "NaiveChatClient.cs").GetTextAsync()).ToString();
        Assert.True(after.IsEmpty && problems.Count == 0,
            $"Left after the fixes: {string.Join("; ", after.Concat(problems))}\n{text}");
    }

    private static async Task<ImmutableArray<Diagnostic>> RetryDiagnosticsAsync(Project project)
    {
        var compilation = (await project.GetCompilationAsync())!;
        var diagnostics = await compilation.WithAnalyzers([new RetryAnalyzer()]).GetAnalyzerDiagnosticsAsync();
        return diagnostics.Where(d => d.Location.SourceTree?.FilePath == "/sample/NaiveChatClient.cs").ToImmutableArray();
    }

    /// <summary>
    /// What dotnet format's solution code-fix applier does with one provider and one id: the diagnostics are those of
    /// the analysis before the first provider of the id ran (a later provider whose document changed is skipped); the
    /// key is the first action's for the first diagnostic, null when the provider offers none for it.
    /// </summary>
    private static async Task<Solution> FixAllAsync(Solution solution, ProjectId projectId, CodeFixProvider provider, string id, ImmutableArray<Diagnostic> diagnostics)
    {
        var document = solution.GetDocument(diagnostics[0].Location.SourceTree);
        if (document is null)
        {
            return solution;
        }

        CodeAction? first = null;
        var context = new CodeFixContext(document, diagnostics[0], (action, _) => first ??= action, CancellationToken.None);
        await provider.RegisterCodeFixesAsync(context);

        var fixAll = new FixAllContext(
            document, provider, FixAllScope.Solution, first?.EquivalenceKey!, [id], new FixedDiagnostics(projectId, diagnostics), CancellationToken.None);
        var action = await provider.GetFixAllProvider()!.GetFixAsync(fixAll);
        if (action is null)
        {
            return solution;
        }

        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        return changed.GetChanges(solution).GetProjectChanges().Any() ? changed : solution;
    }

    private sealed class FixedDiagnostics(ProjectId projectId, ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            GetProjectDiagnosticsAsync(project, cancellationToken);

        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(document.Project.Id == projectId
                ? diagnostics.Where(d => d.Location.SourceTree?.FilePath == document.FilePath).ToList()
                : []);

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(project.Id == projectId ? diagnostics : []);
    }
}
