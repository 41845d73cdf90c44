using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace RetryGuard.Benchmarks;

/// <summary>
/// What RetryGuard's analyzers add to a compilation. Every invocation builds a fresh compilation over the same
/// pre-parsed corpus and asks for all its diagnostics (binding every method body: the compiler's share of a build
/// before emit). Analyzers run one at a time (<c>concurrentAnalysis: false</c>) so their cost is not hidden by
/// parallelism. The analyzer cost is RetryGuard minus the empty analyzer, both through the same analyzer driver.
/// </summary>
[Config(typeof(SlowOperationConfig))]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AnalyzerBenchmarks
{
    private Corpus.Files _corpus = null!;
    private ImmutableArray<MetadataReference> _references;
    private ImmutableArray<DiagnosticAnalyzer> _empty;
    private ImmutableArray<DiagnosticAnalyzer> _retryGuard;
    private ImmutableArray<DiagnosticAnalyzer> _baselineBuild;

    /// <summary>
    /// Files in the corpus (about 114 lines each): 3,000 by default, or RETRYGUARD_CORPUS_FILES (for a quick run on a
    /// busy machine).
    /// </summary>
    [ParamsSource(nameof(FileCounts))]
    public int Files { get; set; }

    public static IEnumerable<int> FileCounts => [CorpusFiles];

    public static int CorpusFiles =>
        int.TryParse(Environment.GetEnvironmentVariable("RETRYGUARD_CORPUS_FILES"), out int files) && files > 0 ? files : 3000;

    [GlobalSetup]
    public void Setup()
    {
        _corpus = Corpus.Build(Files);
        _references = Analysis.References;
        _empty = ImmutableArray.Create<DiagnosticAnalyzer>(new EmptyAnalyzer());
        _retryGuard = Analysis.RetryGuardAnalyzers;
        _baselineBuild = Analysis.BaselineBuildAnalyzers ?? ImmutableArray<DiagnosticAnalyzer>.Empty;
    }

    [Benchmark(Description = "Compiler only")]
    [BenchmarkCategory("Corpus")]
    public int CompilerOnly() => Analysis.Compile(_corpus.Trees, _references).GetDiagnostics().Length;

    [Benchmark(Baseline = true, Description = "Empty analyzer")]
    [BenchmarkCategory("Corpus")]
    public int EmptyAnalyzer() => Analysis.Run(Analysis.Compile(_corpus.Trees, _references), _empty).Length;

    [Benchmark(Description = "RetryGuard analyzers")]
    [BenchmarkCategory("Corpus")]
    public int RetryGuardAnalyzers() => Analysis.Run(Analysis.Compile(_corpus.Trees, _references), _retryGuard).Length;

    /// <summary>
    /// Another build of RetryGuard's analyzers (RETRYGUARD_BASELINE_ANALYZERS: the path of its RetryGuard.Analyzers.dll),
    /// measured in the same run to compare two versions. Left out of the run when the variable is not set.
    /// </summary>
    [Benchmark(Description = "RetryGuard analyzers, baseline build")]
    [BenchmarkCategory("Corpus")]
    public int RetryGuardBaselineBuild() => Analysis.Run(Analysis.Compile(_corpus.Trees, _references), _baselineBuild).Length;

    [Benchmark(Baseline = true, Description = "Empty analyzer, no references")]
    [BenchmarkCategory("BailOut")]
    public int EmptyAnalyzerNoReferences() => Analysis.Run(Analysis.Compile(_corpus.Trees, ImmutableArray<MetadataReference>.Empty), _empty).Length;

    [Benchmark(Description = "RetryGuard analyzers, no references")]
    [BenchmarkCategory("BailOut")]
    public int RetryGuardNoReferences() => Analysis.Run(Analysis.Compile(_corpus.Trees, ImmutableArray<MetadataReference>.Empty), _retryGuard).Length;

    [Benchmark(Description = "RetryGuard analyzers, baseline build, no references")]
    [BenchmarkCategory("BailOut")]
    public int RetryGuardBaselineBuildNoReferences() => Analysis.Run(Analysis.Compile(_corpus.Trees, ImmutableArray<MetadataReference>.Empty), _baselineBuild).Length;
}

/// <summary>Compilation helpers shared by the benchmark and the corpus check.</summary>
public static class Analysis
{
    /// <summary>
    /// The .NET 10 reference assemblies (as a net10.0 project compiles against) plus Polly (v7 and v8), the HTTP
    /// resilience package and the OpenAI SDK, which the corpus's library shapes use.
    /// </summary>
    public static ImmutableArray<MetadataReference> References { get; } =
        ImmutableArray.CreateRange<MetadataReference>(Basic.Reference.Assemblies.Net100.References.All)
            .AddRange(new[]
            {
                typeof(Polly.ResiliencePipeline),
                typeof(Polly.Policy),
                typeof(Microsoft.Extensions.Http.Resilience.HttpRetryStrategyOptions),
                typeof(OpenAI.Chat.ChatClient),
                typeof(System.ClientModel.ApiKeyCredential),
            }.Select(t => (MetadataReference)MetadataReference.CreateFromFile(t.Assembly.Location)));

    /// <summary>Every analyzer RetryGuard ships in its analyzer assembly, found by reflection so new rules count too.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> RetryGuardAnalyzers { get; } = Analyzers(typeof(RetryGuard.Analyzers.RetryAnalyzer).Assembly);

    /// <summary>
    /// The analyzers of another RetryGuard build (RETRYGUARD_BASELINE_ANALYZERS = path of its RetryGuard.Analyzers.dll),
    /// loaded in a load context of their own so both versions run in one process; null when the variable is not set.
    /// </summary>
    public static ImmutableArray<DiagnosticAnalyzer>? BaselineBuildAnalyzers { get; } = LoadBaselineBuild();

    private static ImmutableArray<DiagnosticAnalyzer>? LoadBaselineBuild()
    {
        string? path = Environment.GetEnvironmentVariable("RETRYGUARD_BASELINE_ANALYZERS");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        // Roslyn itself comes from the host's context (the load context finds nothing else), so the analyzers'
        // types are the host's DiagnosticAnalyzer.
        var context = new System.Runtime.Loader.AssemblyLoadContext("RetryGuard baseline build");
        return Analyzers(context.LoadFromAssemblyPath(Path.GetFullPath(path)));
    }

    private static ImmutableArray<DiagnosticAnalyzer> Analyzers(System.Reflection.Assembly assembly) => assembly
        .GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) &&
                    t.GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), inherit: false).Length > 0)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    public static CSharpCompilation Compile(IReadOnlyList<SyntaxTree> trees, ImmutableArray<MetadataReference> references) =>
        CSharpCompilation.Create(
            "Corpus",
            trees,
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static ImmutableArray<Diagnostic> Run(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers) =>
        WithAnalyzers(compilation, analyzers, logExecutionTime: false).GetAllDiagnosticsAsync().GetAwaiter().GetResult();

    /// <summary>Each analyzer's execution time in milliseconds over one compilation (the driver's own measurement, as for -reportanalyzer).</summary>
    public static IEnumerable<(string Analyzer, double Milliseconds)> ExecutionTimes(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        AnalysisResult result = WithAnalyzers(compilation, analyzers, logExecutionTime: true).GetAnalysisResultAsync(CancellationToken.None).GetAwaiter().GetResult();
        return analyzers.Select(a => (a.GetType().Name, result.AnalyzerTelemetryInfo[a].ExecutionTime.TotalMilliseconds)).ToList();
    }

    private static CompilationWithAnalyzers WithAnalyzers(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, bool logExecutionTime) =>
        compilation.WithAnalyzers(
            analyzers,
            new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: null,
                concurrentAnalysis: false,
                logAnalyzerExecutionTime: logExecutionTime));
}

/// <summary>A baseline analyzer: one enabled rule, no callbacks. It measures the analyzer driver itself.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EmptyAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Rule = new(
        "BENCH0001", "Never reported", "Never reported", "Benchmark", DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
    }
}
