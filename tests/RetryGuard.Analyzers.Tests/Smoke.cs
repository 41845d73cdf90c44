namespace RetryGuard.Analyzers.Tests;

public class Smoke
{
    [Fact]
    public void Runtime_assembly_loads() => Assert.NotNull(typeof(global::RetryGuard.Backoff).Assembly.Location);
}
