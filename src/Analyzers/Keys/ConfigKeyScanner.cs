using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace RetryGuard.Analyzers.Keys;

/// <summary>A configuration file RG0004 reads: appsettings[.Env].json or .env[.env].</summary>
internal sealed class ConfigFile
{
    public ConfigFile(AdditionalText file, string directory, bool isJson, string? environment)
    {
        File = file;
        Directory = directory;
        IsJson = isJson;
        Environment = environment;
    }

    public AdditionalText File { get; }

    public string Directory { get; }

    public bool IsJson { get; }

    /// <summary>"Production" for appsettings.Production.json, "production" for .env.production; null for the base file.</summary>
    public string? Environment { get; }

    public string Name => Path.GetFileName(File.Path);

    /// <summary>Which configuration file this is, or null: templates (.env.example, .env.sample, …) are not read.</summary>
    public static ConfigFile? Classify(AdditionalText file)
    {
        string path = file.Path;
        string name;
        string directory;
        try
        {
            name = Path.GetFileName(path);
            directory = Path.GetDirectoryName(path) ?? string.Empty;
        }
        catch (ArgumentException)
        {
            return null;
        }

        if (name.Equals("appsettings.json", StringComparison.OrdinalIgnoreCase))
        {
            return new ConfigFile(file, directory, isJson: true, environment: null);
        }

        if (name.StartsWith("appsettings.", StringComparison.OrdinalIgnoreCase) &&
            name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) &&
            name.Length > "appsettings..json".Length)
        {
            string environment = name.Substring("appsettings.".Length, name.Length - "appsettings..json".Length);
            return environment.IndexOf('.') < 0 && !IsTemplate(environment)
                ? new ConfigFile(file, directory, isJson: true, environment)
                : null;
        }

        if (name.Equals(".env", StringComparison.OrdinalIgnoreCase))
        {
            return new ConfigFile(file, directory, isJson: false, environment: null);
        }

        if (name.StartsWith(".env.", StringComparison.OrdinalIgnoreCase) && name.Length > 5)
        {
            string environment = name.Substring(5);
            return environment.IndexOf('.') < 0 && !IsTemplate(environment)
                ? new ConfigFile(file, directory, isJson: false, environment)
                : null;
        }

        return null;
    }

    private static bool IsTemplate(string environment) =>
        environment.Equals("example", StringComparison.OrdinalIgnoreCase) ||
        environment.Equals("sample", StringComparison.OrdinalIgnoreCase) ||
        environment.Equals("template", StringComparison.OrdinalIgnoreCase) ||
        environment.Equals("dist", StringComparison.OrdinalIgnoreCase) ||
        environment.Equals("defaults", StringComparison.OrdinalIgnoreCase) ||
        environment.Equals("schema", StringComparison.OrdinalIgnoreCase);
}

/// <summary>One RG0004 finding in a configuration file.</summary>
internal sealed class ConfigFinding
{
    public ConfigFinding(string path, Location location, KeyMatch key, string reason)
    {
        Path = path;
        Location = location;
        Key = key;
        Reason = reason;
    }

    public string Path { get; }

    public Location Location { get; }

    public KeyMatch Key { get; }

    public string Reason { get; }
}

/// <summary>
/// Finds keys shared across environments in configuration files: the same key value in two or more files of one
/// directory, or a key in the base file (appsettings.json, .env) that no environment file of the same kind overrides.
/// </summary>
internal static class ConfigKeyScanner
{
    private sealed class Found
    {
        public Found(ConfigFile file, ConfigEntry entry, KeyMatch key, Location location)
        {
            File = file;
            Entry = entry;
            Key = key;
            Location = location;
        }

        public ConfigFile File { get; }

        public ConfigEntry Entry { get; }

        public KeyMatch Key { get; }

        public Location Location { get; }
    }

    public static List<ConfigFinding> Scan(
        IEnumerable<AdditionalText> additionalFiles,
        Func<AdditionalText, IReadOnlyList<CustomKeyPattern>> patterns,
        CancellationToken cancellationToken)
    {
        var findings = new List<ConfigFinding>();
        var byDirectory = new Dictionary<string, List<ConfigFile>>(StringComparer.OrdinalIgnoreCase);
        foreach (var additional in additionalFiles)
        {
            if (ConfigFile.Classify(additional) is { } file)
            {
                if (!byDirectory.TryGetValue(file.Directory, out var list))
                {
                    byDirectory[file.Directory] = list = new List<ConfigFile>();
                }

                list.Add(file);
            }
        }

        foreach (var files in byDirectory.Values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ScanDirectory(files, patterns, findings, cancellationToken);
        }

        return findings;
    }

    private static void ScanDirectory(
        List<ConfigFile> files,
        Func<AdditionalText, IReadOnlyList<CustomKeyPattern>> patterns,
        List<ConfigFinding> findings,
        CancellationToken cancellationToken)
    {
        var keys = new List<Found>();
        var pathsByFile = new Dictionary<ConfigFile, HashSet<string>>();
        foreach (var file in files)
        {
            SourceText? text;
            try
            {
                text = file.File.GetText(cancellationToken);
            }
            catch (IOException)
            {
                continue;
            }

            if (text is null || text.Length > 2_000_000)
            {
                continue;
            }

            var entries = file.IsJson ? JsonConfigReader.Read(text.ToString()) : EnvFileReader.Read(text);
            if (entries is null)
            {
                continue; // Malformed: skipped, as .NET configuration would refuse it at startup anyway.
            }

            var paths = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            pathsByFile[file] = paths;
            var custom = patterns(file.File);
            foreach (var entry in entries)
            {
                paths.Add(entry.Path);
                if (KeyOf(entry, custom) is { } key)
                {
                    var location = Location.Create(file.File.Path, entry.Span, text.Lines.GetLinePositionSpan(entry.Span));
                    keys.Add(new Found(file, entry, key, location));
                }
            }
        }

        // The same value in two or more files: every environment that reads those files shares one key.
        var byValue = new Dictionary<string, List<Found>>(StringComparer.Ordinal);
        foreach (var found in keys)
        {
            if (!byValue.TryGetValue(found.Entry.Value, out var list))
            {
                byValue[found.Entry.Value] = list = new List<Found>();
            }

            list.Add(found);
        }

        var reported = new HashSet<Found>();
        foreach (var group in byValue.Values)
        {
            var names = new List<string>();
            foreach (var found in group)
            {
                if (!names.Contains(found.File.Name))
                {
                    names.Add(found.File.Name);
                }
            }

            if (names.Count < 2)
            {
                continue;
            }

            foreach (var found in group)
            {
                var others = names.FindAll(n => n != found.File.Name);
                findings.Add(new ConfigFinding(
                    found.File.File.Path,
                    found.Location,
                    found.Key,
                    "is also the value in " + Join(others)));
                reported.Add(found);
            }
        }

        // A key in the base file that no environment file of the same kind overrides: every environment uses it.
        foreach (var found in keys)
        {
            if (found.File.Environment is not null || reported.Contains(found))
            {
                continue;
            }

            bool overridden = false;
            foreach (var file in files)
            {
                if (file.Environment is not null && file.IsJson == found.File.IsJson &&
                    pathsByFile.TryGetValue(file, out var paths) && paths.Contains(found.Entry.Path))
                {
                    overridden = true;
                    break;
                }
            }

            if (!overridden)
            {
                string pattern = found.File.IsJson ? "appsettings.{Environment}.json" : ".env.{environment}";
                findings.Add(new ConfigFinding(
                    found.File.File.Path,
                    found.Location,
                    found.Key,
                    "is set in " + found.File.Name + " and no " + pattern + " overrides '" + found.Entry.Path + "', so every environment uses it"));
            }
        }
    }

    /// <summary>A key-shaped value: any known provider format, or a random secret under a key-like setting name.</summary>
    private static KeyMatch? KeyOf(ConfigEntry entry, IReadOnlyList<CustomKeyPattern> custom)
    {
        string value = entry.Value.Trim();
        if (KeyCatalog.MatchFormat(value, custom) is { } known)
        {
            return known;
        }

        int colon = entry.Path.LastIndexOf(':');
        string last = colon >= 0 ? entry.Path.Substring(colon + 1) : entry.Path;
        if (colon >= 0 && last.Length > 0 && char.IsDigit(last[0]))
        {
            // An array element: judged by the name of the array (Keys:0).
            int previous = entry.Path.LastIndexOf(':', colon - 1);
            last = entry.Path.Substring(previous + 1, colon - previous - 1);
        }

        return KeyNames.IsKeyLike(last) ? KeyCatalog.MatchHighEntropy(value) : null;
    }

    private static string Join(List<string> names) =>
        names.Count == 1 ? names[0] : string.Join(", ", names.GetRange(0, names.Count - 1)) + " and " + names[names.Count - 1];
}

/// <summary>Names of settings, members and parameters that hold a credential.</summary>
internal static class KeyNames
{
    private static readonly string[] Endings =
    {
        "apikey", "apikeys", "keys", "key", "secret", "secretkey", "clientsecret", "token", "accesstoken", "authtoken",
        "bearertoken", "accesskey", "subscriptionkey", "authkey", "credential", "credentials",
    };

    /// <summary>
    /// <c>ApiKey</c>, <c>OPENAI_API_KEY</c>, <c>openai-api-key</c>, <c>ClientSecret</c>, <c>AccessToken</c>, <c>Key</c>; not
    /// <c>MaxTokens</c>, <c>TokenEndpoint</c>, <c>KeyVaultUri</c>, <c>CacheKeyPrefix</c>.
    /// </summary>
    public static bool IsKeyLike(string name)
    {
        // Cheap first: most names mention none of the words.
        if (name.IndexOf("key", StringComparison.OrdinalIgnoreCase) < 0 &&
            name.IndexOf("secret", StringComparison.OrdinalIgnoreCase) < 0 &&
            name.IndexOf("token", StringComparison.OrdinalIgnoreCase) < 0 &&
            name.IndexOf("credential", StringComparison.OrdinalIgnoreCase) < 0)
        {
            return false;
        }

        string normalized = Normalize(name);
        if (normalized.Length == 0)
        {
            return false;
        }

        foreach (var ending in Endings)
        {
            if (normalized.EndsWith(ending, StringComparison.Ordinal))
            {
                // "Key" alone or "…ApiKey"/"…SecretKey", but not a cache, partition or sort key.
                if (ending is "key" or "keys")
                {
                    return !(normalized.EndsWith("cachekey", StringComparison.Ordinal) ||
                             normalized.EndsWith("partitionkey", StringComparison.Ordinal) ||
                             normalized.EndsWith("sortkey", StringComparison.Ordinal) ||
                             normalized.EndsWith("rowkey", StringComparison.Ordinal) ||
                             normalized.EndsWith("idempotencykey", StringComparison.Ordinal) ||
                             normalized.EndsWith("foreignkey", StringComparison.Ordinal) ||
                             normalized.EndsWith("publickey", StringComparison.Ordinal) ||
                             normalized.EndsWith("hotkey", StringComparison.Ordinal) ||
                             normalized.EndsWith("sessionkey", StringComparison.Ordinal) ||
                             normalized.EndsWith("lookupkey", StringComparison.Ordinal));
                }

                return true;
            }
        }

        return false;
    }

    private static string Normalize(string name)
    {
        var text = new System.Text.StringBuilder(name.Length);
        foreach (char c in name)
        {
            if (char.IsLetterOrDigit(c))
            {
                text.Append(char.ToLowerInvariant(c));
            }
        }

        return text.ToString();
    }
}
