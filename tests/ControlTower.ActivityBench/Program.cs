using System.Globalization;
using ControlTower.ActivityBench;

// Figures read the same on every machine.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

const string Usage = """
    usage: ControlTower.ActivityBench <command> --connection "<npgsql connection string>" [options]
      seed   --rows 10000000 --days 30 --writers 2      binary COPY of realistic activity, with progress
      query  --iterations 100                            p50/p95/p99 of the activity API's queries
      ingest --batches 200 --batch-size 500 --concurrency 2 [--shape generated|cloudtrail]
                                                         the consumer's insert path, rows/s (use an empty database);
                                                         cloudtrail: the load driver's files through the collector's normaliser
    """;

if (args.Length == 0 || args.Contains("--help"))
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i + 1 < args.Length; i += 2)
{
    options[args[i]] = args[i + 1];
}
if (!options.TryGetValue("--connection", out var connection))
{
    Console.Error.WriteLine("activity bench: --connection is required");
    Console.Error.WriteLine(Usage);
    return 2;
}
int Number(string name, int fallback) => options.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

switch (args[0])
{
    case "seed":
        await Seeder.RunAsync(connection, Number("--rows", 10_000_000), Number("--days", 30), Number("--writers", 2), cancel.Token);
        return 0;
    case "query":
        await Benchmarks.QueryAsync(connection, Number("--iterations", 100), cancel.Token);
        return 0;
    case "ingest":
        await Benchmarks.IngestAsync(connection, Number("--batches", 200), Number("--batch-size", 500), Number("--concurrency", 2), cancel.Token,
            cloudTrail: options.GetValueOrDefault("--shape", "generated") switch
            {
                "generated" => false,
                "cloudtrail" => true,
                var shape => throw new ArgumentException($"--shape takes generated or cloudtrail, not {shape}"),
            });
        return 0;
    default:
        Console.Error.WriteLine($"activity bench: unknown command {args[0]}");
        Console.Error.WriteLine(Usage);
        return 2;
}
