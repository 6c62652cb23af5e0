using System.Diagnostics;
using System.Globalization;
using System.Net;
using ControlTower.LoadDriver;

namespace ControlTower.Bench;

/// <summary>The load driver's own classes, run in this process: the same HttpClient, generator, pacing and counting.</summary>
public static class Load
{
    public sealed record Result(LoadStatistics Statistics, TimeSpan Wall, IReadOnlyList<DriftProbe> Probes);

    /// <summary>
    /// Sends for <see cref="LoadOptions.Duration"/>, or until <paramref name="enough"/> says so, with <paramref name="probes"/>
    /// drift probes beside the load; a line of progress every second when <paramref name="progress"/> names the phase.
    /// </summary>
    public static async Task<Result> RunAsync(LoadOptions options, int probes, string? progress, CancellationToken cancellationToken,
        Func<IReadOnlyList<DriftProbe>, bool>? enough = null)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Concurrency + probes,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        };
        using var client = new HttpClient(handler) { Timeout = options.RequestTimeout };
        var statistics = new LoadStatistics();
        using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stopSending.CancelAfter(options.Duration);
        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        hardStop.CancelAfter(options.Duration + options.RequestTimeout + TimeSpan.FromSeconds(1));

        var clock = Stopwatch.StartNew();
        DriftProbe[] lanes = [.. DriftProbe.Lanes.Take(probes).Select(lane => new DriftProbe(options, client, lane))];
        var run = new LoadRun(options, client, statistics).RunAsync(stopSending.Token, hardStop.Token);
        var probing = Task.WhenAll(lanes.Select(async p =>
        {
            try
            {
                await p.RunAsync(stopSending.Token);
            }
            catch (OperationCanceledException) when (stopSending.IsCancellationRequested)
            {
                // A poll in flight when the sending stops: that probe is simply unfinished.
            }
        }));
        var everything = Task.WhenAll(run, probing);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var lastAccepted = 0L;
        while (await Task.WhenAny(everything, timer.WaitForNextTickAsync(CancellationToken.None).AsTask()) != everything)
        {
            if (enough?.Invoke(lanes) is true && !stopSending.IsCancellationRequested)
            {
                await stopSending.CancelAsync();
                hardStop.CancelAfter(options.RequestTimeout + TimeSpan.FromSeconds(1));
            }
            if (progress is not null)
            {
                var accepted = statistics.EventsAccepted;
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"{progress}: {clock.Elapsed.TotalSeconds,5:0}s  accepted {accepted,10:N0} events  now {accepted - lastAccepted,8:N0}/s  non-202 {statistics.NonAccepted - InFlight(statistics),4:N0}");
                Console.WriteLine(lanes.Length == 0 ? line : line + $"  drift samples {lanes.Sum(l => l.Samples):N0}");
                lastAccepted = accepted;
            }
        }
        await everything;
        return new Result(statistics, clock.Elapsed, lanes);
    }

    private static long InFlight(LoadStatistics statistics) => statistics.Requests - statistics.Accepted202 - statistics.Failures.Values.Sum();

    /// <summary>Nearest rank, as the load driver's report does; NaN for no values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percent) => sorted.Count == 0
        ? double.NaN
        : sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
