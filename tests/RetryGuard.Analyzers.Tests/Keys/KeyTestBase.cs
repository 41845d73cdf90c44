using RetryGuard.Analyzers.Keys;
using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests.Keys;

/// <summary>
/// Key-shaped test values, generated at run time from a fixed seed so that no key-shaped text is committed (secret
/// scanners would rightly stop the push). None of them is, or was, a real key.
/// </summary>
internal static class TestKeys
{
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string UrlSafe = Alphanumeric + "-_";
    private const string Hex = "0123456789abcdef";

    public static string Random(int length, string alphabet = Alphanumeric, int seed = 7)
    {
        var random = new Random(seed * 7919 + length);
        var text = new char[length];
        for (int i = 0; i < length; i++)
        {
            text[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(text);
    }

    private const string OpenAIMarker = "T3Blbk" + "FJ";

    public static string OpenAIKey(string prefix = "sk-proj-", int seed = 1) =>
        prefix + Random(58, UrlSafe, seed) + OpenAIMarker + Random(58, UrlSafe, seed + 1);

    public static string Anthropic(string prefix = "sk-ant-api03-", int seed = 1) => prefix + Random(93, UrlSafe, seed) + "AA";

    public static string OpenRouter(int seed = 1) => "sk-or-v1-" + Random(64, Hex, seed);

    public static string Groq(int seed = 1) => "gsk_" + Random(52, Alphanumeric, seed);

    public static string XAI(int seed = 1) => "xai-" + Random(80, Alphanumeric, seed);

    public static string Google(int seed = 1) => "AIza" + Random(35, UrlSafe, seed);

    public static string HuggingFace(int seed = 1) => "hf_" + Random(34, Alphanumeric, seed);

    /// <summary>A random secret of no known format (an Azure-style 32-hex key, a base62 token).</summary>
    public static string Hex32(int seed = 1) => Random(32, Hex, seed);

    public static string Token(int length = 40, int seed = 1) => Random(length, Alphanumeric, seed);

    public static string Last4(string key) => key.Substring(key.Length - 4);
}

/// <summary>Shared usings and helpers for RG0004 tests.</summary>
public abstract class KeyTestBase
{
    protected const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Net.Http;
        using System.Net.Http.Headers;
        using System.Threading.Tasks;

        """;

    protected static Task Check(string code, string? editorConfig = null) =>
        Verify<SharedApiKeyAnalyzer>.AnalyzerAsync(Usings + code, only: "RG0004", editorConfig: editorConfig);

    protected static Task CheckFiles(string code, params (string Path, string Text)[] files) =>
        Verify<SharedApiKeyAnalyzer>.AnalyzerWithFilesAsync(Usings + code, files, only: "RG0004");

    protected static Task CheckFilesWithConfig(string editorConfig, string code, params (string Path, string Text)[] files) =>
        Verify<SharedApiKeyAnalyzer>.AnalyzerWithFilesAsync(Usings + code, files, only: "RG0004", rawEditorConfig: editorConfig);
}
