using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace RetryGuard.Package.Tests;

/// <summary>
/// The sample as a user would fix it: a copy of samples/RetryGuard.Sample that consumes the packed package, fixed by
/// <c>dotnet format analyzers</c> for every RetryGuard rule, then built and run.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed partial class SampleFormatTests(PackedPackage package, ITestOutputHelper log)
{
    private static readonly string[] Rules = ["RG0001", "RG0002", "RG0003", "RG0004", "RG0005", "RG0006", "RG0007"];

    private static readonly string SampleDirectory = Path.Combine(RepositoryLayout.Root, "samples", "RetryGuard.Sample");

    [Fact]
    public async Task Dotnet_format_fixes_every_RetryGuard_diagnostic_of_the_sample_which_then_builds_clean_and_still_runs()
    {
        package.AssertPacked();
        var sample = CopySample();

        // 1. As written, the sample builds and shows every rule's warning: the loops' five, the key and the SDK client's.
        var build = await sample.DotNetAsync("build");
        Assert.True(build.Succeeded, build.Describe());
        var before = RetryGuardWarnings(build.Output);
        Assert.True(before.Count > 0, "Expected RetryGuard warnings on the sample as written. " + build.Describe());
        foreach (var rule in Rules)
        {
            Assert.True(before.Any(warning => warning.Rule == rule), $"Expected {rule} on the sample as written. " + build.Describe());
        }

        // 2. One command applies every rule's fix. Each diagnostic gets the fix that dotnet format picks for it; the
        //    whole-loop rewrite ("Use RetryGuard policy") is an IDE action that dotnet format does not apply.
        var format = await sample.DotNetAsync(["format", "analyzers", "--diagnostics", .. Rules, "--severity", "warn", "--no-restore", "--verbosity", "normal"]);
        Assert.True(format.Succeeded, format.Describe());
        Assert.False(format.Output.Contains("Failed to apply code fix", StringComparison.Ordinal), "A code fix threw. " + format.Describe());
        var naive = sample.ReadFile("NaiveChatClient.cs");
        log.WriteLine(naive);
        Assert.NotEqual(File.ReadAllText(Path.Combine(SampleDirectory, "NaiveChatClient.cs")), naive);
        Assert.False(naive.Contains("RetryGuardPolicy", StringComparison.Ordinal),
            $"dotnet format applied the whole-loop rewrite on top of the targeted fixes:{Environment.NewLine}{naive}");

        // 3. The fixed sample compiles, with no RetryGuard warning left: every diagnostic was fixable, and was fixed.
        var rebuild = await sample.DotNetAsync("build", "--no-restore");
        Assert.True(rebuild.Succeeded, rebuild.Describe());
        var after = RetryGuardWarnings(rebuild.Output);
        Assert.True(after.Count == 0,
            $"Left after dotnet format: {string.Join("; ", after.Select(warning => warning.Line))}{Environment.NewLine}NaiveChatClient.cs:{Environment.NewLine}{naive}" +
            $"{Environment.NewLine}{format.Describe()}");

        // 4. It still runs against its fake gateway, and the parts that do not depend on timing are as before, but for
        //    the retried caller error, which the fixed loop no longer repeats.
        var run = await sample.DotNetAsync("run", "--no-build");
        Assert.True(run.Succeeded, run.Describe());
        var typo = Section(run.Output, "A typo in the model slug");
        Assert.True(typo.Contains("hand-written retry loop: 0 of 1 answered, 1 request to the gateway", StringComparison.Ordinal),
            "Expected the fixed loop to send the 400 request once. " + run.Describe());
        Assert.True(Section(run.Output, "Burst over the key's requests per minute")
            .Contains("RetryGuardHandler: 1 of 1 answered, 2 requests to the gateway", StringComparison.Ordinal), run.Describe());
        Assert.True(Section(run.Output, "The daily token cap").Contains("-> DailyTokenCapExceededException:", StringComparison.Ordinal), run.Describe());
        Assert.True(Section(run.Output, "The OpenAI SDK's ChatClient").Contains("OpenAI SDK ChatClient: answered", StringComparison.Ordinal), run.Describe());
    }

    /// <summary>
    /// The sample's sources and settings in a consumer project of the packed package, outside the repository: the
    /// sample's own package references (an SDK client) at the repository's central versions, and its settings file
    /// copied to the output, in place of the repository's project references.
    /// </summary>
    private ConsumerProject CopySample()
    {
        var sampleProject = XDocument.Load(Path.Combine(SampleDirectory, "RetryGuard.Sample.csproj"));
        var versions = XDocument.Load(Path.Combine(RepositoryLayout.Root, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .ToDictionary(item => (string)item.Attribute("Include")!, item => (string)item.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);
        var packages = sampleProject.Descendants("PackageReference").Select(item =>
        {
            var id = (string)item.Attribute("Include")!;
            var version = (string?)item.Attribute("Version") ?? versions[id];
            return $"""    <PackageReference Include="{id}" Version="{version}" />""";
        });
        var sample = ConsumerProject.Create(package, log, "FormattedSample", projectItems: $"""
              <ItemGroup>
            {string.Join(Environment.NewLine, packages)}
                <None Update="appsettings.json" CopyToOutputDirectory="PreserveNewest" />
              </ItemGroup>
            """);
        foreach (var file in Directory.EnumerateFiles(SampleDirectory))
        {
            if (!file.EndsWith(".csproj", StringComparison.Ordinal))
            {
                File.Copy(file, Path.Combine(sample.Directory, Path.GetFileName(file)));
            }
        }

        return sample;
    }

    /// <summary>The distinct RetryGuard warnings of a build's output (MSBuild repeats each one in its summary).</summary>
    private static List<(string Rule, string Line)> RetryGuardWarnings(string output) =>
        output.Split('\n')
            .Select(line => line.Trim())
            .Select(line => (Match: WarningPattern().Match(line), Line: line))
            .Where(found => found.Match.Success)
            .Select(found => (found.Match.Groups["rule"].Value, found.Line))
            .Distinct()
            .ToList();

    /// <summary>The output of one scenario: from its title to the next blank line.</summary>
    private static string Section(string output, string title)
    {
        var start = output.IndexOf(title, StringComparison.Ordinal);
        Assert.True(start >= 0, $"No scenario titled '{title}' in the output:{Environment.NewLine}{output}");
        var end = output.IndexOf(Environment.NewLine + Environment.NewLine, start, StringComparison.Ordinal);
        return end < 0 ? output[start..] : output[start..end];
    }

    [GeneratedRegex(@"warning (?<rule>RG\d{4}):")]
    private static partial Regex WarningPattern();
}
