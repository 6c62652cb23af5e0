using ControlTower.Contracts.Activity;
using ControlTower.Governance.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Governance.Consumers;

/// <summary>
/// Keeps the observed accounts current from activity. Idempotent: first and last seen only ever widen, so a
/// redelivered batch changes nothing.
/// </summary>
public sealed class CloudActivityBatchConsumer(GovernanceDbContext db) : IConsumer<CloudActivityBatch>
{
    private const string UpsertSql = """
        INSERT INTO observed_accounts (provider, account, first_seen, last_seen, last_region)
        VALUES ({0}, {1}, {2}, {3}, {4})
        ON CONFLICT (provider, account) DO UPDATE SET
            first_seen = LEAST(observed_accounts.first_seen, excluded.first_seen),
            last_region = CASE WHEN excluded.last_seen >= observed_accounts.last_seen
                               THEN COALESCE(excluded.last_region, observed_accounts.last_region)
                               ELSE observed_accounts.last_region END,
            last_seen = GREATEST(observed_accounts.last_seen, excluded.last_seen)
        """;

    public async Task Consume(ConsumeContext<CloudActivityBatch> context)
    {
        var accounts = context.Message.Activities
            .GroupBy(a => (a.Provider, a.Account))
            .Select(g =>
            {
                var latest = g.MaxBy(a => a.Time)!;
                return (g.Key.Provider, g.Key.Account, First: g.Min(a => a.Time).ToUniversalTime(), Last: latest.Time.ToUniversalTime(), latest.Region);
            })
            .OrderBy(a => a.Provider).ThenBy(a => a.Account); // one lock order, so concurrent batches cannot deadlock

        await using var transaction = await db.Database.BeginTransactionAsync(context.CancellationToken);
        foreach (var a in accounts)
        {
            await db.Database.ExecuteSqlRawAsync(UpsertSql, [a.Provider, a.Account, a.First, a.Last, (object?)a.Region ?? DBNull.Value], context.CancellationToken);
        }
        await transaction.CommitAsync(context.CancellationToken);
    }
}
