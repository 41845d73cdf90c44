using System.Globalization;
using System.Text;

namespace RetryStorm;

/// <summary>The numbers of one phase, as reported.</summary>
public sealed record Metrics(
    string Strategy,
    double SuccessesPerMinute,
    double ShareOfLimit,
    double AttemptsPerSuccess,
    int RateLimited429,
    int EarlyRetries,
    int CallerErrorRetries,
    double P50Seconds,
    double P99Seconds,
    int CapCalls,
    double CapMedianMs,
    double CapMaxMs,
    bool CapCensored,
    int AttemptsAfterCap,
    int Attempts,
    int ServerErrors,
    int CallerErrors,
    int FailedCalls,
    int CapLearners,
    double LastLearnerSeconds,
    double Scale)
{
    public static Metrics From(PhaseResult phase, GatewayRules rules)
    {
        KeyLedger l = phase.Ledger;
        lock (l.Gate)
        {
            double capMinutes = rules.DailyCapAt.TotalMinutes;
            int successes = l.SuccessTimes.Count(t => t < rules.DailyCapAt);
            double perMinute = successes / capMinutes;
            double[] latencies = phase.Calls.Where(c => c.Outcome == Outcome.Success)
                .Select(c => (c.Ended - c.Started).TotalSeconds * phase.Scale).Order().ToArray();
            List<(double Ms, bool Censored)> cap = new();
            foreach (Call call in phase.Calls)
            {
                if (l.FirstDailyCapById.TryGetValue(call.Id, out TimeSpan first))
                {
                    cap.Add(((call.Ended - first).TotalMilliseconds * phase.Scale, call.Outcome == Outcome.Cancelled));
                }
            }

            double[] capMs = cap.Select(c => c.Ms).Order().ToArray();

            // When each client that learned of the cap did, counted from the moment the cap turned on (world seconds).
            double[] learners = phase.Calls.Where(c => c.Outcome == Outcome.DailyCap)
                .Select(c => c.Ended.TotalSeconds * phase.Scale - rules.DailyCapAt.TotalSeconds).ToArray();
            return new Metrics(
                phase.Strategy,
                perMinute,
                perMinute / rules.RequestsPerMinute,
                successes == 0 ? double.PositiveInfinity : (double)l.AttemptsBeforeCap / successes,
                l.RateLimited,
                l.EarlyRetries,
                l.CallerErrorRetries,
                Percentile(latencies, 0.50),
                Percentile(latencies, 0.99),
                cap.Count,
                Percentile(capMs, 0.50),
                capMs.Length == 0 ? double.NaN : capMs[^1],
                cap.Any(c => c.Censored),
                l.DailyCapped,
                l.Attempts,
                l.ServerErrors,
                l.CallerErrors,
                phase.Calls.Count(c => c.Outcome == Outcome.Failed),
                learners.Length,
                learners.Length == 0 ? double.NaN : learners.Max(),
                phase.Scale);
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}

public static class Report
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Markdown(IReadOnlyList<PhaseResult> phases, GatewayRules rules, Settings settings)
    {
        List<Metrics> rows = phases.Select(p => Metrics.From(p, rules)).ToList();
        StringBuilder md = new();
        md.AppendLine(string.Create(C, $"Retry storm: {settings.Clients} clients × up to {settings.Requests} requests per strategy, limit {rules.RequestsPerMinute} RPM per key ") +
                      string.Create(C, $"(RetryGuard's bucket target: 0.8 × limit = {0.8 * rules.RequestsPerMinute:0} RPM), seed {settings.Seed}, time scale {settings.Scale:0.##}. ") +
                      "Goodput and attempts per success count the window before the daily cap; times are world times (real × scale).");
        md.AppendLine();
        md.AppendLine("| Strategy | Successes / min | × limit | × (0.8 × limit) | Attempts / success | 429s (RPM) | Sent before Retry-After | Caller-error retries | p50 / p99 latency | Daily cap known after (median / max) | Attempts after the cap |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Metrics m in rows)
        {
            string cap = m.CapCalls == 0
                ? "—"
                : $"{Duration(m.CapMedianMs)} / {(m.CapCensored ? "≥ " : "")}{Duration(m.CapMaxMs)} (real {Duration(m.CapMedianMs / m.Scale)} / {Duration(m.CapMaxMs / m.Scale)})";
            md.AppendLine(C, $"| {m.Strategy} | {m.SuccessesPerMinute:0} | {m.ShareOfLimit:0.00} | {m.SuccessesPerMinute / (0.8 * rules.RequestsPerMinute):0.00} | {m.AttemptsPerSuccess:0.000} | {m.RateLimited429} | {m.EarlyRetries} | {m.CallerErrorRetries} | {m.P50Seconds:0.0} s / {m.P99Seconds:0.0} s | {cap} | {m.AttemptsAfterCap} |");
        }

        md.AppendLine();
        md.AppendLine("| Strategy | Attempts (all) | 503s served | 400s served | Calls | Calls failed | Failures thrown to the caller | Clients told of the cap | Last client told, after the cap turned on | Real phase time |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|");
        foreach ((Metrics m, PhaseResult p) in rows.Zip(phases))
        {
            md.AppendLine(C, $"| {m.Strategy} | {m.Attempts} | {m.ServerErrors} | {m.CallerErrors} | {p.Calls.Count} | {m.FailedCalls} | {Kinds(p.Exceptions)} | {m.CapLearners} | {(double.IsNaN(m.LastLearnerSeconds) ? "—" : m.LastLearnerSeconds.ToString("0.0", C) + " s")} | {p.RealDuration.TotalSeconds:0.0} s |");
        }

        return md.ToString();
    }

    private static string Kinds(IReadOnlyDictionary<string, int> exceptions) => exceptions.Count == 0
        ? "none"
        : string.Join(", ", exceptions.OrderByDescending(e => e.Value).Select(e => string.Create(C, $"{e.Key} × {e.Value}")));

    private static string Duration(double ms) => double.IsNaN(ms)
        ? "—"
        : ms < 1000 ? string.Create(C, $"{ms:0} ms") : string.Create(C, $"{ms / 1000:0.0} s");

    /// <summary>Three bar panels: goodput against the limit, attempts per success, 429s received.</summary>
    public static string Svg(IReadOnlyList<PhaseResult> phases, GatewayRules rules)
    {
        List<Metrics> rows = phases.Select(p => Metrics.From(p, rules)).ToList();
        (string Title, Func<Metrics, double> Value, string Format, double? Marker, string? MarkerLabel)[] panels =
        [
            ("Successes per minute, × the limit (before the daily cap)", m => m.ShareOfLimit, "0.00", 0.8, "0.8 × limit"),
            ("Attempts per success (lower is better)", m => double.IsInfinity(m.AttemptsPerSuccess) ? 0 : m.AttemptsPerSuccess, "0.000", 1.0, "1"),
            ("429s received (RPM)", m => m.RateLimited429, "0", null, null),
        ];
        const int labelWidth = 300, barWidth = 460, rowHeight = 22, panelGap = 30, top = 40;
        int panelHeight = 26 + rows.Count * rowHeight;
        int height = top + panels.Length * (panelHeight + panelGap);
        string[] colours = ["#c0392b", "#e67e22", "#8e44ad", "#2980b9", "#27ae60"];
        StringBuilder svg = new();
        svg.AppendLine(C, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{labelWidth + barWidth + 80}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        svg.AppendLine(C, $"<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Retry storm: {rules.RequestsPerMinute} RPM limit, same simulator for every strategy</text>");
        int y = top;
        foreach ((string title, Func<Metrics, double> value, string format, double? marker, string? markerLabel) in panels)
        {
            double max = Math.Max(rows.Max(value), marker ?? 0) * 1.1;
            max = max <= 0 ? 1 : max;
            svg.AppendLine(C, $"<text x=\"10\" y=\"{y + 14}\" font-weight=\"bold\">{Escape(title)}</text>");
            for (int i = 0; i < rows.Count; i++)
            {
                double v = value(rows[i]);
                int ry = y + 24 + i * rowHeight;
                double w = barWidth * v / max;
                svg.AppendLine(C, $"<text x=\"{labelWidth - 8}\" y=\"{ry + 14}\" text-anchor=\"end\">{Escape(rows[i].Strategy)}</text>");
                svg.AppendLine(C, $"<rect x=\"{labelWidth}\" y=\"{ry + 3}\" width=\"{w:0.#}\" height=\"{rowHeight - 6}\" fill=\"{colours[i % colours.Length]}\"/>");
                svg.AppendLine(C, $"<text x=\"{labelWidth + w + 5:0.#}\" y=\"{ry + 14}\">{v.ToString(format, C)}</text>");
            }

            if (marker is { } mark)
            {
                double mx = labelWidth + barWidth * mark / max;
                svg.AppendLine(C, $"<line x1=\"{mx:0.#}\" y1=\"{y + 20}\" x2=\"{mx:0.#}\" y2=\"{y + panelHeight}\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>");
                svg.AppendLine(C, $"<text x=\"{mx + 3:0.#}\" y=\"{y + 20}\" font-size=\"10\" fill=\"#333\">{Escape(markerLabel!)}</text>");
            }

            y += panelHeight + panelGap;
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
