using System;
using System.Globalization;

namespace RetryGuard.Analyzers;

internal static class Durations
{
    /// <summary>"250 ms", "120 s", "5 min", "2 h".</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration.TotalSeconds < 1)
        {
            return duration.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + " ms";
        }

        if (duration.TotalMinutes < 5 || duration.TotalSeconds % 60 != 0)
        {
            return duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
        }

        if (duration.TotalHours < 2 || duration.TotalMinutes % 60 != 0)
        {
            return duration.TotalMinutes.ToString("0.###", CultureInfo.InvariantCulture) + " min";
        }

        return duration.TotalHours.ToString("0.###", CultureInfo.InvariantCulture) + " h";
    }
}
