using System.Text.RegularExpressions;

namespace RetryGuard.Analyzers;

internal static class Display
{
    private const int MaxLength = 80;
    private static readonly Regex Whitespace = new(@"\s+", RegexOptions.Compiled);

    /// <summary>Source text for a message: one line, at most 80 characters.</summary>
    public static string Shorten(string text)
    {
        string oneLine = Whitespace.Replace(text.Trim(), " ");
        return oneLine.Length <= MaxLength ? oneLine : oneLine.Substring(0, MaxLength - 1) + "…";
    }
}
