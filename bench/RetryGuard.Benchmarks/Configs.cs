using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace RetryGuard.Benchmarks;

/// <summary>
/// For operations of seconds (whole compilations): one warm-up, three measured single invocations, in the host
/// process (each invocation builds a fresh compilation, so nothing carries over but the JIT-compiled Roslyn).
/// </summary>
public sealed class SlowOperationConfig : ManualConfig
{
    public SlowOperationConfig()
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(3)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            // The in-process toolchain gives up on a benchmark after 5 minutes by default; a 3,000-file compilation on
            // a loaded machine can take longer.
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(60), logOutput: true))
            .WithId("Monitoring"));
        SummaryStyle = SummaryStyle.Default.WithRatioStyle(RatioStyle.Value);
        AddColumn(StatisticColumn.Median);

        // The baseline-build benchmarks run only when a baseline build is given (RETRYGUARD_BASELINE_ANALYZERS).
        AddFilter(new BenchmarkDotNet.Filters.SimpleFilter(benchmark =>
            !benchmark.Descriptor.WorkloadMethod.Name.Contains("BaselineBuild", StringComparison.Ordinal) ||
            Analysis.BaselineBuildAnalyzers is not null));
    }
}

/// <summary>For microsecond operations (one request through a handler chain): a short run.</summary>
public sealed class FastOperationConfig : ManualConfig
{
    public FastOperationConfig()
    {
        AddJob(Job.ShortRun.WithId("ShortRun"));

        // On a busy shared machine generating and building the benchmark's child project can take minutes.
        WithBuildTimeout(TimeSpan.FromMinutes(15));
        SummaryStyle = SummaryStyle.Default.WithRatioStyle(RatioStyle.Value);
    }
}
