using System.Globalization;

namespace ControlTower.LoadDriver;

public static class Report
{
    public static void Print(TextWriter output, LoadOptions options, LoadStatistics statistics, TimeSpan wall, TimeSpan driverCpu)
    {
        var seconds = wall.TotalSeconds;
        var sent = statistics.EventsSent;
        var notAccepted = sent - statistics.EventsAccepted - statistics.Duplicates - statistics.Rejected - statistics.Unaccounted;
        var rows = new List<(string Name, string Value, string Note)>
        {
            ("gateway", options.Endpoint.ToString(), ""),
            ("settings", $"{options.Cloud}, {options.Duration.TotalSeconds:0} s, batch {options.Batch:N0}, concurrency {options.Concurrency}, {(options.Gzip ? "gzip" : "plain JSON")}", ""),
            ("wall time", $"{seconds:N1} s", "sending stops at --duration; requests then in flight are waited for"),
            ("requests", $"{statistics.Requests:N0}", ""),
            ("202 Accepted", $"{statistics.Accepted202:N0}", ""),
            ("non-202", $"{statistics.NonAccepted:N0}", statistics.Failures.Count == 0 ? "" : string.Join(", ", statistics.Failures.OrderBy(f => f.Key).Select(f => $"{f.Key} × {f.Value:N0}"))),
            ("Retry-After waits", $"{statistics.RetryAfterWaits:N0}", "after 503/429 (and 200 ms after a connection failure)"),
            ("events sent", $"{sent:N0}", $"{statistics.BytesSent / (1024.0 * 1024.0):N1} MiB on the wire, {(sent == 0 ? 0 : statistics.BytesSent / (double)sent):N0} B an event"),
            ("events accepted", $"{statistics.EventsAccepted:N0}", "as the 202 bodies report them"),
            ("duplicates", $"{statistics.Duplicates:N0}", options.Azure ? "every record is unique, so anything here is a fault" : "every eventID is fresh, so anything here is a fault"),
            ("rejected", $"{statistics.Rejected:N0}", ""),
            ("warnings", $"{statistics.Warnings:N0}", "anomalies noted on accepted records"),
            ("refused or unanswered", $"{notAccepted:N0}", "events in non-202 answers or in requests that got none"),
            ("unaccounted in 202s", $"{statistics.Unaccounted:N0}", statistics.Unreadable202 > 0 ? $"{statistics.Unreadable202} 202 bodies unreadable" : "sent − accepted − duplicates − rejected, over 202s: loss"),
            ("accepted/sent", sent == 0 ? "n/a" : $"{statistics.EventsAccepted / (double)sent:P2}", ""),
            ("events/s accepted", $"{statistics.EventsAccepted / seconds:N0}", "over the wall time"),
            ("events/s sent", $"{sent / seconds:N0}", ""),
            ("driver CPU", $"{driverCpu.TotalSeconds:N1} s", $"of {Environment.ProcessorCount * seconds:N0} core-seconds on this machine ({Environment.ProcessorCount} cores)"),
        };
        var width = rows.Max(r => r.Name.Length);
        var valueWidth = rows.Where(r => r.Name is not ("gateway" or "settings")).Max(r => r.Value.Length);
        output.WriteLine();
        foreach (var (name, value, note) in rows)
        {
            var line = name is "gateway" or "settings" ? $"{name.PadRight(width)}  {value}" : $"{name.PadRight(width)}  {value.PadLeft(valueWidth)}  {note}";
            output.WriteLine(line.TrimEnd());
        }

        output.WriteLine();
        output.WriteLine($"{"latency per request (ms)".PadRight(width + 2)}{"n",8}{"p50",10}{"p90",10}{"p99",10}{"max",10}");
        LatencyRow(output, width, "all answered", statistics.Samples.Select(s => s.Milliseconds));
        LatencyRow(output, width, "202 only", statistics.Samples.Where(s => s.Accepted).Select(s => s.Milliseconds));
        LatencyRow(output, width, "non-202 only", statistics.Samples.Where(s => !s.Accepted).Select(s => s.Milliseconds));
    }

    public static void PrintProbe(TextWriter output, IReadOnlyList<DriftProbe> probes)
    {
        const int width = 24;
        var opened = probes.SelectMany(p => p.OpenedMilliseconds).ToList();
        var resolved = probes.SelectMany(p => p.ResolvedMilliseconds).ToList();
        output.WriteLine();
        output.WriteLine($"{"event to finding (ms)".PadRight(width + 2)}{"n",8}{"p50",10}{"p90",10}{"p99",10}{"max",10}");
        LatencyRow(output, width, "drift opened", opened);
        LatencyRow(output, width, "drift resolved", resolved);
        LatencyRow(output, width, "both", opened.Concat(resolved));
        output.WriteLine($"  probes not seen within 10 s: {probes.Sum(p => p.TimedOut)}; probes the door refused: {probes.Sum(p => p.Refused)}" +
            (probes.Count > 1 ? $"; {probes.Count} lanes at once" : ""));
    }

    private static void LatencyRow(TextWriter output, int width, string name, IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var figures = sorted.Length == 0
            ? $"{0,8}{"-",10}{"-",10}{"-",10}{"-",10}"
            : string.Create(CultureInfo.InvariantCulture,
                $"{sorted.Length,8:N0}{Percentile(sorted, 50),10:N1}{Percentile(sorted, 90),10:N1}{Percentile(sorted, 99),10:N1}{sorted[^1],10:N1}");
        output.WriteLine($"  {name.PadRight(width)}{figures}");
    }

    /// <summary>Nearest rank: the smallest value that at least <paramref name="percent"/>% of the values do not exceed.</summary>
    private static double Percentile(double[] sorted, double percent) =>
        sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
