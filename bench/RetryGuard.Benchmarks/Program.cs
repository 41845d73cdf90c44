using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using RetryGuard.Benchmarks;

// `dotnet run -c Release -- corpus` prints what the analyzers find in the corpus (a check that it exercises them);
// anything else goes to BenchmarkDotNet (`--filter '*Analyzer*'`, `--filter '*Runtime*'`, `--list flat`).
if (args.Length > 0 && args[0] == "corpus")
{
    CorpusCheck.Print(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3000);
    return;
}

if (args.Length > 0 && args[0] == "telemetry")
{
    CorpusCheck.Telemetry(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : AnalyzerBenchmarks.CorpusFiles);
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
    }

    /// <summary>
    /// The analyzer driver's own account of the time spent in RetryGuard's callbacks (logAnalyzerExecutionTime), against
    /// the compiler-only time measured in the same process, three rounds each. Less exposed to machine noise than the
    /// difference of two whole-compilation means.
    /// </summary>
    public static void Telemetry(int files)
    {
        Corpus.Files corpus = Corpus.Build(files);
        Console.WriteLine($"{corpus.Trees.Count} files, {corpus.Lines} lines");
        List<double> compile = new(), analyzer = new(), bare = new();
        for (int round = 0; round < 4; round++)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Analysis.Compile(corpus.Trees, Analysis.References).GetDiagnostics();
            double compileMs = watch.Elapsed.TotalMilliseconds;
            double rgMs = AnalyzerMs(Analysis.Compile(corpus.Trees, Analysis.References));
            double bareMs = AnalyzerMs(Analysis.Compile(corpus.Trees, []));
            if (round == 0)
            {
                Console.WriteLine($"warm-up round: compile {compileMs:F0} ms, RetryGuard {rgMs:F1} ms, bail-out {bareMs:F2} ms");
                continue;
            }

            compile.Add(compileMs);
            analyzer.Add(rgMs);
            bare.Add(bareMs);
            Console.WriteLine($"round {round}: compile {compileMs:F0} ms, RetryGuard {rgMs:F1} ms ({rgMs / compileMs:P2}), bail-out {bareMs:F2} ms");
        }

        double c = compile.Average(), a = analyzer.Average(), b = bare.Average();
        Console.WriteLine();
        Console.WriteLine("| Analyzer telemetry (same process, mean of 3) | Value |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| Corpus | {corpus.Trees.Count:N0} files, {corpus.Lines:N0} lines |");
        Console.WriteLine($"| Compile (compiler only) | {c:F0} ms |");
        Console.WriteLine($"| Time in RetryGuard's analyzer callbacks | {a:F1} ms |");
        Console.WriteLine($"| … as a share of compile time | {a / c:P2} |");
        Console.WriteLine($"| … per 1,000 lines | {a / (corpus.Lines / 1000.0):F2} ms |");
        Console.WriteLine($"| Bail-out compilation (no references): time in RetryGuard's callbacks | {b:F2} ms |");

        static double AnalyzerMs(Compilation compilation)
        {
            var withAnalyzers = compilation.WithAnalyzers(
                Analysis.RetryGuardAnalyzers,
                new CompilationWithAnalyzersOptions(
                    new AnalyzerOptions([]),
                    onAnalyzerException: null,
                    concurrentAnalysis: false,
                    logAnalyzerExecutionTime: true));
            withAnalyzers.GetAllDiagnosticsAsync().GetAwaiter().GetResult();
            return Analysis.RetryGuardAnalyzers
                .Sum(a => withAnalyzers.GetAnalyzerTelemetryInfoAsync(a, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds);
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
