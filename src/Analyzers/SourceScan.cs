using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace RetryGuard.Analyzers;

/// <summary>
/// Finds tokens through the file's text instead of walking its syntax: a search for a character or a word in the
/// text (copied in chunks into a per-thread buffer, no allocation) leads to the few places where the token may be,
/// and only there is the tree asked which token it is (<see cref="SyntaxNode.FindToken"/>). A walk over every token
/// of a file costs far more than reading its characters. The results are exactly those of a walk over the tree's
/// tokens (trivia not entered); without the text (a tree built in memory) the tree is walked.
/// </summary>
internal static class SourceScan
{
    private const int ChunkLength = 4096;

    [ThreadStatic]
    private static char[]? s_buffer;

    /// <summary>
    /// The string literal expressions of <paramref name="tree"/> (regular, verbatim, raw) whose value has at least
    /// <paramref name="minLength"/> characters, in source order; null when there is none (most files).
    /// </summary>
    public static List<LiteralExpressionSyntax>? LongStringLiterals(SyntaxTree tree, int minLength, CancellationToken cancellationToken)
    {
        var root = tree.GetRoot(cancellationToken);
        List<LiteralExpressionSyntax>? found = null;
        if (!tree.TryGetText(out var text))
        {
            foreach (var token in root.DescendantTokens())
            {
                AddIfLong(token, minLength, ref found);
            }

            return found;
        }

        // Every string literal token has a quote in its first two characters; each quote found leads to its token,
        // and the search goes on after that token (its closing quote, escaped quotes and all).
        var cursor = new Cursor(text);
        try
        {
            for (int quote = cursor.IndexOf('"', 0); quote >= 0;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var token = root.FindToken(quote);
                int next = quote + 1;
                if (token.Span.Contains(quote))
                {
                    AddIfLong(token, minLength, ref found);
                    next = Math.Max(next, token.Span.End);
                }

                quote = cursor.IndexOf('"', next);
            }
        }
        finally
        {
            cursor.Release();
        }

        return found;
    }

    private static void AddIfLong(SyntaxToken token, int minLength, ref List<LiteralExpressionSyntax>? found)
    {
        // A literal's value is at least two characters shorter than its token (quotes, escapes, @, raw delimiters).
        if (token.Span.Length >= minLength + 2 &&
            (token.IsKind(SyntaxKind.StringLiteralToken) || token.IsKind(SyntaxKind.SingleLineRawStringLiteralToken) ||
             token.IsKind(SyntaxKind.MultiLineRawStringLiteralToken)) &&
            token.Parent is LiteralExpressionSyntax literal && literal.IsKind(SyntaxKind.StringLiteralExpression) &&
            token.ValueText.Length >= minLength)
        {
            (found ??= new List<LiteralExpressionSyntax>()).Add(literal);
        }
    }

    /// <summary>
    /// Whether <paramref name="tree"/> may hold an identifier whose value is one of <paramref name="words"/>: false
    /// only when its text is known and none of the words is written in it (an identifier written with a
    /// <c>\u</c> escape counts as possibly any word).
    /// </summary>
    public static bool MayContainIdentifier(SyntaxTree tree, IReadOnlyList<string> words, CancellationToken cancellationToken)
    {
        if (!tree.TryGetText(out var text))
        {
            return true;
        }

        var cursor = new Cursor(text);
        try
        {
            foreach (var word in words)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (cursor.IndexOfWord(word, 0) >= 0)
                {
                    return true;
                }
            }

            return cursor.HasUnicodeEscape();
        }
        finally
        {
            cursor.Release();
        }
    }

    /// <summary>
    /// The identifier tokens of <paramref name="tree"/> whose value is one of <paramref name="words"/> (trivia not
    /// entered), grouped by word; null when there is none.
    /// </summary>
    public static List<SyntaxToken>? Identifiers(SyntaxTree tree, IReadOnlyCollection<string> words, CancellationToken cancellationToken)
    {
        var root = tree.GetRoot(cancellationToken);
        List<SyntaxToken>? found = null;
        if (tree.TryGetText(out var text))
        {
            var cursor = new Cursor(text);
            try
            {
                if (!cursor.HasUnicodeEscape())
                {
                    foreach (var word in words)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        for (int at = cursor.IndexOfWord(word, 0); at >= 0; at = cursor.IndexOfWord(word, at + 1))
                        {
                            // `@Delay` is found at `Delay`; `MaxDelay` is found too and ruled out by its value.
                            var token = root.FindToken(at);
                            if (token.IsKind(SyntaxKind.IdentifierToken) && token.Span.Contains(at) && token.ValueText == word)
                            {
                                (found ??= new List<SyntaxToken>()).Add(token);
                            }
                        }
                    }

                    return found;
                }
            }
            finally
            {
                cursor.Release();
            }
        }

        foreach (var token in root.DescendantTokens())
        {
            if (token.IsKind(SyntaxKind.IdentifierToken) && Contains(words, token.ValueText))
            {
                (found ??= new List<SyntaxToken>()).Add(token);
            }
        }

        return found;
    }

    private static bool Contains(IReadOnlyCollection<string> words, string value)
    {
        foreach (var word in words)
        {
            if (word == value)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads a text in chunks through one per-thread buffer.</summary>
    private struct Cursor
    {
        private readonly SourceText _text;
        private char[] _buffer;
        private int _start;
        private int _count;

        public Cursor(SourceText text)
        {
            _text = text;
            _buffer = s_buffer ?? new char[ChunkLength];
            s_buffer = null; // Not shared with a nested scan on this thread while in use.
            _start = 0;
            _count = 0;
        }

        public void Release() => s_buffer = _buffer;

        /// <summary>The first position at or after <paramref name="from"/> holding <paramref name="c"/>, or -1.</summary>
        public int IndexOf(char c, int from)
        {
            while (from < _text.Length)
            {
                Load(from);
                int index = Array.IndexOf(_buffer, c, from - _start, _start + _count - from);
                if (index >= 0)
                {
                    return _start + index;
                }

                from = _start + _count;
            }

            return -1;
        }

        /// <summary>The first position at or after <paramref name="from"/> where <paramref name="word"/> is written, or -1.</summary>
        public int IndexOfWord(string word, int from)
        {
            for (int first = IndexOf(word[0], from); first >= 0; first = IndexOf(word[0], first + 1))
            {
                if (first + word.Length > _text.Length)
                {
                    return -1;
                }

                int i = 1;
                while (i < word.Length && CharAt(first + i) == word[i])
                {
                    i++;
                }

                if (i == word.Length)
                {
                    return first;
                }
            }

            return -1;
        }

        /// <summary>A <c>\u</c> or <c>\U</c> anywhere (an identifier may be written with one).</summary>
        public bool HasUnicodeEscape()
        {
            for (int slash = IndexOf('\\', 0); slash >= 0; slash = IndexOf('\\', slash + 1))
            {
                if (slash + 1 < _text.Length && CharAt(slash + 1) is 'u' or 'U')
                {
                    return true;
                }
            }

            return false;
        }

        private char CharAt(int position)
        {
            if (position < _start || position >= _start + _count)
            {
                return _text[position];
            }

            return _buffer[position - _start];
        }

        private void Load(int position)
        {
            if (position >= _start && position < _start + _count)
            {
                return;
            }

            _start = position;
            _count = Math.Min(_buffer.Length, _text.Length - position);
            _text.CopyTo(position, _buffer, 0, _count);
        }
    }
}
