using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.CodeAnalysis;
using RetryGuard.Benchmarks;

// `dotnet run -c Release -- corpus [files]` prints what the analyzers find in the corpus (a check that it exercises them);
// `time [files]` times one pass of each analyzer-benchmark body (a quick look, not a measurement);
// anything else goes to BenchmarkDotNet (`--filter '*Analyzer*'`, `--filter '*Runtime*'`, `--list flat`).
if (args.Length > 0 && args[0] == "corpus")
{
    CorpusCheck.Print(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3000);
    return;
}

if (args.Length > 0 && args[0] == "time")
{
    CorpusCheck.Time(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300);
    return;
}

IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Corpus).Assembly).Run(args);
Derived.Print(summaries);

internal static class CorpusCheck
{
    /// <summary>One timed pass of each benchmark body (a quick look, not a measurement).</summary>
    public static void Time(int files)
    {
        AnalyzerBenchmarks bench = new() { Files = files };
        bench.Setup();
        foreach ((string name, Func<int> body) in new (string, Func<int>)[]
                 {
                     ("compiler only", bench.CompilerOnly), ("empty analyzer", bench.EmptyAnalyzer),
                     ("RetryGuard", bench.RetryGuardAnalyzers), ("empty, no refs", bench.EmptyAnalyzerNoReferences),
                     ("RetryGuard, no refs", bench.RetryGuardNoReferences),
                 })
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            int count = body();
            Console.WriteLine($"{name}: {watch.ElapsedMilliseconds} ms ({count} diagnostics)");
        }

        // Each RetryGuard analyzer on its own, against the empty analyzer, to see where the time goes.
        Corpus.Files corpus = Corpus.Build(files);
        foreach (var analyzer in Analysis.RetryGuardAnalyzers.Prepend(new EmptyAnalyzer()))
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            int count = Analysis.Run(Analysis.Compile(corpus.Trees, Analysis.References), [analyzer]).Length;
            Console.WriteLine($"only {analyzer.GetType().Name}: {watch.ElapsedMilliseconds} ms ({count} diagnostics)");
        }
    }

    public static void Print(int files)
    {
        Corpus.Files corpus = Corpus.Build(files);
        Console.WriteLine($"{corpus.Trees.Count} files, {corpus.Lines} lines, {corpus.RetryShapes} retry shapes");
        Console.WriteLine("RetryGuard analyzers: " + string.Join(", ", Analysis.RetryGuardAnalyzers.Select(a => a.GetType().Name)));
        var compilation = Analysis.Compile(corpus.Trees, Analysis.References);
        var compilerErrors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Console.WriteLine($"compiler errors: {compilerErrors.Count}");
        foreach (Diagnostic error in compilerErrors.Take(5))
        {
            Console.WriteLine("  " + error);
        }

        foreach (var group in Analysis.Run(compilation, Analysis.RetryGuardAnalyzers)
                     .Where(d => d.Id.StartsWith("RG", StringComparison.Ordinal))
                     .GroupBy(d => d.Id).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"{group.Key}: {group.Count()}");
        }

        int bailOut = Analysis.Run(Analysis.Compile(corpus.Trees, []), Analysis.RetryGuardAnalyzers)
            .Count(d => d.Id.StartsWith("RG", StringComparison.Ordinal));
        Console.WriteLine($"RG diagnostics without references (bail-out): {bailOut}");
    }
}

/// <summary>Numbers derived from one run: analyzer share of compile time, per 1,000 lines.</summary>
internal static class Derived
{
    public static void Print(IEnumerable<Summary> summaries)
    {
        foreach (Summary summary in summaries)
        {
            double? Mean(string method) => summary.Reports
                .FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method && r.ResultStatistics is not null)
                ?.ResultStatistics!.Mean;

            if (Mean("CompilerOnly") is { } compiler && Mean("EmptyAnalyzer") is { } empty && Mean("RetryGuardAnalyzers") is { } rg)
            {
                int files = AnalyzerBenchmarks.CorpusFiles;
                int lines = Corpus.Build(files).Lines;
                double analyzerNs = rg - empty;
                StringBuilder text = new();
                text.AppendLine();
                text.AppendLine("| Derived (same run) | Value |");
                text.AppendLine("|---|---|");
                text.AppendLine(CultureInfo.InvariantCulture, $"| Corpus | {files:N0} files, {lines:N0} lines |");
                text.AppendLine(CultureInfo.InvariantCulture, $"| Compile (compiler only) | {compiler / 1e6:F0} ms |");
                text.AppendLine(CultureInfo.InvariantCulture, $"| Analyzer driver (empty analyzer − compiler only) | {(empty - compiler) / 1e6:F0} ms |");
                text.AppendLine(CultureInfo.InvariantCulture, $"| RetryGuard analyzers (RetryGuard − empty analyzer) | {analyzerNs / 1e6:F1} ms |");
                text.AppendLine(CultureInfo.InvariantCulture, $"| … as a share of compile time | {analyzerNs / compiler:P2} |");
                text.AppendLine(CultureInfo.InvariantCulture, $"| … per 1,000 lines | {analyzerNs / 1e6 / (lines / 1000.0):F2} ms |");
                if (Mean("EmptyAnalyzerNoReferences") is { } emptyBare && Mean("RetryGuardNoReferences") is { } rgBare)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"| Bail-out (no references): RetryGuard − empty analyzer | {(rgBare - emptyBare) / 1e6:F1} ms ({(rgBare - emptyBare) / emptyBare:P2} of that compilation) |");
                }

                Console.WriteLine(text.ToString());
                string file = Path.Combine(summary.ResultsDirectoryPath, "analyzer-derived.md");
                File.WriteAllText(file, text.ToString());
                Console.WriteLine("Derived numbers written to " + file);
            }
        }
    }
}
