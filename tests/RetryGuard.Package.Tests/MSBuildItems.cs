using System.Text.Json;

namespace RetryGuard.Package.Tests;

internal static class MSBuildItems
{
    /// <summary>The full paths of one item type in the JSON that <c>dotnet msbuild -getItem:TYPE</c> prints.</summary>
    public static IReadOnlyList<string> FullPaths(string output, string itemType)
    {
        var start = output.IndexOf('{');
        Assert.True(start >= 0, $"No JSON in the output of -getItem:{itemType}:{Environment.NewLine}{output}");

        using var document = JsonDocument.Parse(output[start..]);
        if (!document.RootElement.GetProperty("Items").TryGetProperty(itemType, out var items))
        {
            return [];
        }

        return items.EnumerateArray().Select(item => item.GetProperty("FullPath").GetString()!).ToList();
    }
}
