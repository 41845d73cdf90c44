using System;
using System.Collections.Generic;
using System.Text;

namespace RetryGuard.Analyzers.Model;

/// <summary>
/// An immutable set of HTTP status codes over 100–599: the statuses for which a retry construct tries again,
/// or for which a point in the code is reachable.
/// </summary>
internal readonly struct StatusSet : IEquatable<StatusSet>
{
    public const int Min = 100;
    public const int Max = 599;
    private const int Words = (Max - Min + 64) / 64;

    // Bit (code - Min) set means the code is in the set. Null words mean the empty set.
    private readonly ulong[]? _bits;

    private StatusSet(ulong[]? bits) => _bits = bits;

    public static StatusSet Empty => default;

    public static StatusSet All => Range(Min, Max);

    /// <summary>200–299: what <c>IsSuccessStatusCode</c> is true for.</summary>
    public static StatusSet Success => Range(200, 299);

    public static StatusSet Of(params int[] codes)
    {
        var bits = new ulong[Words];
        foreach (int code in codes)
        {
            if (code is >= Min and <= Max)
            {
                Set(bits, code);
            }
        }

        return new StatusSet(bits);
    }

    /// <summary>The codes from <paramref name="from"/> to <paramref name="to"/>, both included, clipped to 100–599.</summary>
    public static StatusSet Range(int from, int to)
    {
        from = Math.Max(from, Min);
        to = Math.Min(to, Max);
        var bits = new ulong[Words];
        for (int code = from; code <= to; code++)
        {
            Set(bits, code);
        }

        return new StatusSet(bits);
    }

    public bool IsEmpty
    {
        get
        {
            if (_bits is null)
            {
                return true;
            }

            foreach (ulong word in _bits)
            {
                if (word != 0)
                {
                    return false;
                }
            }

            return true;
        }
    }

    public bool Contains(int code) =>
        code is >= Min and <= Max && _bits is not null && (_bits[(code - Min) / 64] & (1UL << ((code - Min) % 64))) != 0;

    public bool Overlaps(StatusSet other) => !Intersect(other).IsEmpty;

    /// <summary>True when the set holds a status outside 1xx–3xx: a failure the server reported.</summary>
    public bool HasFailure => Overlaps(Range(400, Max));

    public StatusSet Union(StatusSet other) => Combine(other, static (a, b) => a | b);

    public StatusSet Intersect(StatusSet other) => Combine(other, static (a, b) => a & b);

    public StatusSet Complement()
    {
        var bits = new ulong[Words];
        for (int i = 0; i < Words; i++)
        {
            bits[i] = ~(_bits?[i] ?? 0);
        }

        // Clear the bits past 599 in the last word.
        int used = (Max - Min + 1) % 64;
        if (used != 0)
        {
            bits[Words - 1] &= (1UL << used) - 1;
        }

        return new StatusSet(bits);
    }

    public IEnumerable<int> Codes()
    {
        for (int code = Min; code <= Max; code++)
        {
            if (Contains(code))
            {
                yield return code;
            }
        }
    }

    /// <summary>Compact text: "429, 500–599".</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        int code = Min;
        while (code <= Max)
        {
            if (!Contains(code))
            {
                code++;
                continue;
            }

            int end = code;
            while (end + 1 <= Max && Contains(end + 1))
            {
                end++;
            }

            if (text.Length > 0)
            {
                text.Append(", ");
            }

            if (end - code < 4)
            {
                // Short runs read better as codes: 400, 401, 402, 403.
                for (int listed = code; listed <= end; listed++)
                {
                    text.Append(listed == code ? string.Empty : ", ").Append(listed);
                }
            }
            else
            {
                text.Append(code).Append('–').Append(end);
            }

            code = end + 1;
        }

        return text.Length == 0 ? "none" : text.ToString();
    }

    public bool Equals(StatusSet other)
    {
        for (int i = 0; i < Words; i++)
        {
            if ((_bits?[i] ?? 0) != (other._bits?[i] ?? 0))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is StatusSet other && Equals(other);

    public override int GetHashCode()
    {
        ulong hash = 0;
        for (int i = 0; i < Words; i++)
        {
            hash = (hash * 31) ^ (_bits?[i] ?? 0);
        }

        return hash.GetHashCode();
    }

    private StatusSet Combine(StatusSet other, Func<ulong, ulong, ulong> op)
    {
        var bits = new ulong[Words];
        for (int i = 0; i < Words; i++)
        {
            bits[i] = op(_bits?[i] ?? 0, other._bits?[i] ?? 0);
        }

        return new StatusSet(bits);
    }

    private static void Set(ulong[] bits, int code) => bits[(code - Min) / 64] |= 1UL << ((code - Min) % 64);
}
