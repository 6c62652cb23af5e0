using System.Diagnostics;
using System.Globalization;
using System.Net;
using ControlTower.Bench;
using ControlTower.LoadDriver;
using Npgsql;

namespace ControlTower.Faults.Tests;

/// <summary>One fault: a resource and the signal that stops it (KILL is a crash; INT and TERM are the servers' own clean stops).</summary>
public sealed record Fault(string Resource, string Signal)
{
    /// <summary>Issue #11's list: kill -9 each service in turn, then restart RabbitMQ and PostgreSQL.</summary>
    public static readonly IReadOnlyList<Fault> Round =
    [
        new("collector-aws", "KILL"),
        new("operations", "KILL"),
        new("governance", "KILL"),
        new("gateway", "KILL"),
        new("rabbitmq", "TERM"),
        new("postgres", "INT"),
    ];

    public override string ToString() => Signal == "KILL" ? $"kill -9 {Resource}" : $"restart {Resource} (SIG{Signal})";
}

/// <summary>The run's settings; the soak mode raises them through the environment.</summary>
public sealed record FaultRunOptions(int Events, int Rounds, int Rate, int PerFile = 250, int Workers = 8)
{
    /// <summary>
    /// 100,000 events at 2,000 a second with one round of faults; <c>CONTROLTOWER_FAULT_EVENTS</c>,
    /// <c>CONTROLTOWER_FAULT_ROUNDS</c> and <c>CONTROLTOWER_FAULT_RATE</c> make it a soak.
    /// </summary>
    public static FaultRunOptions FromEnvironment() => new(
        Setting("CONTROLTOWER_FAULT_EVENTS", 100_000),
        Setting("CONTROLTOWER_FAULT_ROUNDS", 1),
        Setting("CONTROLTOWER_FAULT_RATE", 2_000));

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}

/// <summary>What the run found: the figures issue #11 asks for, and every broken promise as a problem.</summary>
public sealed class FaultReport
{
    public List<string> Lines { get; } = [];
    public List<string> Problems { get; } = [];
    public long EventsSent { get; set; }
    public long EventsAccepted { get; set; }
    public long Stored { get; set; }
    public long DuplicatesStored { get; set; }
    public long Lost { get; set; }
    public long Unexpected { get; set; }
}

/// <summary>
/// Issue #11's fault run against a whole system started through the AppHost: a paced ingest of CloudTrail files through
/// the gateway by a source that retries (<see cref="RetryingSender"/>), while each service is killed with SIGKILL and
/// started again and RabbitMQ and PostgreSQL are restarted. Then it waits for the system to settle and checks that every
/// event is stored exactly once, every marker finding exists once and counts each marker once, each finding's signal
/// counts the same, no signal is doubled, and no message is left in a queue or an outbox.
/// </summary>
public sealed class FaultRun(SystemUnderTest system, FaultRunOptions options, Action<string> log)
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(5);

    public async Task<FaultReport> RunAsync(CancellationToken cancellationToken)
    {
        var report = new FaultReport();
        void Say(string line)
        {
            report.Lines.Add(line);
            log(line);
        }

        var load = FaultLoad.Make(options.Events, options.PerFile, seed: 11);
        var interval = TimeSpan.FromSeconds((double)options.PerFile / options.Rate);
        var planned = interval * load.Files.Count;
        Say($"fault run: {load.EventIds.Count:N0} events in {load.Files.Count:N0} files at {options.Rate:N0} events/s (about {planned.TotalSeconds:N0} s), {options.Rounds} round(s) of {Fault.Round.Count} faults");

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Workers, UseProxy = false, AutomaticDecompression = DecompressionMethods.None };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var sender = new RetryingSender(client, new Uri(system.Gateway, LoadOptions.IngestPath), system.Key);
        var clock = Stopwatch.StartNew();
        var sending = PacedWorkers.RunAsync(load.Files.Count, interval, options.Workers, (i, ct) => sender.SendAsync(load.Files[i], ct), cancellationToken);

        // Faults spread over the planned load, each after the one before has recovered.
        var faults = Enumerable.Repeat(Fault.Round, options.Rounds).SelectMany(r => r).ToList();
        using (var progress = new Timer(_ => Say(Progress(clock, sender, load)), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)))
        {
            for (var i = 0; i < faults.Count; i++)
            {
                var due = planned * (i + 1) / (faults.Count + 1);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed, cancellationToken);
                }
                Say($"{clock.Elapsed.TotalSeconds,6:N1} s  {faults[i]}");
                var away = await system.StopAndStartAsync(faults[i].Resource, faults[i].Signal, cancellationToken);
                Say($"{clock.Elapsed.TotalSeconds,6:N1} s  {faults[i].Resource} healthy again, {away.TotalSeconds:N1} s after the fault");
            }
            await sending;
        }
        Say($"{Progress(clock, sender, load)}: every file accepted");
        report.EventsSent = load.EventIds.Count;
        report.EventsAccepted = sender.EventsAccepted + sender.DuplicatesReported;
        Say($"requests {sender.Requests:N0}; files sent again {sender.Resends:N0}; answers: {string.Join(", ", sender.Answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} × {a.Value:N0}"))}");
        Say($"events accepted {sender.EventsAccepted:N0}, reported as repeats {sender.DuplicatesReported:N0}");
        foreach (var refusal in sender.Refusals)
        {
            report.Problems.Add($"a good file was refused: {refusal}");
        }

        await SettleAsync(load, report, Say, cancellationToken);
        await CheckAsync(load, report, Say, cancellationToken);
        return report;
    }

    private static string Progress(Stopwatch clock, RetryingSender sender, FaultLoad load) =>
        $"{clock.Elapsed.TotalSeconds,6:N1} s  files accepted {sender.FilesAccepted:N0}/{load.Files.Count:N0}, requests {sender.Requests:N0}, sent again {sender.Resends:N0}";

    /// <summary>Waits until every event is stored and the queues are empty (or the timeout), reporting progress.</summary>
    private async Task SettleAsync(FaultLoad load, FaultReport report, Action<string> say, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var lastSaid = TimeSpan.Zero;
        while (true)
        {
            var stored = await ScalarAsync("operationsdb", "SELECT count(*) FROM activities", cancellationToken);
            var queued = await system.QueuedAsync(cancellationToken);
            // Findings and signals follow the activity by a message or two: the outboxes must empty as well.
            var outboxes = await OutboxRowsAsync(cancellationToken);
            var settled = stored >= load.EventIds.Count && queued is { Working: 0 } && outboxes == 0;
            if (settled || clock.Elapsed > SettleTimeout || clock.Elapsed - lastSaid >= TimeSpan.FromSeconds(5))
            {
                say($"settling {clock.Elapsed.TotalSeconds,5:N0} s: stored {stored:N0}/{load.EventIds.Count:N0}; queued {queued?.Working ?? -1:N0}, in error queues {queued?.Errors ?? -1:N0}, in outboxes {outboxes:N0}");
                lastSaid = clock.Elapsed;
            }
            if (settled)
            {
                // Quiet for a moment longer: nothing may arrive late.
                await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
                if (await OutboxRowsAsync(cancellationToken) == 0 && await system.QueuedAsync(cancellationToken) is { Working: 0 })
                {
                    return;
                }
            }
            if (clock.Elapsed > SettleTimeout)
            {
                report.Problems.Add($"the system did not settle within {SettleTimeout.TotalMinutes:N0} min");
                return;
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    private async Task CheckAsync(FaultLoad load, FaultReport report, Action<string> say, CancellationToken cancellationToken)
    {
        // Events: each exactly once.
        var (stored, rows) = await StoredEventIdsAsync(system, cancellationToken);
        report.Stored = stored.Count;
        report.DuplicatesStored = rows - stored.Count;
        report.Lost = load.EventIds.Count(id => !stored.Contains(id));
        report.Unexpected = stored.Count(id => !load.EventIds.Contains(id));
        say($"events: sent {report.EventsSent:N0}, accepted {report.EventsAccepted:N0}, stored {report.Stored:N0}, stored twice {report.DuplicatesStored:N0}, lost {report.Lost:N0}, not ours {report.Unexpected:N0}");
        if (report.Lost > 0 || report.DuplicatesStored > 0 || report.Unexpected > 0)
        {
            report.Problems.Add($"events not stored exactly once: {report.Lost:N0} lost, {report.DuplicatesStored:N0} stored twice, {report.Unexpected:N0} unknown");
        }

        // Marker findings: one per account, counting each marker once, and each marker recorded once.
        var findings = new Dictionary<string, (Guid Id, int Occurrences)>(StringComparer.Ordinal);
        await using (var connection = await OpenAsync("governancedb", cancellationToken))
        {
            await using (var command = new NpgsqlCommand("SELECT id, account, occurrences FROM findings WHERE kind = 'guardrail' AND type = @type", connection))
            {
                command.Parameters.AddWithValue("type", FaultLoad.MarkerControl);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var account = reader.GetString(1);
                    if (!findings.TryAdd(account, (reader.GetGuid(0), reader.GetInt32(2))))
                    {
                        report.Problems.Add($"two {FaultLoad.MarkerControl} findings for account {account}");
                    }
                }
            }
            var markerEvents = await ScalarAsync(connection, $"SELECT count(*) FROM guardrail_events WHERE control_id = '{FaultLoad.MarkerControl}'", cancellationToken);
            var countedTwice = await ScalarAsync(connection,
                "SELECT count(*) FROM findings f WHERE kind = 'guardrail' AND occurrences <> (SELECT count(*) FROM guardrail_events e WHERE e.finding_id = f.id)", cancellationToken);
            var expected = load.MarkersByAccount.Values.Sum();
            say($"findings: {findings.Count} of {load.MarkersByAccount.Count} expected, counting {findings.Values.Sum(f => f.Occurrences):N0} of {expected:N0} markers; marker events recorded {markerEvents:N0}; guardrail findings whose count is not their events' {countedTwice:N0}");
            foreach (var (account, markers) in load.MarkersByAccount)
            {
                if (!findings.TryGetValue(account, out var finding))
                {
                    report.Problems.Add($"no {FaultLoad.MarkerControl} finding for account {account}");
                }
                else if (finding.Occurrences != markers)
                {
                    report.Problems.Add($"the finding for account {account} counts {finding.Occurrences} markers, not {markers}");
                }
            }
            if (markerEvents != expected)
            {
                report.Problems.Add($"{markerEvents:N0} marker events recorded, not {expected:N0}");
            }
            if (countedTwice > 0)
            {
                report.Problems.Add($"{countedTwice} guardrail findings count a different number of occurrences than their recorded events");
            }
        }

        // Signals: one per finding, counting what the finding counts; no dedup key twice.
        await using (var connection = await OpenAsync("operationsdb", cancellationToken))
        {
            var doubled = await ScalarAsync(connection, "SELECT count(*) FROM (SELECT dedup_key FROM signals GROUP BY dedup_key HAVING count(*) > 1) d", cancellationToken);
            var signals = await ScalarAsync(connection, "SELECT count(*) FROM signals", cancellationToken);
            var matching = 0;
            foreach (var (account, finding) in findings)
            {
                await using var command = new NpgsqlCommand("SELECT count(*), coalesce(max(count), 0) FROM signals WHERE dedup_key = @key", connection);
                command.Parameters.AddWithValue("key", $"guardrail:{finding.Id}");
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                var (count, occurrences) = (reader.GetInt64(0), reader.GetInt32(1));
                if (count != 1 || occurrences != finding.Occurrences)
                {
                    report.Problems.Add($"account {account}: {count} signals for its finding, counting {occurrences}, not one counting {finding.Occurrences}");
                }
                else
                {
                    matching++;
                }
            }
            say($"signals: {signals:N0} in all, {doubled:N0} dedup keys doubled; {matching} of {findings.Count} marker findings have one signal with the same count");
            if (doubled > 0)
            {
                report.Problems.Add($"{doubled} signals are doubled");
            }
        }

        // Nothing left behind.
        var queued = await system.QueuedAsync(cancellationToken);
        var outboxes = await OutboxRowsAsync(cancellationToken);
        say($"left behind: {queued?.Working ?? -1:N0} messages queued, {queued?.Errors ?? -1:N0} in error queues, {outboxes:N0} in outboxes");
        if (queued is not { Working: 0, Errors: 0 })
        {
            report.Problems.Add($"messages left in queues: {queued?.Working ?? -1} queued, {queued?.Errors ?? -1} in error queues");
        }
        if (outboxes > 0)
        {
            report.Problems.Add($"{outboxes} messages left in outboxes");
        }
    }

    private async Task<long> OutboxRowsAsync(CancellationToken cancellationToken)
    {
        long rows = 0;
        foreach (var database in new[] { "operationsdb", "governancedb", "releasegatedb", "gatewaydb" })
        {
            await using var connection = await OpenAsync(database, cancellationToken);
            if (await ScalarAsync(connection, "SELECT count(*) FROM pg_tables WHERE tablename = 'outbox_messages'", cancellationToken) > 0)
            {
                rows += await ScalarAsync(connection, "SELECT count(*) FROM outbox_messages", cancellationToken);
            }
        }
        return rows;
    }

    /// <summary>The ids of the AWS events the system stored, and how many rows hold them (more rows than ids: one stored twice).</summary>
    public static async Task<(HashSet<string> Ids, long Rows)> StoredEventIdsAsync(SystemUnderTest system, CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        long rows = 0;
        await using var connection = await OpenAsync(system, "operationsdb", cancellationToken);
        await using var command = new NpgsqlCommand("SELECT event_id FROM activities WHERE provider = 'aws'", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows++;
            ids.Add(reader.GetString(0));
        }
        return (ids, rows);
    }

    private Task<NpgsqlConnection> OpenAsync(string database, CancellationToken cancellationToken) => OpenAsync(system, database, cancellationToken);

    private static async Task<NpgsqlConnection> OpenAsync(SystemUnderTest system, string database, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(await system.ConnectionStringAsync(database, cancellationToken)
            ?? throw new InvalidOperationException($"no connection string for {database}"));
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private async Task<long> ScalarAsync(string database, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(database, cancellationToken);
        return await ScalarAsync(connection, sql, cancellationToken);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }
}
