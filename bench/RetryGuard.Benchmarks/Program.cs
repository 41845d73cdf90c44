using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using RetryGuard.Benchmarks;

// `dotnet run -c Release -- corpus [files]` prints what the analyzers find in the corpus (a check that it exercises them);
// `time [files] [rounds] [--no-split]` measures CPU time and allocations of each analyzer-benchmark body, rounds
// interleaved (on a loaded machine CPU time is steadier than BenchmarkDotNet's wall-clock time), then each analyzer on
// its own (unless --no-split);
// `profile [files] [rounds] [--bare] [--empty]` runs only RetryGuard's analyzers (on the compilation without
// references with --bare; the empty analyzer instead with --empty) in a loop, for a sampling profiler
// (`dotnet-trace collect -- <dll> profile 300 5`);
// anything else goes to BenchmarkDotNet (`--filter '*Analyzer*'`, `--filter '*Runtime*'`, `--list flat`).
if (args.Length > 0 && args[0] == "corpus")
{
    CorpusCheck.Print(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3000);
    return;
}

if (args.Length > 0 && args[0] == "time")
{
    CorpusCheck.Time(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3,
        split: !args.Contains("--no-split"));
    return;
}

if (args.Length > 0 && args[0] == "report")
{
    // The analyzers' own execution time as the compiler reports it (dotnet build -p:ReportAnalyzer=true).
    CorpusCheck.Report(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5);
    return;
}

if (args.Length > 0 && args[0] == "profile")
{
    CorpusCheck.Profile(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5,
        bare: args.Contains("--bare"),
        empty: args.Contains("--empty"));
    return;
}

if (args.Length > 0 && args[0] == "paired")
{
    // Runtime handler chains in interleaved rounds (see PairedRuntime).
    // With --gateway-headers: GET whose 200 carries an OpenAI response's headers, in a process of its own.
    PairedRuntime.Run(
        args.Length > 1 && !args[1].StartsWith('-') ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200,
        args.Length > 2 && !args[2].StartsWith('-') ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2000,
        gatewayHeaders: args.Contains("--gateway-headers"));
    return;
}

IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Corpus).Assembly).Run(args);
Derived.Print(summaries);

internal static class CorpusCheck
{
    /// <summary>
    /// CPU time (all threads of the process) and bytes allocated by each benchmark body, <paramref name="rounds"/>
    /// rounds interleaved after one warm-up round, medians; then one pass of each RetryGuard analyzer on its own.
    /// </summary>
    public static void Time(int files, int rounds, bool split)
    {
        AnalyzerBenchmarks bench = new() { Files = files };
        bench.Setup();
        List<(string Name, Func<int> Body)> bodies =
        [
            ("Compiler only", bench.CompilerOnly), ("Empty analyzer", bench.EmptyAnalyzer),
            ("RetryGuard analyzers", bench.RetryGuardAnalyzers),
        ];
        if (Analysis.BaselineBuildAnalyzers is not null)
        {
            bodies.Add(("RetryGuard analyzers, baseline build", bench.RetryGuardBaselineBuild));
        }

        bodies.Add(("Empty analyzer, no references", bench.EmptyAnalyzerNoReferences));
        bodies.Add(("RetryGuard analyzers, no references", bench.RetryGuardNoReferences));
        if (Analysis.BaselineBuildAnalyzers is not null)
        {
            bodies.Add(("RetryGuard analyzers, baseline build, no references", bench.RetryGuardBaselineBuildNoReferences));
        }

        var cpu = bodies.ToDictionary(b => b.Name, _ => new List<double>());
        var bytes = bodies.ToDictionary(b => b.Name, _ => new List<double>());
        var diagnostics = new Dictionary<string, int>();
        for (int round = 0; round <= rounds; round++)
        {
            foreach ((string name, Func<int> body) in bodies)
            {
                (double ms, double allocated, int count) = Measure(body);
                diagnostics[name] = count;
                if (round > 0)
                {
                    cpu[name].Add(ms);
                    bytes[name].Add(allocated);
                }
            }

            Console.WriteLine(round == 0 ? "warm-up round done" : $"round {round} of {rounds} done");
        }

        int lines = Corpus.Build(files).Lines;
        StringBuilder text = new();
        text.AppendLine(CultureInfo.InvariantCulture, $"Corpus: {files:N0} files, {lines:N0} lines; CPU time and allocations, median of {rounds} interleaved rounds (min–max)");
        text.AppendLine();
        text.AppendLine("| Compilation | CPU time | min–max | Allocated | Diagnostics |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach ((string name, _) in bodies)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {Median(cpu[name]):N0} ms | {cpu[name].Min():N0}–{cpu[name].Max():N0} ms | {Median(bytes[name]) / 1e6:N0} MB | {diagnostics[name]} |");
        }

        double compiler = Median(cpu["Compiler only"]);
        double empty = Median(cpu["Empty analyzer"]);
        text.AppendLine();
        text.AppendLine("| Derived (medians) | CPU time | Share of compile time (compiler only) | Per 1,000 lines | Allocated |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach ((string name, string baseline) in new[]
                 {
                     ("RetryGuard analyzers", "Empty analyzer"),
                     ("RetryGuard analyzers, baseline build", "Empty analyzer"),
                     ("RetryGuard analyzers, no references", "Empty analyzer, no references"),
                     ("RetryGuard analyzers, baseline build, no references", "Empty analyzer, no references"),
                 })
        {
            if (cpu.ContainsKey(name))
            {
                double extra = Median(cpu[name]) - Median(cpu[baseline]);
                double extraBytes = Median(bytes[name]) - Median(bytes[baseline]);
                double compile = baseline == "Empty analyzer" ? compiler : Median(cpu[baseline]);
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {name} − {baseline} | {extra:N0} ms | {extra / compile:P1} | {extra / (lines / 1000.0):F2} ms | {extraBytes / 1e6:+#,0;-#,0;0} MB ({extraBytes / Median(bytes[baseline]):+0.0%;-0.0%;0%}) |");
            }
        }

        // The same differences round by round (each round runs every body once, interleaved): their spread is the
        // error bar of the medians above.
        text.AppendLine();
        text.AppendLine("| Per round (paired) | CPU time, each round | Share of compile time, each round | Allocated, each round |");
        text.AppendLine("|---|---|---|---|");
        foreach ((string name, string baseline) in new[]
                 {
                     ("RetryGuard analyzers", "Empty analyzer"),
                     ("RetryGuard analyzers, baseline build", "Empty analyzer"),
                     ("RetryGuard analyzers, no references", "Empty analyzer, no references"),
                     ("RetryGuard analyzers, baseline build, no references", "Empty analyzer, no references"),
                 })
        {
            if (cpu.ContainsKey(name))
            {
                var extra = cpu[name].Zip(cpu[baseline], (a, b) => a - b).ToList();
                var share = extra.Select((e, i) => e / (baseline == "Empty analyzer" ? cpu["Compiler only"][i] : cpu[baseline][i])).ToList();
                var extraBytes = bytes[name].Zip(bytes[baseline], (a, b) => (a - b) / b).ToList();
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {name} − {baseline} | {string.Join(" / ", extra.Select(e => e.ToString("N0", CultureInfo.InvariantCulture)))} ms | " +
                    $"{string.Join(" / ", share.Select(e => e.ToString("P1", CultureInfo.InvariantCulture)))} | " +
                    $"{string.Join(" / ", extraBytes.Select(e => e.ToString("+0.0%;-0.0%;0%", CultureInfo.InvariantCulture)))} |");
            }
        }

        Console.WriteLine(text.ToString());
        Console.WriteLine($"(empty analyzer − compiler only, the analyzer driver itself: {empty - compiler:N0} ms)");

        if (!split)
        {
            return;
        }

        // Each RetryGuard analyzer on its own, against the empty analyzer, to see where the time goes (one pass).
        Corpus.Files corpus = Corpus.Build(files);
        foreach (var analyzer in Analysis.RetryGuardAnalyzers.Prepend(new EmptyAnalyzer()))
        {
            (double ms, double allocated, int count) = Measure(() => Analysis.Run(Analysis.Compile(corpus.Trees, Analysis.References), [analyzer]).Length);
            Console.WriteLine($"only {analyzer.GetType().Name}: {ms:N0} ms CPU, {allocated / 1e6:N0} MB ({count} diagnostics)");
        }
    }

    /// <summary>
    /// The time spent inside each analyzer's callbacks, as the analyzer driver measures it for
    /// <c>-p:ReportAnalyzer=true</c> (<c>logAnalyzerExecutionTime</c>), next to the compile's CPU time, over
    /// <paramref name="rounds"/> rounds after a warm-up; with a baseline build loaded, its analyzers in the same rounds.
    /// Unlike the difference of two whole compilations, it does not carry the compile's own noise.
    /// </summary>
    public static void Report(int files, int rounds)
    {
        Corpus.Files corpus = Corpus.Build(files);
        var builds = new List<(string Build, ImmutableArray<DiagnosticAnalyzer> Analyzers)> { ("this build", Analysis.RetryGuardAnalyzers) };
        if (Analysis.BaselineBuildAnalyzers is { } baseline)
        {
            builds.Add(("baseline build", baseline));
        }

        var compile = new List<double>();
        var compileWall = new List<double>();
        var times = new Dictionary<string, List<double>>();
        for (int round = 0; round <= rounds; round++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            (double ms, _, _) = Measure(() => Analysis.Compile(corpus.Trees, Analysis.References).GetDiagnostics().Length);
            double wallMs = clock.Elapsed.TotalMilliseconds;
            foreach ((string build, ImmutableArray<DiagnosticAnalyzer> analyzers) in builds)
            {
                var measured = Analysis.ExecutionTimes(Analysis.Compile(corpus.Trees, Analysis.References), analyzers).ToList();
                if (round == 0)
                {
                    continue;
                }

                foreach ((string analyzer, double analyzerMs) in measured.Append(("all", measured.Sum(m => m.Milliseconds))))
                {
                    string key = $"{build}: {analyzer}";
                    (times.TryGetValue(key, out var list) ? list : times[key] = []).Add(analyzerMs);
                }
            }

            if (round > 0)
            {
                compile.Add(ms);
                compileWall.Add(wallMs);
            }

            Console.WriteLine(round == 0 ? "warm-up round done" : $"round {round} of {rounds} done");
        }

        // The driver times callbacks by the wall clock: on a busy machine that includes time the thread was not
        // running, so the share is given against the compile's wall-clock time too (the same clock, the same load).
        double compiler = Median(compile);
        double compilerWall = Median(compileWall);
        StringBuilder text = new();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Corpus: {files:N0} files, {corpus.Lines:N0} lines; compile (compiler only) {compiler:N0} ms CPU ({compile.Min():N0}–{compile.Max():N0} ms), {compilerWall:N0} ms wall clock ({compileWall.Min():N0}–{compileWall.Max():N0} ms), medians of {rounds} rounds");
        text.AppendLine();
        text.AppendLine("| Analyzer | Execution time (median) | min–max | Share of compile CPU time | Share of compile wall-clock time | Per 1,000 lines |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach ((string key, List<double> values) in times)
        {
            double median = Median(values);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {key} | {median:N0} ms | {values.Min():N0}–{values.Max():N0} ms | {median / compiler:P2} | {median / compilerWall:P2} | {median / (corpus.Lines / 1000.0):F2} ms |");
        }

        Console.WriteLine(text.ToString());
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static (double CpuMs, double Bytes, int Result) Measure(Func<int> body)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = System.Diagnostics.Process.GetCurrentProcess();
        process.Refresh();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        long bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
        int result = body();
        long bytesAfter = GC.GetTotalAllocatedBytes(precise: true);
        process.Refresh();
        return ((process.TotalProcessorTime - cpuBefore).TotalMilliseconds, bytesAfter - bytesBefore, result);
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

        // How much of the corpus the hand-written retry analysis asks the compiler about: the methods holding a node its
        // syntax triggers let through (the Polly analysis has triggers of its own, in the shape files only).
        bool statusNames = RetryGuard.Analyzers.Model.SyntaxTriggers.StatusNamesAreFramework(compilation, CancellationToken.None);
        var bound = new HashSet<SyntaxNode>();
        int methods = 0;
        foreach (SyntaxTree tree in corpus.Trees)
        {
            foreach (SyntaxNode node in tree.GetRoot().DescendantNodes())
            {
                methods += node is Microsoft.CodeAnalysis.CSharp.Syntax.BaseMethodDeclarationSyntax ? 1 : 0;
                if (RetryGuard.Analyzers.Model.SyntaxTriggers.IsRetryTrigger(node, () => statusNames))
                {
                    bound.Add(node.AncestorsAndSelf().First(a => a is Microsoft.CodeAnalysis.CSharp.Syntax.MemberDeclarationSyntax));
                }
            }
        }

        Console.WriteLine($"hand-written retry analysis: binds {bound.Count} of {methods} methods and constructors");

        // With a baseline build loaded: every diagnostic of both builds, compared one by one (id, place, message).
        if (Analysis.BaselineBuildAnalyzers is { } baseline)
        {
            foreach ((string label, ImmutableArray<MetadataReference> references) in new[]
                     {
                         ("with references", Analysis.References), ("without references", ImmutableArray<MetadataReference>.Empty),
                     })
            {
                List<string> now = Listed(Analysis.Run(Analysis.Compile(corpus.Trees, references), Analysis.RetryGuardAnalyzers));
                List<string> before = Listed(Analysis.Run(Analysis.Compile(corpus.Trees, references), baseline));
                List<string> added = now.Except(before).ToList();
                List<string> removed = before.Except(now).ToList();
                Console.WriteLine(added.Count == 0 && removed.Count == 0 && now.Count == before.Count
                    ? $"baseline build, {label}: the same {now.Count} RG diagnostics (id, location, message)"
                    : $"baseline build, {label}: {before.Count} RG diagnostics before, {now.Count} now; {removed.Count} gone, {added.Count} new");
                foreach (string line in removed.Take(20))
                {
                    Console.WriteLine("  - " + line);
                }

                foreach (string line in added.Take(20))
                {
                    Console.WriteLine("  + " + line);
                }
            }
        }
    }

    private static List<string> Listed(ImmutableArray<Diagnostic> diagnostics) => diagnostics
        .Where(d => d.Id.StartsWith("RG", StringComparison.Ordinal))
        .Select(d => $"{d.Id} {d.Location.GetLineSpan()} {d.GetMessage(CultureInfo.InvariantCulture)}")
        .OrderBy(line => line, StringComparer.Ordinal)
        .ToList();

    /// <summary>
    /// RetryGuard's analyzers alone (or the empty analyzer), <paramref name="rounds"/> times over fresh compilations,
    /// for a sampling profiler: where the time goes inside the analyzers and the analyzer driver.
    /// </summary>
    public static void Profile(int files, int rounds, bool bare, bool empty)
    {
        Corpus.Files corpus = Corpus.Build(files);
        ImmutableArray<MetadataReference> references = bare ? ImmutableArray<MetadataReference>.Empty : Analysis.References;
        ImmutableArray<DiagnosticAnalyzer> analyzers = empty ? [new EmptyAnalyzer()] : Analysis.RetryGuardAnalyzers;
        for (int round = 0; round < rounds; round++)
        {
            (double ms, double allocated, int count) = Measure(() => Analysis.Run(Analysis.Compile(corpus.Trees, references), analyzers).Length);
            Console.WriteLine($"round {round + 1}: {ms:N0} ms CPU, {allocated / 1e6:N0} MB, {count} diagnostics");
        }
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
                if (Mean("RetryGuardBaselineBuild") is { } before)
                {
                    double beforeNs = before - empty;
                    text.AppendLine(CultureInfo.InvariantCulture, $"| Baseline build (RetryGuard − empty analyzer) | {beforeNs / 1e6:F1} ms, {beforeNs / compiler:P2} of compile time, {beforeNs / 1e6 / (lines / 1000.0):F2} ms per 1,000 lines |");
                }

                if (Mean("EmptyAnalyzerNoReferences") is { } emptyBare && Mean("RetryGuardNoReferences") is { } rgBare)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"| Bail-out (no references): RetryGuard − empty analyzer | {(rgBare - emptyBare) / 1e6:F1} ms ({(rgBare - emptyBare) / emptyBare:P2} of that compilation) |");
                    if (Mean("RetryGuardBaselineBuildNoReferences") is { } beforeBare)
                    {
                        text.AppendLine(CultureInfo.InvariantCulture, $"| Bail-out, baseline build: RetryGuard − empty analyzer | {(beforeBare - emptyBare) / 1e6:F1} ms ({(beforeBare - emptyBare) / emptyBare:P2} of that compilation) |");
                    }
                }

                Console.WriteLine(text.ToString());
                string file = Path.Combine(summary.ResultsDirectoryPath, "analyzer-derived.md");
                File.WriteAllText(file, text.ToString());
                Console.WriteLine("Derived numbers written to " + file);
            }
        }
    }
}
