using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using ControlTower.ActivityBench;
using ControlTower.LoadDriver;
using ControlTower.Testing.Infrastructure;
using Npgsql;

namespace ControlTower.Bench;

public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        // Figures read the same on every machine.
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }
        var (options, error) = BenchOptions.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine($"bench: {error}");
            Console.Error.WriteLine(BenchOptions.Usage);
            return 2;
        }
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        var repository = FindRepository();
        var report = new BenchReport { Command = "./ct bench " + string.Join(' ', args.Select(a => a.Contains(' ') ? $"'{a}'" : a)) };
        report.NoteLoad("start");
        var run = new BenchRun(options, report, repository);
        try
        {
            await run.RunAsync(cancel.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            report.Problems.Add($"run stopped: {ex.GetType().Name}: {ex.Message}");
            Console.Error.WriteLine(ex);
        }
        report.NoteLoad("end");
        report.FinishedAt = DateTimeOffset.UtcNow;

        var json = options.Json ?? Path.Combine(repository, "artifacts", "bench", $"bench-{report.StartedAt:yyyyMMdd'T'HHmmss'Z'}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(json))!);
        await File.WriteAllTextAsync(json, report.Json(), CancellationToken.None);

        Console.WriteLine();
        Console.WriteLine($"## Control Tower against this machine's limits ({report.StartedAt:yyyy-MM-dd HH:mm} UTC, {report.Machine})");
        Console.WriteLine();
        Console.Write(report.Markdown());
        Console.WriteLine();
        Console.WriteLine($"load average (1, 5, 15 min): {string.Join("; ", report.LoadAverages)}");
        foreach (var problem in report.Problems)
        {
            Console.WriteLine($"problem: {problem}");
        }
        Console.WriteLine($"JSON: {json}");
        return report.Problems.Count == 0 ? 0 : 1;
    }

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ControlTower.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("run ./ct bench from inside the repository");
    }
}

/// <summary>The parts in order: the limits first, then the pure cores, then the system: started, idle, loaded, probed, queried.</summary>
public sealed class BenchRun(BenchOptions options, BenchReport report, string repository)
{
    private Limits.PostgresLimit? postgres;
    private Limits.RabbitLimit? rabbit;
    private Limits.KestrelLimit? kestrel;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (options.Runs("limits"))
        {
            await Part("limits", () => LimitsAsync(cancellationToken));
        }
        if (options.Runs("engines"))
        {
            await Part("engines", () => EnginesAsync(cancellationToken));
        }
        if (!options.Only.Overlaps(["ingest", "drift", "queries", "footprint"]))
        {
            return;
        }
        SystemUnderTest system;
        if (options.Gateway is null)
        {
            Console.WriteLine("system: building is done; starting the AppHost (Release, demo source off, ephemeral data)");
            system = await SystemUnderTest.StartAsync(options.Data, options.PgStatements > 0 ? PgStatements.Settings : [], cancellationToken);
        }
        else
        {
            system = SystemUnderTest.Running(options);
        }
        await using (system)
        {
            var footprint = options.Runs("footprint");
            if (footprint)
            {
                report.Add(new Figure("footprint", "start-up: AppHost start to every resource healthy", system.StartedIn?.TotalSeconds, "s")
                {
                    Note = system.StartedIn is null ? "a running system: not measured" : "build excluded",
                });
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
                report.Details["footprintIdleMiB"] = Footprint.Sample(repository, system.DataPath);
            }
            Dictionary<string, double>? peak = footprint ? new(StringComparer.Ordinal) : null;
            if (options.Runs("ingest"))
            {
                await Part("ingest", () => IngestAsync(system, peak, cancellationToken));
            }
            if (options.Runs("drift"))
            {
                await Part("drift", () => DriftAsync(system, peak, cancellationToken));
            }
            if (footprint)
            {
                var idle = (SortedDictionary<string, double>)report.Details["footprintIdleMiB"]!;
                report.Details["footprintLoadPeakMiB"] = peak;
                // Under load against idle: the ratio is how much each process grows.
                foreach (var (name, mib) in idle)
                {
                    var loaded = peak!.GetValueOrDefault(name);
                    report.Add(new Figure("footprint", $"{name}: resident at its peak under load", loaded > 0 ? loaded : null, "MiB")
                    {
                        LimitName = "idle", Limit = mib,
                    });
                }
                report.Add(new Figure("footprint", "all of them: resident at their peaks under load", peak!.Count > 0 ? peak.Values.Sum() : null, "MiB")
                {
                    LimitName = "idle", Limit = idle.Values.Sum(), Note = "PostgreSQL's shared buffers count once a backend",
                });
            }
            if (options.Runs("queries"))
            {
                await Part("queries", () => QueriesAsync(system, cancellationToken));
            }
        }
    }

    private async Task Part(string name, Func<Task> part)
    {
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"== {name}");
        report.NoteLoad(name);
        try
        {
            await part();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            report.Problems.Add($"{name}: {ex.GetType().Name}: {ex.Message}");
            Console.Error.WriteLine(ex);
        }
        Console.WriteLine($"== {name} took {clock.Elapsed.TotalSeconds:N0} s");
    }

    private async Task LimitsAsync(CancellationToken cancellationToken)
    {
        var duration = TimeSpan.FromSeconds(options.LimitDuration);
        kestrel = await Limits.KestrelAsync(duration, options.Batch, options.Concurrency, cancellationToken);
        Console.WriteLine($"limits: Kestrel {kestrel.RequestsPerSecond:N0} requests/s ({kestrel.EventsPerSecond:N0} events/s in the load driver's files); trivial GET {kestrel.TrivialRequestsPerSecond:N0} requests/s");
        report.Details["kestrel"] = kestrel;

        await using (var server = options.Postgres is null ? await PostgresServer.StartAsync(cancellationToken) : null)
        {
            var admin = options.Postgres ?? server!.AdminConnectionString;
            Console.WriteLine($"limits: PostgreSQL ({(server is null ? "given" : server.Kind)}), binary COPY of {options.PgRows:N0} activity rows");
            postgres = await Limits.PostgresAsync(admin, options.PgRows, cancellationToken);
            report.Details["postgres"] = postgres;
        }
        await using (var server = options.RabbitMq is null ? await RabbitMqServer.StartAsync(cancellationToken) : null)
        {
            Console.WriteLine($"limits: RabbitMQ ({(server is null ? "given" : server.Kind)}), 1 KB publishes with confirms for {duration.TotalSeconds:N0} s");
            rabbit = await Limits.RabbitMqAsync(options.RabbitMq ?? server!.ConnectionString, duration, cancellationToken);
            Console.WriteLine($"limits: RabbitMQ consumed {rabbit.ConsumedPerSecond:N0}/s");
            report.Details["rabbitmq"] = rabbit;
        }
        report.Add(new Figure("limits", "raw PostgreSQL: binary COPY of activity rows into the Operations schema", postgres.RowsPerSecond, "rows/s"));
        report.Add(new Figure("limits", "raw RabbitMQ: 1 KB publishes confirmed, quorum queue", rabbit.PublishedPerSecond, "msg/s"));
        report.Add(new Figure("limits", "raw RabbitMQ: 1 KB consumed, manual acks, prefetch 256", rabbit.ConsumedPerSecond, "msg/s"));
        report.Add(new Figure("limits", $"raw Kestrel: POST of the load driver's files, {options.Batch} records, {options.Concurrency} in flight", kestrel.RequestsPerSecond, "req/s")
        {
            Note = $"{kestrel.EventsPerSecond:N0} events/s, p99 {kestrel.P99Milliseconds:N1} ms; the driver's generator included, as in the ingest figure",
        });
        report.Add(new Figure("limits", $"raw Kestrel: trivial GET, {options.Concurrency} in flight", kestrel.TrivialRequestsPerSecond, "req/s"));
    }

    private async Task EnginesAsync(CancellationToken cancellationToken)
    {
        var result = await Engines.RunAsync(repository, cancellationToken);
        report.Details["engines"] = result;
        var scp = result.Benchmarks.FirstOrDefault(b => b.Type.Contains("ScpDecision", StringComparison.Ordinal) && b.Method == "Decide");
        var gate = result.Benchmarks.FirstOrDefault(b => b.Type.Contains("GateEvaluation", StringComparison.Ordinal) && b.Method == "Evaluate");
        report.Add(new Figure("engines", "SCP decisions (5-level path, 10 SCPs × 20 statements a level; BenchmarkDotNet --quick)", scp?.PerSecond, "decisions/s")
        {
            Note = scp is null ? null : $"mean {scp.MeanNanoseconds:N0} ns",
        });
        report.Add(new Figure("engines", "gate evaluation, 20 rules × 200 evidence items: p99 of 5,000 single calls", result.Gate?.P99 / 1000, "ms")
        {
            Target = "< 1 ms (README's aim)", Met = result.Gate is { } g ? g.P99 < 1000 : null,
            Note = gate is null ? null : $"BenchmarkDotNet mean {gate.MeanNanoseconds / 1000:N0} µs",
        });
    }

    private async Task IngestAsync(SystemUnderTest system, Dictionary<string, double>? peak, CancellationToken cancellationToken)
    {
        LoadOptions Options(int seconds) => new()
        {
            Gateway = system.Gateway, Key = system.Key, Duration = TimeSpan.FromSeconds(seconds), Batch = options.Batch, Concurrency = options.Concurrency,
            Seed = Environment.TickCount & 0xffff,
        };
        if (options.Warmup > 0)
        {
            // Drained like the run itself (every accepted row counted), so that none of it is counted as the run's.
            var warmupBefore = system.OperationsDb is null ? 0 : await CountedAsync(system.OperationsDb, cancellationToken);
            var warmup = await Load.RunAsync(Options(options.Warmup), 0, "ingest warm-up", cancellationToken);
            await DrainAsync(system, warmup, DateTimeOffset.UtcNow, warmupBefore, cancellationToken);
        }
        var before = system.OperationsDb is null ? 0 : await CountedAsync(system.OperationsDb, cancellationToken);
        var rowsBefore = system.OperationsDb is null ? 0 : await CountAsync(system.OperationsDb, cancellationToken);
        if (options.PgStatements > 0 && system.OperationsDb is not null)
        {
            await PgStatements.ResetAsync(system.OperationsDb, cancellationToken);
        }
        var cpuAtStart = CpuNow(system);
        var started = Stopwatch.GetTimestamp();
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = peak is null ? Task.CompletedTask : SamplePeakAsync(system, peak, sampling.Token);
        var load = await Load.RunAsync(Options(options.Duration), 0, "ingest", cancellationToken);
        var cpuAtLoadEnd = CpuNow(system);
        var s = load.Statistics;
        var lost = s.Unaccounted + (s.EventsSent - s.EventsAccepted - s.Duplicates - s.Rejected - s.Unaccounted);
        var drain = await DrainAsync(system, load, DateTimeOffset.UtcNow, before, cancellationToken, started);
        if (system.OperationsDb is not null && await CountAsync(system.OperationsDb, cancellationToken) - rowsBefore is var rows && rows != drain.Stored)
        {
            report.Problems.Add($"ingest: the hourly counts grew by {drain.Stored:N0} but the activity table by {rows:N0}");
        }
        var cpu = CpuProfile.Of(cpuAtStart, cpuAtLoadEnd, CpuNow(system), load.Wall.TotalSeconds, drain.DrainSeconds, s.EventsAccepted);
        report.Details["ingestCpu"] = cpu;
        cpu.Print();
        await sampling.CancelAsync();
        await sampler;
        if (options.PgStatements > 0 && system.OperationsDb is not null)
        {
            var top = await PgStatements.TopAsync(system.OperationsDb, options.PgStatements, cancellationToken);
            report.Details["pgStatements"] = top;
            PgStatements.Print(top, drain.Stored);
        }
        report.Details["ingest"] = new
        {
            s.Requests, s.Accepted202, s.EventsSent, s.EventsAccepted, s.Duplicates, s.Rejected, s.Unaccounted, Failures = s.Failures,
            WallSeconds = load.Wall.TotalSeconds, drain,
        };
        var acceptedRate = s.EventsAccepted / load.Wall.TotalSeconds;
        report.Add(new Figure("ingest", $"accepted through the gateway, {options.Duration} s, batches of {options.Batch}, {options.Concurrency} in flight", acceptedRate, "events/s")
        {
            LimitName = "raw Kestrel, same files", Limit = kestrel?.EventsPerSecond, LimitUnit = "events/s",
            Note = $"{s.EventsAccepted:N0} of {s.EventsSent:N0} accepted, {lost:N0} lost, {s.NonAccepted:N0} non-202",
        });
        // Each event is about a kilobyte of JSON, and the collectors publish them in batches: against the broker's rate for
        // 1 KB messages one at a time, over 100 % is what batching buys.
        report.Add(new Figure("ingest", "accepted events through the broker (published in batches)", acceptedRate, "events/s")
        {
            LimitName = "raw RabbitMQ, 1 KB messages confirmed", Limit = rabbit?.PublishedPerSecond, LimitUnit = "msg/s",
            Note = $"~{s.BytesSent / Math.Max(1, s.EventsSent):N0} B of JSON an event",
        });
        if (drain.StoredRate is { } stored)
        {
            report.Add(new Figure("ingest", "stored in Operations and evaluated by Governance (load start to queues empty and rows counted)", stored, "events/s")
            {
                LimitName = "raw PostgreSQL COPY", Limit = postgres?.RowsPerSecond, LimitUnit = "rows/s",
                Target = "≥ 20,000 events/s and ≥ 25 % of raw PostgreSQL",
                Met = stored >= 20_000 && (postgres is null || stored >= 0.25 * postgres.RowsPerSecond),
                Note = $"{drain.Stored:N0} of {s.EventsAccepted:N0} stored, {drain.Missing:N0} missing, {drain.ErrorQueue?.ToString("N0", CultureInfo.InvariantCulture) ?? "?"} in error queues, drained {drain.DrainSeconds:N0} s after the load; rows alone {drain.RowsOnlyRate:N0}/s; queue depths lag up to 5 s",
            });
        }
        else
        {
            report.Add(new Figure("ingest", "stored in Operations and evaluated by Governance", null, "events/s") { Note = "needs --operations-db for a running system" });
        }
    }

    /// <summary>CPU seconds by process now; the bench's own (the load driver runs in it) under "bench (load driver)".</summary>
    private SortedDictionary<string, double> CpuNow(SystemUnderTest system)
    {
        var cpu = Footprint.CpuSeconds(repository, system.DataPath);
        cpu["bench (load driver)"] = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        return cpu;
    }

    /// <param name="StoredRate">Events/s from the load's start until every row was stored and the queues were empty.</param>
    /// <param name="RowsOnlyRate">Events/s from the load's start until the last row was stored, queues aside.</param>
    public sealed record Drain(long Stored, long Missing, double DrainSeconds, double? StoredRate, double? RowsOnlyRate, long? ErrorQueue, bool TimedOut);

    /// <summary>
    /// Waits until the Operations table holds every accepted event and the system's queues are empty (Governance has evaluated
    /// them too), or <see cref="BenchOptions.DrainTimeout"/>; the stored rate is over the load and the drain.
    /// </summary>
    private async Task<Drain> DrainAsync(SystemUnderTest system, Load.Result? load, DateTimeOffset loadEnded, long before, CancellationToken cancellationToken, long? started = null)
    {
        var expected = load?.Statistics.EventsAccepted ?? 0;
        var clock = Stopwatch.StartNew();
        long stored = 0, lastStored = -1;
        (long Working, long Errors)? queued = null;
        var lastChange = Stopwatch.GetTimestamp();
        long? allStoredAt = null;
        while (true)
        {
            stored = system.OperationsDb is null ? 0 : await CountedAsync(system.OperationsDb, cancellationToken) - before;
            queued = await system.QueuedAsync(cancellationToken);
            if (stored != lastStored)
            {
                lastStored = stored;
                lastChange = Stopwatch.GetTimestamp();
            }
            var empty = queued is null || queued.Value.Working == 0;
            var allStored = system.OperationsDb is null || load is null || stored >= expected;
            if (allStored && allStoredAt is null)
            {
                allStoredAt = lastChange;
            }
            Console.WriteLine($"drain: {clock.Elapsed.TotalSeconds,5:0}s  stored {stored,10:N0}{(load is null ? "" : $" of {expected:N0}")}  queued {queued?.Working.ToString("N0", CultureInfo.InvariantCulture) ?? "?"}");
            // Nothing queued and nothing stored for 10 s: the rest is not coming.
            var stalled = empty && Stopwatch.GetElapsedTime(lastChange) > TimeSpan.FromSeconds(10);
            if ((empty && allStored) || stalled || clock.Elapsed > TimeSpan.FromSeconds(options.DrainTimeout))
            {
                var end = empty && allStored ? Stopwatch.GetTimestamp() : lastChange;
                var seconds = started is { } s ? Stopwatch.GetElapsedTime(s, end).TotalSeconds : 0;
                var rowSeconds = started is { } t ? Stopwatch.GetElapsedTime(t, allStoredAt ?? lastChange).TotalSeconds : 0;
                return new Drain(stored, Math.Max(0, expected - stored), clock.Elapsed.TotalSeconds,
                    system.OperationsDb is null || seconds == 0 ? null : stored / seconds,
                    system.OperationsDb is null || rowSeconds == 0 ? null : stored / rowSeconds, queued?.Errors, !(empty && allStored));
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    /// <summary>
    /// Activities by the hourly counts, which the store keeps in the statement that inserts the rows: exact, and cheap enough
    /// to read every second, where <c>count(*)</c> over a growing table took a tenth of the database's time during a drain.
    /// The ingest checks it against <c>count(*)</c> once at the end.
    /// </summary>
    private static Task<long> CountedAsync(string connectionString, CancellationToken cancellationToken) =>
        ScalarAsync(connectionString, "SELECT coalesce(sum(count), 0)::bigint FROM activity_hourly_counts", cancellationToken);

    private static Task<long> CountAsync(string connectionString, CancellationToken cancellationToken) =>
        ScalarAsync(connectionString, "SELECT count(*) FROM activities", cancellationToken);

    private static async Task<long> ScalarAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task SamplePeakAsync(SystemUnderTest system, Dictionary<string, double> peak, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var (name, mib) in Footprint.Sample(repository, system.DataPath))
                {
                    peak[name] = Math.Max(peak.GetValueOrDefault(name), mib);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task DriftAsync(SystemUnderTest system, Dictionary<string, double>? peak, CancellationToken cancellationToken)
    {
        var loadOptions = new LoadOptions
        {
            Gateway = system.Gateway, Key = system.Key, ReadKey = system.ReadKey, Duration = TimeSpan.FromSeconds(options.DriftMax),
            Batch = 100, Concurrency = 4, Rate = options.DriftRate, ProbeDrift = true, ProbeLanes = options.ProbeLanes,
            ProbeInterval = TimeSpan.FromMilliseconds(options.ProbeInterval), Seed = Environment.TickCount & 0xffff,
        };
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = peak is null ? Task.CompletedTask : SamplePeakAsync(system, peak, sampling.Token);
        var load = await Load.RunAsync(loadOptions, options.ProbeLanes, "drift", cancellationToken, lanes => lanes.Sum(l => l.Samples) >= options.Samples);
        await sampling.CancelAsync();
        await sampler;
        var opened = load.Probes.SelectMany(p => p.OpenedMilliseconds).Order().ToList();
        var resolved = load.Probes.SelectMany(p => p.ResolvedMilliseconds).Order().ToList();
        var all = opened.Concat(resolved).Order().ToList();
        var timedOut = load.Probes.Sum(p => p.TimedOut);
        var background = load.Statistics.EventsAccepted / load.Wall.TotalSeconds;
        report.Details["drift"] = new
        {
            Samples = all.Count, Opened = opened.Count, Resolved = resolved.Count, TimedOut = timedOut, Refused = load.Probes.Sum(p => p.Refused),
            P50 = Load.Percentile(all, 50), P90 = Load.Percentile(all, 90), P99 = Load.Percentile(all, 99), Max = all.Count == 0 ? double.NaN : all[^1],
            OpenedP99 = Load.Percentile(opened, 99), ResolvedP99 = Load.Percentile(resolved, 99), BackgroundEventsPerSecond = background,
            Lanes = options.ProbeLanes, IntervalMilliseconds = options.ProbeInterval, WallSeconds = load.Wall.TotalSeconds,
        };
        var note = $"{all.Count:N0} samples on {options.ProbeLanes} lanes at once, {timedOut} unseen in 10 s, {background:N0} events/s background";
        report.Add(new Figure("drift", "event to finding through the gateway, p50", Load.Percentile(all, 50), "ms") { Note = note });
        report.Add(new Figure("drift", "event to finding through the gateway, p99", Load.Percentile(all, 99), "ms")
        {
            Target = "p99 < 1 s over ≥ 1,000 samples", Met = all.Count == 0 ? null : Load.Percentile(all, 99) < 1000 && all.Count >= 1000 && timedOut == 0,
        });
    }

    private async Task QueriesAsync(SystemUnderTest system, CancellationToken cancellationToken)
    {
        if (system.OperationsDb is null)
        {
            report.Problems.Add("queries: a running system needs --operations-db to seed and time its activity store");
            return;
        }
        var have = await CountAsync(system.OperationsDb, cancellationToken);
        if (options.ReuseSeed && have >= options.Rows)
        {
            Console.WriteLine($"queries: {have:N0} activities already stored; seeding nothing (--reuse-seed)");
        }
        else
        {
            var add = Math.Max(0, options.Rows - have);
            Console.WriteLine($"queries: {have:N0} activities stored; adding {add:N0} by binary COPY");
            await Seeder.RunAsync(system.OperationsDb, add, days: 30, writers: 2, cancellationToken);
        }
        var rows = await CountAsync(system.OperationsDb, cancellationToken);

        // The floor: a round trip to the same database with no work in it.
        var floor = new List<double>();
        await using (var connection = new NpgsqlConnection(system.OperationsDb))
        {
            await connection.OpenAsync(cancellationToken);
            for (var i = -3; i < options.QueryIterations; i++)
            {
                var clock = Stopwatch.StartNew();
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(cancellationToken);
                if (i >= 0)
                {
                    floor.Add(clock.Elapsed.TotalMilliseconds);
                }
            }
        }
        floor.Sort();
        var handlers = await ActivityBench.Benchmarks.QueryAsync(system.OperationsDb, options.QueryIterations, cancellationToken);
        var gateway = await GatewayTimingsAsync(system, cancellationToken);
        report.Details["queries"] = new { Rows = rows, Handlers = handlers, Gateway = gateway, SelectOneP95 = Load.Percentile(floor, 95) };

        const string target = "p95 < 200 ms";
        foreach (var (scenario, label) in new[] { ("newest page (50)", "activity list, newest 50"), ("overview: activity 24 h + signals", "overview's activity + signals") })
        {
            var timing = handlers.FirstOrDefault(h => h.Scenario == scenario);
            report.Add(new Figure("queries", $"{label}, handler on the database, p95 ({rows:N0} activities)", timing?.P95, "ms")
            {
                LimitName = "SELECT 1 p95", Limit = Load.Percentile(floor, 95), Target = target, Met = timing is null ? null : timing.P95 < 200,
            });
        }
        var alive = gateway.GetValueOrDefault("alive");
        foreach (var (path, timing) in gateway.Where(g => g.Key != "alive"))
        {
            report.Add(new Figure("queries", $"GET /{path} through the gateway, p95 (reader key)", timing.P95, "ms")
            {
                LimitName = "gateway GET /alive p95", Limit = alive is { Failed: 0 } ? alive.P95 : null,
                Target = target, Met = timing.P95 < 200, Note = timing.Failed > 0 ? $"{timing.Failed} failed" : null,
            });
        }
    }

    public sealed record HttpTiming(double P50, double P95, double P99, int Failed);

    private async Task<Dictionary<string, HttpTiming>> GatewayTimingsAsync(SystemUnderTest system, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var timings = new Dictionary<string, HttpTiming>(StringComparer.Ordinal);
        // /alive: the gateway's liveness answer, no service behind it: the floor for the two reads.
        foreach (var path in new[] { "alive", "api/activity", "api/overview" })
        {
            var times = new List<double>();
            var failed = 0;
            for (var i = -3; i < options.QueryIterations; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(system.Gateway, path));
                request.Headers.Add("X-Api-Key", system.ReadKey);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                var clock = Stopwatch.StartNew();
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
                var elapsed = clock.Elapsed.TotalMilliseconds;
                if (!response.IsSuccessStatusCode)
                {
                    failed++;
                }
                if (i >= 0)
                {
                    times.Add(elapsed);
                }
            }
            times.Sort();
            timings[path] = new HttpTiming(Load.Percentile(times, 50), Load.Percentile(times, 95), Load.Percentile(times, 99), failed);
            Console.WriteLine($"queries: GET /{path} p50 {timings[path].P50:N1} ms, p95 {timings[path].P95:N1} ms, {failed} failed");
        }
        return timings;
    }
}
