using Xunit.Abstractions;

namespace RetryGuard.Package.Tests;

/// <summary>
/// RetryGuard as a user meets it: restored from a feed into a fresh project, then built, checked with
/// -warnaserror, fixed by <c>dotnet format analyzers</c>, built again and run.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class ConsumerTests(PackedPackage package, ITestOutputHelper log)
{
    /// <summary>
    /// The jitter-less retry loop of the README: every client that failed together retries together. It retries 5xx
    /// only, so RG0001 is the one rule it breaks and the fixed program must build without any RetryGuard diagnostic.
    /// </summary>
    private const string JitterlessProgram = """
        using System.Net;

        namespace Consumer;

        public static class Program
        {
            public static async Task<int> Main()
            {
                // An in-process gateway: two 503s, then an answer. No network is needed.
                var gateway = new FlakyGateway(failuresBeforeSuccess: 2);
                using var http = new HttpClient(gateway) { BaseAddress = new Uri("http://gateway.invalid/") };

                var body = await FetchAsync(http, "v1/models");
                Console.WriteLine($"consumer-result: {body} after {gateway.Requests} requests");
                return body == "gpt-4o-mini" && gateway.Requests == 3 ? 0 : 1;
            }

            public static async Task<string> FetchAsync(HttpClient http, string url)
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    try { return await http.GetStringAsync(url); }
                    catch (HttpRequestException e) when (e.StatusCode >= HttpStatusCode.InternalServerError) { await Task.Delay(100 * (attempt + 1)); }
                }

                throw new InvalidOperationException($"{url} still failed after 3 attempts.");
            }
        }

        public sealed class FlakyGateway(int failuresBeforeSuccess) : HttpMessageHandler
        {
            public int Requests { get; private set; }

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                Requests++;
                var response = Requests <= failuresBeforeSuccess
                    ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
                    : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("gpt-4o-mini") };
                return Task.FromResult(response);
            }
        }
        """;

    [Fact]
    public async Task Props_feeds_appsettings_and_env_files_to_the_analyzers_as_AdditionalFiles()
    {
        package.AssertPacked();
        var consumer = ConsumerProject.Create(package, log, "ConfigConsumer", outputType: "Library");
        var fed = new[] { "appsettings.json", "appsettings.Development.json", ".env", ".env.production" };
        var notFed = new[] { "settings.json", ".envrc", "production.env", "launchSettings.json" };
        foreach (var file in fed.Concat(notFed))
        {
            consumer.WriteFile(file, file.EndsWith(".json", StringComparison.Ordinal) ? "{}\n" : "KEY=value\n");
        }

        var restore = await consumer.DotNetAsync("restore");
        Assert.True(restore.Succeeded, restore.Describe());

        var query = await consumer.DotNetAsync("msbuild", consumer.ProjectPath, "-getItem:AdditionalFiles");
        Assert.True(query.Succeeded, query.Describe());

        var additionalFiles = MSBuildItems.FullPaths(query.Output, "AdditionalFiles")
            .Select(path => Path.GetRelativePath(consumer.Directory, path))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(fed.Order(StringComparer.Ordinal), additionalFiles);
    }

    [Fact]
    public async Task Jitterless_retry_warns_fails_with_warnaserror_is_fixed_by_dotnet_format_then_builds_clean_and_runs()
    {
        package.AssertPacked();
        var consumer = ConsumerProject.Create(package, log, "RetryConsumer");
        consumer.WriteFile("Program.cs", JitterlessProgram);

        // 1. A plain build succeeds and reports RG0001 as a warning.
        var build = await consumer.DotNetAsync("build");
        Assert.True(build.Succeeded, build.Describe());
        Assert.True(build.Output.Contains("warning RG0001", StringComparison.Ordinal), "Expected a warning RG0001. " + build.Describe());

        // 2. With warnings as errors the same code fails the build, and RG0001 is named as the reason.
        var strict = await consumer.DotNetAsync("build", "--no-restore", "--no-incremental", "-warnaserror");
        Assert.False(strict.Succeeded, "Expected -warnaserror to fail the build. " + strict.Describe());
        Assert.True(strict.Output.Contains("error RG0001", StringComparison.Ordinal), "Expected error RG0001. " + strict.Describe());

        // 3. The code fix, applied from the command line.
        var format = await consumer.DotNetAsync("format", "analyzers", "--diagnostics", "RG0001", "--severity", "warn", "--no-restore", "--verbosity", "normal");
        Assert.True(format.Succeeded, format.Describe());
        var fixedProgram = consumer.ReadFile("Program.cs");
        log.WriteLine(fixedProgram);
        Assert.True(fixedProgram.Contains("Backoff.WithJitter", StringComparison.Ordinal),
            $"dotnet format did not add Backoff.WithJitter. Program.cs now reads:{Environment.NewLine}{fixedProgram}{Environment.NewLine}{format.Describe()}");
        Assert.True(fixedProgram.Contains("using RetryGuard;", StringComparison.Ordinal),
            $"dotnet format did not add using RetryGuard;. Program.cs now reads:{Environment.NewLine}{fixedProgram}");

        // 4. The fixed code builds without any RetryGuard diagnostic...
        var rebuild = await consumer.DotNetAsync("build", "--no-restore");
        Assert.True(rebuild.Succeeded, rebuild.Describe());
        Assert.False(rebuild.Output.Contains("RG00", StringComparison.Ordinal), "Expected no RetryGuard diagnostic after the fix. " + rebuild.Describe());

        // 5. ...and runs: the jittered retries still reach the third, successful attempt.
        var run = await consumer.DotNetAsync("run", "--no-build");
        Assert.True(run.Succeeded, run.Describe());
        Assert.Contains("consumer-result: gpt-4o-mini after 3 requests", run.Output);
    }
}
