using System;
using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace RetryGuard.Analyzers.Keys;

/// <summary>One string setting of a configuration file: its key as .NET configuration spells it and where its value is.</summary>
internal readonly struct ConfigEntry
{
    public ConfigEntry(string path, string value, TextSpan span)
    {
        Path = path;
        Value = value;
        Span = span;
    }

    /// <summary><c>OpenAI:ApiKey</c>, <c>Providers:0:Key</c>; for .env files the variable name with <c>__</c> read as <c>:</c>.</summary>
    public string Path { get; }

    public string Value { get; }

    /// <summary>The value's span in the file (inside the quotes).</summary>
    public TextSpan Span { get; }
}

/// <summary>
/// appsettings JSON read as .NET configuration reads it: <c>//</c> and <c>/* */</c> comments and trailing commas are
/// allowed, objects nest into <c>Section:Key</c> and arrays into <c>Section:0</c>. Only string values are kept.
/// Anything malformed yields null: the file is skipped. Never throws.
/// </summary>
internal sealed class JsonConfigReader
{
    private const int MaxDepth = 64;
    private readonly string _text;
    private readonly List<ConfigEntry> _entries = new();
    private int _position;

    private JsonConfigReader(string text) => _text = text;

    public static List<ConfigEntry>? Read(string text)
    {
        var reader = new JsonConfigReader(text);
        try
        {
            reader.SkipTrivia();
            if (reader.Peek() == '\uFEFF')
            {
                reader._position++;
                reader.SkipTrivia();
            }

            if (reader.AtEnd)
            {
                return reader._entries;
            }

            if (reader.Peek() != '{' || !reader.ReadValue(string.Empty, 0))
            {
                return null;
            }

            reader.SkipTrivia();
            return reader.AtEnd ? reader._entries : null;
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            // Defensive: a reader bug must not become AD0001 in a user's build.
            return null;
        }
    }

    private bool AtEnd => _position >= _text.Length;

    private char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private bool ReadValue(string path, int depth)
    {
        if (depth > MaxDepth)
        {
            return false;
        }

        SkipTrivia();
        switch (Peek())
        {
            case '{':
                return ReadObject(path, depth);
            case '[':
                return ReadArray(path, depth);
            case '"':
                int start = _position + 1;
                if (ReadString() is not { } value)
                {
                    return false;
                }

                if (path.Length > 0)
                {
                    _entries.Add(new ConfigEntry(path, value, TextSpan.FromBounds(start, _position - 1)));
                }

                return true;
            default:
                return ReadLiteral();
        }
    }

    private bool ReadObject(string path, int depth)
    {
        _position++; // {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            SkipTrivia();
            if (Peek() == '}')
            {
                _position++;
                return true;
            }

            if (Peek() != '"' || ReadString() is not { } name)
            {
                return false;
            }

            SkipTrivia();
            if (Peek() != ':')
            {
                return false;
            }

            _position++;

            // .NET configuration refuses duplicate keys in one object: so does this reader.
            if (!seen.Add(name) || !ReadValue(path.Length == 0 ? name : path + ":" + name, depth + 1))
            {
                return false;
            }

            SkipTrivia();
            if (Peek() == ',')
            {
                _position++;
                continue;
            }

            if (Peek() == '}')
            {
                _position++;
                return true;
            }

            return false;
        }
    }

    private bool ReadArray(string path, int depth)
    {
        _position++; // [
        int index = 0;
        while (true)
        {
            SkipTrivia();
            if (Peek() == ']')
            {
                _position++;
                return true;
            }

            if (!ReadValue(path + ":" + index.ToString(System.Globalization.CultureInfo.InvariantCulture), depth + 1))
            {
                return false;
            }

            index++;
            SkipTrivia();
            if (Peek() == ',')
            {
                _position++;
                continue;
            }

            if (Peek() == ']')
            {
                _position++;
                return true;
            }

            return false;
        }
    }

    /// <summary>A number, true, false or null.</summary>
    private bool ReadLiteral()
    {
        int start = _position;
        while (!AtEnd && (char.IsLetterOrDigit(Peek()) || Peek() is '-' or '+' or '.'))
        {
            _position++;
        }

        if (_position == start)
        {
            return false;
        }

        string word = _text.Substring(start, _position - start);
        if (word is "true" or "false" or "null")
        {
            return true;
        }

        return double.TryParse(word, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
    }

    /// <summary>A JSON string at the opening quote; the position ends after the closing quote.</summary>
    private string? ReadString()
    {
        _position++; // "
        var text = new StringBuilder();
        while (!AtEnd)
        {
            char c = _text[_position++];
            if (c == '"')
            {
                return text.ToString();
            }

            if (c is '\n' or '\r')
            {
                return null;
            }

            if (c != '\\')
            {
                text.Append(c);
                continue;
            }

            if (AtEnd)
            {
                return null;
            }

            char escape = _text[_position++];
            switch (escape)
            {
                case '"': text.Append('"'); break;
                case '\\': text.Append('\\'); break;
                case '/': text.Append('/'); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'u':
                    if (_position + 4 > _text.Length ||
                        !int.TryParse(_text.Substring(_position, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out int code))
                    {
                        return null;
                    }

                    text.Append((char)code);
                    _position += 4;
                    break;
                default:
                    return null;
            }
        }

        return null;
    }

    private void SkipTrivia()
    {
        while (!AtEnd)
        {
            char c = Peek();
            if (char.IsWhiteSpace(c))
            {
                _position++;
            }
            else if (c == '/' && _position + 1 < _text.Length && _text[_position + 1] == '/')
            {
                while (!AtEnd && Peek() is not ('\n' or '\r'))
                {
                    _position++;
                }
            }
            else if (c == '/' && _position + 1 < _text.Length && _text[_position + 1] == '*')
            {
                int close = _text.IndexOf("*/", _position + 2, StringComparison.Ordinal);
                _position = close < 0 ? _text.Length : close + 2;
            }
            else
            {
                return;
            }
        }
    }
}

/// <summary>
/// <c>.env</c> files: <c>NAME=value</c> lines, <c>export NAME=value</c>, <c>#</c> comments, values in single or double
/// quotes (double quotes take <c>\"</c> escapes), <c> # comment</c> after an unquoted value. A line that cannot be read
/// is skipped; a quoted value spanning lines is skipped. Never throws.
/// </summary>
internal static class EnvFileReader
{
    public static List<ConfigEntry> Read(SourceText text)
    {
        var entries = new List<ConfigEntry>();
        foreach (var line in text.Lines)
        {
            string content = text.ToString(line.Span);
            if (ReadLine(content) is { } entry)
            {
                entries.Add(new ConfigEntry(entry.Name, entry.Value, new TextSpan(line.Start + entry.Start, entry.Length)));
            }
        }

        return entries;
    }

    private static (string Name, string Value, int Start, int Length)? ReadLine(string line)
    {
        int i = 0;
        SkipSpaces(line, ref i);
        if (line.Length > i + 7 && string.CompareOrdinal(line, i, "export", 0, 6) == 0 && line[i + 6] is ' ' or '\t')
        {
            i += 7;
            SkipSpaces(line, ref i);
        }

        int nameStart = i;
        while (i < line.Length && (char.IsLetterOrDigit(line[i]) || line[i] is '_' or '.' or '-' or ':'))
        {
            i++;
        }

        if (i == nameStart)
        {
            return null;
        }

        string name = line.Substring(nameStart, i - nameStart).Replace("__", ":");
        SkipSpaces(line, ref i);
        if (i >= line.Length || line[i] != '=')
        {
            return null;
        }

        i++;
        SkipSpaces(line, ref i);
        if (i >= line.Length)
        {
            return null;
        }

        char quote = line[i];
        if (quote is '"' or '\'')
        {
            int start = i + 1;
            var value = new StringBuilder();
            for (int j = start; j < line.Length; j++)
            {
                char c = line[j];
                if (c == quote)
                {
                    return (name, value.ToString(), start, j - start);
                }

                if (quote == '"' && c == '\\' && j + 1 < line.Length)
                {
                    j++;
                    value.Append(line[j] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', var other => other });
                    continue;
                }

                value.Append(c);
            }

            return null; // Unclosed or multi-line: skipped.
        }

        int end = i;
        while (end < line.Length && !(line[end] == '#' && end > i && line[end - 1] is ' ' or '\t'))
        {
            end++;
        }

        while (end > i && line[end - 1] is ' ' or '\t')
        {
            end--;
        }

        return (name, line.Substring(i, end - i), i, end - i);
    }

    private static void SkipSpaces(string line, ref int i)
    {
        while (i < line.Length && line[i] is ' ' or '\t')
        {
            i++;
        }
    }
}
