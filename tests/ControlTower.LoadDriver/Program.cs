using System.Diagnostics;
using System.Globalization;
using System.Net;
using ControlTower.LoadDriver;

// Figures read the same on every machine.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var (options, error) = LoadOptions.Parse(args);
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(LoadOptions.Usage);
    return 0;
}
if (options is null)
{
    Console.Error.WriteLine($"load driver: {error}");
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

using var handler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = options.Concurrency,
    AutomaticDecompression = DecompressionMethods.None,
    UseProxy = false,
};
using var client = new HttpClient(handler) { Timeout = options.RequestTimeout };

var statistics = new LoadStatistics();
using var stopSending = new CancellationTokenSource(options.Duration);
// In-flight requests may finish after the sending stops, but never later than one request timeout after it.
using var hardStop = new CancellationTokenSource(options.Duration + options.RequestTimeout + TimeSpan.FromSeconds(1));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopSending.Cancel();
};

Console.Error.WriteLine($"load driver: POST {options.Endpoint} for {options.Duration.TotalSeconds:0} s, {options.Batch} records a request, " +
    $"{options.Concurrency} in flight, {(options.Gzip ? "gzip" : "plain JSON")}");

var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var clock = Stopwatch.StartNew();
var run = new LoadRun(options, client, statistics).RunAsync(stopSending.Token, hardStop.Token);
DriftProbe[] probes = options.ProbeDrift ? [.. DriftProbe.Lanes.Take(options.ProbeLanes).Select(lane => new DriftProbe(options, client, lane))] : [];
var probing = Task.WhenAll(probes.Select(p => p.RunAsync(stopSending.Token)));
var progress = Progress.ReportEverySecondAsync(statistics, clock, run);
await run;
await probing;
await progress;
var wall = clock.Elapsed;
var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

Report.Print(Console.Out, options, statistics, wall, cpu);
if (probes.Length > 0)
{
    Report.PrintProbe(Console.Out, probes);
}
// Events a 202 did not account for are the loss this driver exists to find; a run with no 202 at all measured nothing.
return statistics.Unaccounted > 0 || statistics.Accepted202 == 0 ? 1 : 0;
