using System.Globalization;
using System.Net;

namespace ControlTower.LoadDriver;

public sealed record LoadOptions
{
    public const string KeyVariable = "CT_INGEST_KEY";
    public const string ReadKeyVariable = "CT_READ_KEY";
    public const string IngestPath = "ingest/aws/cloudtrail";
    public const string AzureIngestPath = "ingest/azure/activity-log";
    public const int MaxDurationSeconds = 3600;
    // The collector's default Ingestion:MaxRecords.
    public const int MaxBatch = 20_000;
    public const int MaxConcurrency = 256;

    public required Uri Gateway { get; init; }
    public required string Key { get; init; }
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);
    public int Batch { get; init; } = 500;
    public int Concurrency { get; init; } = 8;
    public bool Gzip { get; init; }
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public int Seed { get; init; } = 1;

    /// <summary>Events a second all workers together send at most; 0 for as fast as answers come.</summary>
    public int Rate { get; init; }

    /// <summary>Measure event-to-finding latency with <see cref="DriftProbe"/> while the load runs.</summary>
    public bool ProbeDrift { get; init; }

    /// <summary>A key with <c>governance:read</c>, for the drift probe's reads.</summary>
    public string? ReadKey { get; init; }

    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Probes at once, each on its own account of the baseline (<see cref="DriftProbe.Lanes"/>).</summary>
    public int ProbeLanes { get; init; } = 1;

    public TimeSpan ProbePoll { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary><c>aws</c> (CloudTrail log files) or <c>azure</c> (Activity Log exports).</summary>
    public string Cloud { get; init; } = "aws";

    public bool Azure => Cloud == "azure";

    public Uri Endpoint => new(Gateway, Azure ? AzureIngestPath : IngestPath);

    public const string Usage = """
        Posts generated CloudTrail log files (or, with --cloud azure, Azure Activity Log exports) to Control Tower's
        gateway for a fixed time and prints what came back.

        usage: dotnet run -c Release --project tests/ControlTower.LoadDriver -- --key KEY [options]

          --gateway URL      gateway base address (default http://localhost:5100); loopback only unless --allow-remote
          --key KEY          ingest API key (X-Api-Key); or set CT_INGEST_KEY
          --cloud aws|azure  aws: CloudTrail log files to /ingest/aws/cloudtrail (default);
                             azure: Activity Log exports ({"records":[...]}) to /ingest/azure/activity-log
          --duration S       seconds to keep sending, 1-3600 (default 60)
          --batch N          records per request, 1-20000 (default 500)
          --concurrency N    requests in flight, 1-256 (default 8)
          --gzip             send bodies gzip-compressed (Content-Encoding: gzip)
          --timeout S        per-request timeout in seconds (default 30); the run ends at most this long after --duration
          --seed N           seed for the mix of accounts, calls and identities (default 1); eventIDs are always fresh
          --rate N           send at most N events a second in all (default 0: as fast as answers come)
          --probe-drift      also measure event-to-finding latency: move the example baseline's audit account
                             (333344445555) out of its OU and back every 0.5 s and time until
                             GET /api/governance/findings shows each move (needs --read-key)
          --read-key KEY     a key with governance:read for the probe; or set CT_READ_KEY
          --probe-lanes N    probes at once, 1-5, each moving another account of the baseline (the others to the
                             Sandbox OU and back) for more samples in the same time (default 1)
          --probe-interval MS  pause between one lane's probes in milliseconds (default 500)
          --allow-remote     allow a gateway that is not localhost, 127.0.0.1 or ::1
        """;

    /// <summary>The options the arguments give, or the reason they give none.</summary>
    public static (LoadOptions? Options, string? Error) Parse(string[] args)
    {
        var gateway = "http://localhost:5100";
        var key = Environment.GetEnvironmentVariable(KeyVariable);
        var readKey = Environment.GetEnvironmentVariable(ReadKeyVariable);
        int duration = 60, batch = 500, concurrency = 8, timeout = 30, seed = 1, rate = 0, probeLanes = 1, probeInterval = 500;
        bool gzip = false, allowRemote = false, probeDrift = false;
        var cloud = "aws";

        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string? Value() => i + 1 < args.Length ? args[++i] : null;
            bool Int(out int value, int min, int max) =>
                int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
            switch (name)
            {
                case "--gateway": gateway = Value() ?? ""; break;
                case "--key": key = Value(); break;
                case "--cloud":
                    cloud = Value() ?? "";
                    if (cloud is not ("aws" or "azure"))
                    {
                        return (null, "--cloud takes aws or azure");
                    }
                    break;
                case "--gzip": gzip = true; break;
                case "--probe-drift": probeDrift = true; break;
                case "--read-key": readKey = Value(); break;
                case "--allow-remote": allowRemote = true; break;
                case "--duration" when !Int(out duration, 1, MaxDurationSeconds): return (null, $"--duration takes whole seconds from 1 to {MaxDurationSeconds}");
                case "--batch" when !Int(out batch, 1, MaxBatch): return (null, $"--batch takes a record count from 1 to {MaxBatch}");
                case "--concurrency" when !Int(out concurrency, 1, MaxConcurrency): return (null, $"--concurrency takes 1 to {MaxConcurrency}");
                case "--timeout" when !Int(out timeout, 1, 600): return (null, "--timeout takes whole seconds from 1 to 600");
                case "--seed" when !Int(out seed, 0, int.MaxValue): return (null, "--seed takes a non-negative whole number");
                case "--rate" when !Int(out rate, 0, 10_000_000): return (null, "--rate takes events a second, 0 to 10000000");
                case "--probe-lanes" when !Int(out probeLanes, 1, DriftProbe.Lanes.Count): return (null, $"--probe-lanes takes 1 to {DriftProbe.Lanes.Count}");
                case "--probe-interval" when !Int(out probeInterval, 0, 60_000): return (null, "--probe-interval takes milliseconds from 0 to 60000");
                case "--duration" or "--batch" or "--concurrency" or "--timeout" or "--seed" or "--rate" or "--probe-lanes" or "--probe-interval": break;
                default: return (null, $"unknown argument '{name}'");
            }
        }

        if (!Uri.TryCreate(gateway, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return (null, $"--gateway '{gateway}' is not an http(s) URL");
        }
        if (!allowRemote && !IsLoopback(uri))
        {
            return (null, $"--gateway {uri.Host} is not this machine (localhost, 127.0.0.1, ::1); pass --allow-remote to load another host");
        }
        if (string.IsNullOrWhiteSpace(key))
        {
            return (null, $"an ingest key is needed: --key KEY or {KeyVariable}");
        }

        if (probeDrift && string.IsNullOrWhiteSpace(readKey))
        {
            return (null, $"--probe-drift needs a key with governance:read: --read-key KEY or {ReadKeyVariable}");
        }

        // A base without a trailing slash would lose its last segment when the ingest path is appended.
        var baseUri = uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/");
        return (new LoadOptions
        {
            Gateway = baseUri,
            Key = key,
            Duration = TimeSpan.FromSeconds(duration),
            Batch = batch,
            Concurrency = concurrency,
            Gzip = gzip,
            RequestTimeout = TimeSpan.FromSeconds(timeout),
            Seed = seed,
            Cloud = cloud,
            Rate = rate,
            ProbeDrift = probeDrift,
            ProbeLanes = probeLanes,
            ProbeInterval = TimeSpan.FromMilliseconds(probeInterval),
            ReadKey = readKey,
        }, null);
    }

    private static bool IsLoopback(Uri uri) =>
        string.Equals(uri.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
