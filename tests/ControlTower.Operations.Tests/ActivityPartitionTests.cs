using System.Net;
using ControlTower.Contracts.Activity;
using ControlTower.Operations.Activity;
using ControlTower.Operations.Data;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static ControlTower.Operations.Tests.ActivityQueryTests;

namespace ControlTower.Operations.Tests;

/// <summary>Day partitions, the default partition, retention and the migration to a partitioned table, on real PostgreSQL.</summary>
public sealed class ActivityPartitionTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private static readonly DateTimeOffset Today = new(DateTime.UtcNow.Date, TimeSpan.Zero);

    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, "operationsdb", new Dictionary<string, string?>
        {
            ["Operations:Activity:RetentionDays"] = "10",
            ["Operations:Activity:PartitionDaysAhead"] = "3",
        });
        client = factory.CreateTrustedClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    private async Task<List<(string EventId, string Partition)>> WhereStoredAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OperationsDbContext>();
        var rows = await db.Database.SqlQueryRaw<string>(
            "SELECT event_id || ' ' || tableoid::regclass::text AS \"Value\" FROM activities ORDER BY event_id")
            .ToListAsync(TestContext.Current.CancellationToken);
        return rows.Select(r => r.Split(' ')).Select(p => (p[0], p[1])).ToList();
    }

    private async Task<long> CountedAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OperationsDbContext>();
        return await db.Database.SqlQueryRaw<long>("SELECT coalesce(sum(count), 0)::bigint AS \"Value\" FROM activity_hourly_counts")
            .SingleAsync(TestContext.Current.CancellationToken);
    }

    private async Task<ActivityPartitions.Result> MaintainAsync(DateTimeOffset now)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ActivityPartitions>().MaintainAsync(now, TestContext.Current.CancellationToken);
    }

    private async Task EnsurePartitionAsync(DateTimeOffset day)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OperationsDbContext>();
        await db.Database.ExecuteSqlRawAsync("SELECT activities_ensure_partition({0})", [DateOnly.FromDateTime(day.UtcDateTime)], TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData("RetentionDays", "0")]
    [InlineData("PartitionDaysAhead", "0")]
    [InlineData("MaintenanceInterval", "00:00:00")]
    public async Task OptionsOutOfRangeStopTheServiceFromStarting(string setting, string value)
    {
        await using var refused = ServiceFactory<Program>.OnServers(infrastructure, "operationsdb", new Dictionary<string, string?>
        {
            ["Operations:Activity:" + setting] = value,
        });

        var error = Assert.IsType<OptionsValidationException>(refused.StartupFailure());
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PartitionsAreKeptAheadOfToday()
    {
        await MaintainAsync(DateTimeOffset.UtcNow);

        await StoreAsync(factory.Services, Sample("today", Today.AddHours(1)), Sample("in-3-days", Today.AddDays(3).AddHours(23)));

        var stored = await WhereStoredAsync();
        Assert.Contains(("today", ActivityPartitions.PartitionName(DateOnly.FromDateTime(Today.UtcDateTime))), stored);
        Assert.Contains(("in-3-days", ActivityPartitions.PartitionName(DateOnly.FromDateTime(Today.AddDays(3).UtcDateTime))), stored);
    }

    [Fact]
    public async Task AnEventFarInThePastOrFutureIsStoredInTheDefaultPartitionAndMovedWhenItsDayGetsAPartition()
    {
        var future = new DateTimeOffset(2090, 5, 17, 12, 0, 0, TimeSpan.Zero);
        await StoreAsync(factory.Services, Sample("past", new DateTimeOffset(1999, 1, 1, 0, 0, 0, TimeSpan.Zero)), Sample("future", future));

        Assert.Equal([("future", "activities_default"), ("past", "activities_default")], await WhereStoredAsync());
        using (var response = await client.GetAsync("/api/activity/aws/future", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await EnsurePartitionAsync(future);

        Assert.Equal([("future", "activities_p20900517"), ("past", "activities_default")], await WhereStoredAsync());
    }

    [Fact]
    public async Task RetentionDropsDayPartitionsPastItAndKeepsTheRest()
    {
        foreach (var days in new[] { 30, 11, 10, 9, 1 })
        {
            await EnsurePartitionAsync(Today.AddDays(-days));
        }
        await StoreAsync(factory.Services,
            Sample("30-days", Today.AddDays(-30).AddHours(5)),
            Sample("11-days", Today.AddDays(-11).AddHours(23)),
            Sample("10-days", Today.AddDays(-10)),
            Sample("9-days", Today.AddDays(-9)),
            Sample("1-day", Today.AddDays(-1)),
            Sample("ancient", new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            Sample("future", new DateTimeOffset(2090, 1, 1, 0, 0, 0, TimeSpan.Zero)));

        var result = await MaintainAsync(Today.AddHours(12));

        Assert.Equal([ActivityPartitions.PartitionName(DateOnly.FromDateTime(Today.AddDays(-30).UtcDateTime)),
            ActivityPartitions.PartitionName(DateOnly.FromDateTime(Today.AddDays(-11).UtcDateTime))], result.Dropped);
        Assert.Equal(1, result.ExpiredDefaultRows);
        Assert.Equal(["1-day", "10-days", "9-days", "future"], (await WhereStoredAsync()).Select(r => r.EventId).Order(StringComparer.Ordinal));
        // The hourly counts go with them: what is left counts the four kept.
        Assert.Equal(4, await CountedAsync());
    }

    [Fact]
    public async Task RedeliveryAcrossPartitionsStoresNothingTwice()
    {
        var activities = new[]
        {
            Sample("r-today", Today.AddHours(2)),
            Sample("r-ahead", Today.AddDays(2)),
            Sample("r-default", new DateTimeOffset(2070, 1, 1, 0, 0, 0, TimeSpan.Zero)),
        };
        var batch = new CloudActivityBatch { BatchId = Guid.NewGuid(), Source = "test", ReceivedAt = DateTimeOffset.UtcNow, Activities = activities };
        await using var scope = factory.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ActivityStore>();

        Assert.Equal(3, await store.StoreAsync(batch, TestContext.Current.CancellationToken));
        Assert.Equal(0, await store.StoreAsync(batch, TestContext.Current.CancellationToken));

        Assert.Equal(3, (await WhereStoredAsync()).Select(r => r.Partition).Distinct().Count());
        Assert.Equal(3, (await WhereStoredAsync()).Count);
        Assert.Equal(3, await CountedAsync());
    }

    [Fact]
    public async Task MigratingToPartitionsKeepsTheActivityAlreadyStored()
    {
        var connectionString = infrastructure.Postgres.NewDatabase("opsmigration");
        var options = new DbContextOptionsBuilder<OperationsDbContext>().UseNpgsql(connectionString).UseSnakeCaseNamingConvention().Options;
        await using var db = new OperationsDbContext(options);
        var migrator = db.GetService<IMigrator>();
        var migrations = db.Database.GetMigrations().ToList();
        var before = migrations[migrations.FindIndex(m => m.EndsWith("_PartitionedActivities", StringComparison.Ordinal)) - 1];
        await migrator.MigrateAsync(before, TestContext.Current.CancellationToken);
        await db.Database.ExecuteSqlRawAsync(
            """
            INSERT INTO activities (provider, event_id, time, account, service, operation, actor, outcome, raw, source, received_at, stored_at)
            VALUES ('aws', 'old-recent', now() - interval '2 days', '555555555555', 's3.amazonaws.com', 'GetObject', 'alice', 'Success', '[1]', 'test', now(), now()),
                   ('aws', 'old-ancient', '2001-01-01', '555555555555', 's3.amazonaws.com', 'GetObject', 'alice', 'Success', '[2]', 'test', now(), now()),
                   ('azure', 'old-today', now(), '666666666666', 'Microsoft.Storage', 'write', 'bob', 'Failure', '[3]', 'test', now(), now())
            """, TestContext.Current.CancellationToken);

        await migrator.MigrateAsync(cancellationToken: TestContext.Current.CancellationToken);

        var rows = await db.Activities.AsNoTracking().OrderBy(a => a.EventId).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["old-ancient", "old-recent", "old-today"], rows.Select(r => r.EventId));
        Assert.Equal("[3]", rows[2].Raw);
        var partitions = await db.Database.SqlQueryRaw<string>(
            "SELECT tableoid::regclass::text AS \"Value\" FROM activities ORDER BY event_id").ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(3, await db.Database.SqlQueryRaw<long>("SELECT sum(count)::bigint AS \"Value\" FROM activity_hourly_counts")
            .SingleAsync(TestContext.Current.CancellationToken));
        Assert.Equal("activities_default", partitions[0]);
        Assert.StartsWith(ActivityPartitions.PartitionPrefix, partitions[1], StringComparison.Ordinal);
        Assert.StartsWith(ActivityPartitions.PartitionPrefix, partitions[2], StringComparison.Ordinal);
    }
}
