using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace RetryGuard.Analyzers.Tests;

/// <summary>Every shipped rule has a doc page, a help link to it, a release-file entry and a code fix.</summary>
public class RuleCatalogTests
{
    private static readonly string Output = AppContext.BaseDirectory;

    private static IReadOnlyList<DiagnosticAnalyzer> Analyzers() =>
        typeof(RetryAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
            .Where(t => t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToList();

    /// <summary>The rules some analyzer reports: these are the shipped ones.</summary>
    public static TheoryData<string> ShippedRuleIds()
    {
        var data = new TheoryData<string>();
        foreach (var id in Analyzers().SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct())
        {
            data.Add(id);
        }

        return data;
    }

    private static DiagnosticDescriptor Descriptor(string id) =>
        Analyzers().SelectMany(a => a.SupportedDiagnostics).First(d => d.Id == id);

    [Theory]
    [MemberData(nameof(ShippedRuleIds))]
    public void Rule_has_its_doc_page_with_the_catalogue_title(string id)
    {
        string page = Path.Combine(Output, "docs", "rules", id + ".md");
        Assert.True(File.Exists(page), $"docs/rules/{id}.md is missing");
        string firstLine = File.ReadLines(page).First();
        Assert.Equal($"# {id}: {Descriptor(id).Title}", firstLine);
    }

    [Theory]
    [MemberData(nameof(ShippedRuleIds))]
    public void Help_link_points_at_the_doc_page(string id)
    {
        var descriptor = Descriptor(id);
        Assert.EndsWith($"/docs/rules/{id}.md", descriptor.HelpLinkUri, StringComparison.Ordinal);
        Assert.True(Uri.IsWellFormedUriString(descriptor.HelpLinkUri, UriKind.Absolute));
    }

    [Theory]
    [MemberData(nameof(ShippedRuleIds))]
    public void Rule_is_in_a_release_file_with_its_category_and_severity(string id)
    {
        var descriptor = Descriptor(id);
        string releases = string.Join('\n', Directory.GetFiles(Path.Combine(Output, "releases"), "AnalyzerReleases.*.md").Select(File.ReadAllText));
        var row = new Regex($@"^{id}\s*\|\s*(?<category>\w+)\s*\|\s*(?<severity>\w+)\s*\|", RegexOptions.Multiline).Match(releases);
        Assert.True(row.Success, $"{id} is not in AnalyzerReleases.Shipped.md or AnalyzerReleases.Unshipped.md");
        Assert.Equal(descriptor.Category, row.Groups["category"].Value);
        Assert.Equal(descriptor.DefaultSeverity.ToString(), row.Groups["severity"].Value);
    }

    [Theory]
    [MemberData(nameof(ShippedRuleIds))]
    public void Doc_page_tells_the_truth_about_the_code_fix(string id)
    {
        var fixes = typeof(RetryGuard.CodeFixes.RG0001NoJitterCodeFix).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t))
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .Where(f => f.FixableDiagnosticIds.Contains(id))
            .ToList();

        string page = File.ReadAllText(Path.Combine(Output, "docs", "rules", id + ".md"));
        var row = Regex.Match(page, @"^\| Code fix \| (?<answer>Yes|No)\b", RegexOptions.Multiline);
        Assert.True(row.Success, $"docs/rules/{id}.md has no '| Code fix | Yes/No' row");
        if (row.Groups["answer"].Value == "Yes")
        {
            Assert.NotEmpty(fixes);
            Assert.All(fixes, fix => Assert.NotNull(fix.GetFixAllProvider()));
        }
        else
        {
            Assert.Empty(fixes);
        }
    }

    [Theory]
    [MemberData(nameof(ShippedRuleIds))]
    public void A_fixable_rule_has_one_exported_provider_named_after_its_descriptor(string id)
    {
        var exported = typeof(RetryGuard.CodeFixes.RG0001NoJitterCodeFix).Assembly.GetTypes()
            .Where(t => t.GetCustomAttributes(typeof(ExportCodeFixProviderAttribute), inherit: false).Length > 0)
            .Where(t => ((CodeFixProvider)Activator.CreateInstance(t)!).FixableDiagnosticIds.Contains(id))
            .ToList();
        var descriptor = typeof(RuleCatalog).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Single(f => f.FieldType == typeof(DiagnosticDescriptor) && ((DiagnosticDescriptor)f.GetValue(null)!).Id == id);

        // Hosts run each provider of a diagnostic on its own (dotnet format skips a second one once a file changed).
        Assert.True(exported.Count <= 1, $"{id} has {exported.Count} exported fix providers: {string.Join(", ", exported.Select(t => t.Name))}");
        Assert.All(exported, t => Assert.Equal(descriptor.Name + "CodeFix", t.Name));
    }

    [Fact]
    public void Every_descriptor_in_the_catalogue_is_well_formed()
    {
        var descriptors = typeof(RuleCatalog).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToList();

        Assert.Equal(new[] { "RG0001", "RG0002", "RG0003", "RG0004", "RG0005", "RG0006", "RG0007" }, descriptors.Select(d => d.Id).OrderBy(i => i));
        Assert.All(descriptors, d =>
        {
            Assert.Equal(RuleCatalog.HelpLink(d.Id), d.HelpLinkUri);
            Assert.Contains(d.Category, new[] { "Reliability", "Security" });
            Assert.Equal(DiagnosticSeverity.Warning, d.DefaultSeverity);
            Assert.True(d.IsEnabledByDefault);
            Assert.False(string.IsNullOrWhiteSpace(d.Description.ToString()));
        });
    }

    [Fact]
    public void Release_files_list_only_rules_that_an_analyzer_reports()
    {
        var shipped = Analyzers().SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).ToHashSet();
        string releases = string.Join('\n', Directory.GetFiles(Path.Combine(Output, "releases"), "AnalyzerReleases.*.md").Select(File.ReadAllText));
        var listed = Regex.Matches(releases, @"^(RG\d{4})\s*\|", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(shipped.OrderBy(i => i), listed.OrderBy(i => i));
    }
}
