using Microsoft.CodeAnalysis;
using RetryGuard.Analyzers.Tests.Verifiers;
using RetryGuard.Benchmarks;

namespace RetryGuard.Analyzers.Tests.Fixes;

/// <summary>
/// Every fix offered on the benchmark corpus's retry shapes (one file of each of its 18 shapes, with ordinary code
/// around them: services, LINQ, a polling loop, a batch loop) applied one by one: no new compiler error, the
/// diagnostic gone, no other rule newly reported (<see cref="FixChecker"/>).
/// </summary>
public class CorpusFixTests
{
    private const int Shapes = 18;

    private static readonly IReadOnlyList<MetadataReference> References =
    [
        .. TestReferences.Net100, TestReferences.Runtime, TestReferences.RuntimeLogging, .. TestReferences.Polly, .. TestReferences.OpenAI,
    ];

    public static TheoryData<int> ShapeFiles()
    {
        var data = new TheoryData<int>();
        for (int shape = 0; shape < Shapes; shape++)
        {
            data.Add(shape * 3);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ShapeFiles))]
    public async Task Every_fix_on_the_file_compiles_and_removes_its_diagnostic(int file)
    {
        var problems = await FixChecker.ProblemsAsync(Corpus.File(file, out bool hasShape), References, OutputKind.DynamicallyLinkedLibrary, editorConfig: null);
        Assert.True(hasShape);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, problems));
    }

    [Fact]
    public void The_ordinary_code_of_the_corpus_is_never_bound_by_the_retry_analysis()
    {
        // The analyzer's cost on code without retries: its polling loop (waits only on 202), its batch loop (a pause
        // every item takes), its counting and string-building loops start nothing the retry analysis binds.
        int loops = 0;
        foreach (int file in new[] { 1, 2, 4, 5 })
        {
            var root = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(Corpus.File(file, out bool hasShape)).GetRoot();
            Assert.False(hasShape);
            foreach (var node in root.DescendantNodes())
            {
                loops += node is Microsoft.CodeAnalysis.CSharp.Syntax.WhileStatementSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.CommonForEachStatementSyntax ? 1 : 0;
                Assert.False(RetryGuard.Analyzers.Model.SyntaxTriggers.IsRetryTrigger(node, () => true), $"file {file} binds:\n{node}");
            }
        }

        Assert.True(loops >= 4 * 4, $"only {loops} loops in the ordinary corpus files");
    }

    [Fact]
    public async Task The_corpus_gives_the_fixes_work()
    {
        // A check that cannot pass vacuously: the shapes carry diagnostics that fixes are offered for.
        int offered = 0;
        for (int shape = 0; shape < Shapes; shape++)
        {
            offered += await FixChecker.CountFixesAsync(Corpus.File(shape * 3, out _), References);
        }

        Assert.True(offered >= 12, $"only {offered} fixes offered on the corpus shapes");
    }
}
