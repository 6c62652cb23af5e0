using System.Globalization;
using ControlTower.Operations.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlTower.Operations.Activity;

/// <summary>
/// Keeps the day partitions of <c>activities</c>: creates them ahead of time and drops those past retention.
/// Rows whose time has no partition land in <c>activities_default</c> (a clock far off, a backfill of old
/// events) and are never lost: creating a partition moves the default's rows of that day into it
/// (<c>activities_ensure_partition</c>, created by the migration).
/// </summary>
public sealed class ActivityPartitions(OperationsDbContext db, IOptions<ActivityOptions> options)
{
    public const string PartitionPrefix = "activities_p";

    // One maintainer at a time across replicas; DDL on the same parent would otherwise queue or fail.
    private const long LockKey = 0x61637469766974; // "activit"

    public sealed record Result(IReadOnlyList<string> Created, IReadOnlyList<string> Dropped, int ExpiredDefaultRows);

    public async Task<Result> MaintainAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var oldestKept = today.AddDays(-settings.RetentionDays);
        // One transaction, retried whole by the connection's execution strategy.
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(
            (today, oldestKept, settings.PartitionDaysAhead), MaintainOnceAsync, cancellationToken);
    }

    private async Task<Result> MaintainOnceAsync((DateOnly Today, DateOnly OldestKept, int DaysAhead) plan, CancellationToken cancellationToken)
    {
        var (today, oldestKept, daysAhead) = plan;
        var created = new List<string>();
        var dropped = new List<string>();

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock({0})", [LockKey], cancellationToken);

        for (var day = today; day <= today.AddDays(daysAhead); day = day.AddDays(1))
        {
            var made = await db.Database.SqlQueryRaw<bool>(
                "SELECT activities_ensure_partition({0}) AS \"Value\"", day).SingleAsync(cancellationToken);
            if (made)
            {
                created.Add(PartitionName(day));
            }
        }

        var partitions = await db.Database.SqlQueryRaw<string>(
            """
            SELECT c.relname AS "Value" FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'activities'::regclass
            """).ToListAsync(cancellationToken);
        foreach (var name in partitions.Order(StringComparer.Ordinal))
        {
            // A day partition holds [day, day + 1): it expires whole once its day is before the oldest day kept.
            if (TryParseDay(name, out var day) && day < oldestKept)
            {
                // The name passed TryParseDay: the prefix and eight digits, nothing to quote.
                var drop = "DROP TABLE " + name;
                await db.Database.ExecuteSqlRawAsync(drop, cancellationToken);
                dropped.Add(name);
            }
        }

        var cutoff = new DateTimeOffset(oldestKept.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var expired = await db.Database.ExecuteSqlRawAsync(
            "DELETE FROM activities_default WHERE time < {0}", [cutoff], cancellationToken);

        await db.Database.ExecuteSqlRawAsync("DELETE FROM activity_hourly_counts WHERE hour < {0}", [cutoff], cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        return new Result(created, dropped, expired);
    }

    public static string PartitionName(DateOnly day) =>
        PartitionPrefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static bool TryParseDay(string name, out DateOnly day)
    {
        day = default;
        return name.StartsWith(PartitionPrefix, StringComparison.Ordinal)
            && DateOnly.TryParseExact(name[PartitionPrefix.Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }
}

/// <summary>Runs <see cref="ActivityPartitions"/> at start and then every <see cref="ActivityOptions.MaintenanceInterval"/>.</summary>
public sealed class ActivityPartitionMaintainer(
    IServiceScopeFactory scopes,
    IOptions<ActivityOptions> options,
    TimeProvider time,
    ILogger<ActivityPartitionMaintainer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.MaintenanceInterval, time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var result = await scope.ServiceProvider.GetRequiredService<ActivityPartitions>()
                    .MaintainAsync(time.GetUtcNow(), stoppingToken);
                if (result.Created.Count + result.Dropped.Count + result.ExpiredDefaultRows > 0)
                {
                    logger.LogInformation("Activity partitions: created {Created}, dropped {Dropped}, {Expired} expired rows removed from the default partition",
                        string.Join(", ", result.Created), string.Join(", ", result.Dropped), result.ExpiredDefaultRows);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The schema may not be migrated yet (migrations outside Development are a deployment step); try again next round.
                logger.LogWarning(exception, "Activity partition maintenance failed; retrying in {Interval}", options.Value.MaintenanceInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
