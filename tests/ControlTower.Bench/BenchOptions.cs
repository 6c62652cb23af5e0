using System.Globalization;

namespace ControlTower.Bench;

/// <summary>What <c>./ct bench</c> measures and how long; the defaults are the full run the issue asks for.</summary>
public sealed record BenchOptions
{
    public static readonly string[] Parts = ["limits", "engines", "ingest", "drift", "queries", "footprint"];

    public required IReadOnlySet<string> Only { get; init; }
    public int Duration { get; init; } = 60;
    public int Warmup { get; init; } = 10;
    public int Batch { get; init; } = 500;
    public int Concurrency { get; init; } = 8;
    public int DrainTimeout { get; init; } = 600;
    public int Samples { get; init; } = 1000;
    public int ProbeLanes { get; init; } = 4;
    public int ProbeInterval { get; init; } = 250;
    public int DriftRate { get; init; } = 1000;
    public int DriftMax { get; init; } = 900;
    public long Rows { get; init; } = 10_000_000;
    public bool ReuseSeed { get; init; }
    public int QueryIterations { get; init; } = 100;
    public long PgRows { get; init; } = 2_000_000;
    public int LimitDuration { get; init; } = 15;
    public string? Postgres { get; init; }
    public string? RabbitMq { get; init; }
    public Uri? Gateway { get; init; }
    public string? Key { get; init; }
    public string? ReadKey { get; init; }
    public string? OperationsDb { get; init; }
    public string? RabbitMqManagement { get; init; }
    public string? Json { get; init; }
    public string? Data { get; init; }
    public int PgStatements { get; init; }

    public bool Runs(string part) => Only.Contains(part);

    public const string Usage = """
        Measures Control Tower against this machine's own limits, in one run, and prints one table (markdown) with every
        figure beside the limit measured in the same run. Also writes the figures as JSON (artifacts/bench/).

        usage: ./ct bench [options]    (dotnet run -c Release --project tests/ControlTower.Bench -- [options])

          --only PARTS          comma-separated, of: limits,engines,ingest,drift,queries,footprint (default all)
          --duration S          ingest: seconds of load through the gateway (default 60)
          --warmup S            ingest: seconds of load first, drained and not counted (default 10; 0 for none)
          --batch N             ingest: records a request (default 500)
          --concurrency N       ingest: requests in flight (default 8)
          --drain-timeout S     ingest: longest wait for the queues to empty and the rows to be stored (default 600)
          --samples N           drift: event-to-finding samples to gather (default 1000)
          --probe-lanes N       drift: probes at once, 1-5, each on its own account of the baseline (default 4)
          --probe-interval MS   drift: pause between one lane's probes (default 250)
          --drift-rate N        drift: background events a second (default 1000)
          --drift-max S         drift: stop after this long even if short of --samples (default 900)
          --rows N              queries: activities stored before timing (default 10000000), seeded by binary COPY
          --reuse-seed          queries: seed nothing if the operations database already holds --rows activities
          --query-iterations N  queries: timed runs a scenario (default 100)
          --pg-rows N           limits: rows the raw PostgreSQL COPY writes (default 2000000)
          --limit-duration S    limits: seconds of each of the RabbitMQ and Kestrel measurements (default 15)
          --postgres CS         limits: an admin Npgsql connection string instead of starting PostgreSQL
          --rabbitmq URI        limits: an amqp:// URI instead of starting RabbitMQ
          --gateway URL         use a running system instead of starting one (needs --key and --read-key)
          --key K               its ingest key (ingest:aws)
          --read-key K          its read key (activity:read, governance:read)
          --operations-db CS    its Operations database, to count stored rows and to seed (without it those figures are skipped)
          --rabbitmq-management URL  its RabbitMQ management API, http://user:password@host:port/, to see the queues drain
          --data DIR            keep the started system's data in DIR rather than a temporary folder, so that a later
                                run with --data DIR --reuse-seed finds the rows it seeded
          --pg-statements N     ingest: load pg_stat_statements into the started system's PostgreSQL and print the N
                                statements that took the most time during the measured load and drain (a profile)
          --json FILE           where to write the JSON (default artifacts/bench/bench-<UTC time>.json)
        A short smoke run: --duration 10 --warmup 0 --rows 200000 --samples 50 --pg-rows 200000 --limit-duration 5 --query-iterations 10
        """;

    public static (BenchOptions? Options, string? Error) Parse(string[] args)
    {
        var o = new BenchOptions { Only = new HashSet<string>(Parts, StringComparer.Ordinal) };
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string? Value() => i + 1 < args.Length ? args[++i] : null;
            int Int(int min, int max) =>
                int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                    ? v : throw new FormatException($"{name} takes a whole number from {min} to {max}");
            try
            {
                o = name switch
                {
                    "--only" => o with { Only = ParseParts(Value()) },
                    "--duration" => o with { Duration = Int(1, 3600) },
                    "--warmup" => o with { Warmup = Int(0, 600) },
                    "--batch" => o with { Batch = Int(1, 20_000) },
                    "--concurrency" => o with { Concurrency = Int(1, 256) },
                    "--drain-timeout" => o with { DrainTimeout = Int(1, 7200) },
                    "--samples" => o with { Samples = Int(1, 1_000_000) },
                    "--probe-lanes" => o with { ProbeLanes = Int(1, LoadDriver.DriftProbe.Lanes.Count) },
                    "--probe-interval" => o with { ProbeInterval = Int(0, 60_000) },
                    "--drift-rate" => o with { DriftRate = Int(0, 10_000_000) },
                    "--drift-max" => o with { DriftMax = Int(1, 7200) },
                    "--rows" => o with { Rows = Int(0, int.MaxValue) },
                    "--reuse-seed" => o with { ReuseSeed = true },
                    "--query-iterations" => o with { QueryIterations = Int(1, 100_000) },
                    "--pg-rows" => o with { PgRows = Int(1000, int.MaxValue) },
                    "--limit-duration" => o with { LimitDuration = Int(1, 600) },
                    "--postgres" => o with { Postgres = Value() },
                    "--rabbitmq" => o with { RabbitMq = Value() },
                    "--gateway" => o with { Gateway = Uri.TryCreate(Value(), UriKind.Absolute, out var g) ? g : throw new FormatException("--gateway takes an http(s) URL") },
                    "--key" => o with { Key = Value() },
                    "--read-key" => o with { ReadKey = Value() },
                    "--operations-db" => o with { OperationsDb = Value() },
                    "--rabbitmq-management" => o with { RabbitMqManagement = Value() },
                    "--json" => o with { Json = Value() },
                    "--pg-statements" => o with { PgStatements = Int(1, 100) },
                    "--data" => o with { Data = Value() is { } d ? Path.GetFullPath(d) : throw new FormatException("--data takes a folder") },
                    _ => throw new FormatException($"unknown argument '{name}'"),
                };
            }
            catch (FormatException ex)
            {
                return (null, ex.Message);
            }
        }
        if (o.Gateway is not null && (string.IsNullOrEmpty(o.Key) || string.IsNullOrEmpty(o.ReadKey)))
        {
            return (null, "--gateway needs --key (ingest) and --read-key (activity:read, governance:read)");
        }
        if (o.PgStatements > 0 && o.Gateway is not null)
        {
            return (null, "--pg-statements needs the system started here (it loads pg_stat_statements at the server's start)");
        }
        return (o, null);
    }

    private static HashSet<string> ParseParts(string? value)
    {
        var parts = (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        if (parts.Count == 0 || parts.Any(p => !Parts.Contains(p)))
        {
            throw new FormatException($"--only takes some of {string.Join(",", Parts)}");
        }
        return parts;
    }
}
