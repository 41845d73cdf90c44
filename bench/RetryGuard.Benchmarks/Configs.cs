using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace RetryGuard.Benchmarks;

/// <summary>
/// For operations of seconds (whole compilations): one launch, one warm-up, three measured single invocations.
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
            .WithId("Monitoring"));
        SummaryStyle = SummaryStyle.Default.WithRatioStyle(RatioStyle.Value);
        AddColumn(StatisticColumn.Median);
    }
}

/// <summary>For microsecond operations (one request through a handler chain): a short run.</summary>
public sealed class FastOperationConfig : ManualConfig
{
    public FastOperationConfig()
    {
        AddJob(Job.ShortRun.WithId("ShortRun"));
        SummaryStyle = SummaryStyle.Default.WithRatioStyle(RatioStyle.Value);
    }
}
