using System.Diagnostics;
using System.Text.Json;
using ControlTower.Contracts.Activity;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace ControlTower.ActivityBench;

/// <summary>
/// Fills <c>activities</c> with realistic rows by binary COPY, oldest first, in chunks (one COPY and one
/// transaction each) spread over a few connections, printing progress every second.
/// </summary>
public static class Seeder
{
    private const int ChunkRows = 50_000;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string Copy = """
        COPY activities (provider, event_id, time, account, region, service, operation, actor, actor_type, source_ip,
                         user_agent, outcome, error_code, error_message, read_only, event_type, event_category,
                         management_event, event_version, recipient_account, organization_id, mfa_used, request_id,
                         resource_group, resource_id, correlation_id, level, identity, resources, anomalies, raw,
                         source, received_at, stored_at) FROM STDIN (FORMAT BINARY)
        """;

    /// <summary>Rows written by COPY and how long the COPY took (without the migration, the hourly counts and the analyse).</summary>
    public readonly record struct SeedResult(long Rows, TimeSpan Copying)
    {
        public double RowsPerSecond => Copying > TimeSpan.Zero ? Rows / Copying.TotalSeconds : 0;
    }

    /// <param name="finish">Rebuild the hourly counts and analyse afterwards, as queries need; off for a bare insert-rate measurement.</param>
    public static async Task<SeedResult> RunAsync(string connectionString, long rows, int days, int writers, CancellationToken cancellationToken, bool finish = true)
    {
        await using (var db = Benchmarks.Context(connectionString))
        {
            db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
            await db.Database.MigrateAsync(cancellationToken);
        }
        if (rows == 0)
        {
            Console.WriteLine("seed: migrated, nothing to add");
            return new SeedResult(0, TimeSpan.Zero);
        }
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var end = DateTimeOffset.UtcNow;
        var start = end.AddDays(-days);
        // Day partitions for the whole window first, so nothing lands in the default partition.
        await using (var command = dataSource.CreateCommand(
            "SELECT count(*) FILTER (WHERE activities_ensure_partition(d::date)) FROM generate_series(@start::date, @end::date, interval '1 day') AS d"))
        {
            command.Parameters.AddWithValue("start", start.UtcDateTime.Date);
            command.Parameters.AddWithValue("end", end.UtcDateTime.Date);
            Console.WriteLine($"seed: {await command.ExecuteScalarAsync(cancellationToken)} day partitions created for {start:yyyy-MM-dd}..{end:yyyy-MM-dd}");
        }

        var chunks = (rows + ChunkRows - 1) / ChunkRows;
        var step = (end - start) / rows;
        long done = 0;
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"seed: {rows:N0} rows over {days} days in {chunks} COPY chunks of {ChunkRows:N0}, {writers} connections");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = Task.Run(async () =>
        {
            var last = 0L;
            var lastTime = TimeSpan.Zero;
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false) is true)
            {
                var now = Interlocked.Read(ref done);
                var elapsed = clock.Elapsed;
                Console.WriteLine($"seed: {now,12:N0} rows  {(now - last) / (elapsed - lastTime).TotalSeconds,9:N0} rows/s now  {now / elapsed.TotalSeconds,9:N0} rows/s overall  {elapsed:hh\\:mm\\:ss}");
                (last, lastTime) = (now, elapsed);
            }
        }, CancellationToken.None);

        var next = -1L;
        await Parallel.ForEachAsync(Enumerable.Range(0, writers), cancellationToken, async (writer, token) =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(token);
            long chunk;
            while ((chunk = Interlocked.Increment(ref next)) < chunks)
            {
                var generator = new ActivityGenerator(seed: (int)chunk);
                var first = chunk * ChunkRows;
                var count = Math.Min(ChunkRows, rows - first);
                await using var importer = await connection.BeginBinaryImportAsync(Copy, token);
                for (var i = 0; i < count; i++)
                {
                    var time = start + step * (first + i);
                    await WriteAsync(importer, generator.Next(time), end, token);
                    if ((i & 1023) == 1023)
                    {
                        Interlocked.Add(ref done, 1024);
                    }
                }
                await importer.CompleteAsync(token);
                Interlocked.Add(ref done, count - count / 1024 * 1024);
            }
        });
        var total = clock.Elapsed;
        await stop.CancelAsync();
        try
        {
            await progress;
        }
        catch (OperationCanceledException)
        {
        }
        Console.WriteLine($"seed: {rows:N0} rows in {total.TotalSeconds:N0} s, {rows / total.TotalSeconds:N0} rows/s");
        if (!finish)
        {
            return new SeedResult(rows, total);
        }
        // COPY bypasses the insert that keeps the hourly counts: rebuild them from the table.
        await using (var recount = dataSource.CreateCommand("""
            TRUNCATE activity_hourly_counts;
            INSERT INTO activity_hourly_counts (hour, provider, outcome, service, count)
            SELECT date_bin('1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), provider, outcome, service, count(*)
            FROM activities GROUP BY 1, 2, 3, 4
            """))
        {
            recount.CommandTimeout = 0;
            var counting = Stopwatch.StartNew();
            await recount.ExecuteNonQueryAsync(cancellationToken);
            Console.WriteLine($"seed: hourly counts rebuilt in {counting.Elapsed.TotalSeconds:N0} s");
        }
        await using var analyze = dataSource.CreateCommand("VACUUM (ANALYZE) activities, activity_hourly_counts");
        analyze.CommandTimeout = 0;
        var vacuum = Stopwatch.StartNew();
        await analyze.ExecuteNonQueryAsync(cancellationToken);
        Console.WriteLine($"seed: VACUUM ANALYZE in {vacuum.Elapsed.TotalSeconds:N0} s");
        return new SeedResult(rows, total);
    }

    private static async Task WriteAsync(NpgsqlBinaryImporter importer, CloudActivity a, DateTimeOffset received, CancellationToken token)
    {
        await importer.StartRowAsync(token);
        await Text(a.Provider);
        await Text(a.EventId);
        await importer.WriteAsync(a.Time, NpgsqlDbType.TimestampTz, token);
        await Text(a.Account);
        await Text(a.Region);
        await Text(a.Service);
        await Text(a.Operation);
        await Text(a.Actor);
        await Text(a.ActorType);
        await Text(a.SourceIp);
        await Text(a.UserAgent);
        await Text(a.Outcome.ToString());
        await Text(a.ErrorCode);
        await Text(a.ErrorMessage);
        await Bool(a.ReadOnly);
        await Text(a.EventType);
        await Text(a.EventCategory);
        await Bool(a.ManagementEvent);
        await Text(a.EventVersion);
        await Text(a.RecipientAccount);
        await Text(a.OrganizationId);
        await Bool(a.MfaUsed);
        await Text(a.RequestId);
        await Text(a.ResourceGroup);
        await Text(a.ResourceId);
        await Text(a.CorrelationId);
        await Text(a.Level);
        await Jsonb(a.Identity is null ? null : JsonSerializer.Serialize(a.Identity, Json));
        await Jsonb(JsonSerializer.Serialize(a.Resources, Json));
        await Jsonb(JsonSerializer.Serialize(a.Anomalies, Json));
        await Text(a.Raw.ToString());
        await Text("seed");
        await importer.WriteAsync(received, NpgsqlDbType.TimestampTz, token);
        await importer.WriteAsync(received, NpgsqlDbType.TimestampTz, token);

        Task Text(string? value) => value is null ? importer.WriteNullAsync(token) : importer.WriteAsync(value, NpgsqlDbType.Text, token);
        Task Jsonb(string? value) => value is null ? importer.WriteNullAsync(token) : importer.WriteAsync(value, NpgsqlDbType.Jsonb, token);
        Task Bool(bool? value) => value is null ? importer.WriteNullAsync(token) : importer.WriteAsync(value.Value, NpgsqlDbType.Boolean, token);
    }
}
