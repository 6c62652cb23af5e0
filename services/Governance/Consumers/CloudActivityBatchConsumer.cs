using ControlTower.Contracts.Activity;
using ControlTower.Governance.Data;
using ControlTower.Governance.Findings;
using ControlTower.Governance.Observed;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace ControlTower.Governance.Consumers;

/// <summary>
/// Keeps the observed accounts current from activity, the observed organisation from AWS Organizations events,
/// and the observed Azure estate from management-group and policy activity (one transaction, one lock, so the
/// drift check sees both clouds as the batch left them), and the guardrail findings from every event.
/// Idempotent and order-proof: first and last seen only ever widen, organisation changes apply only when newer
/// than what they would replace, and a violating event counts once per control, so a redelivered or late batch
/// changes nothing it should not.
/// </summary>
public sealed class CloudActivityBatchConsumer(
    GovernanceDbContext db, ObservedOrganizationStore organization, DriftFindings findings, GuardrailFindings guardrails)
    : IConsumer<CloudActivityBatch>
{
    // One statement for the whole batch: the accounts arrive as arrays and are merged in one pass.
    private const string UpsertSql = """
        INSERT INTO observed_accounts (provider, account, first_seen, last_seen, last_region)
        SELECT * FROM unnest(@provider, @account, @first_seen, @last_seen, @last_region)
        ON CONFLICT (provider, account) DO UPDATE SET
            first_seen = LEAST(observed_accounts.first_seen, excluded.first_seen),
            last_region = CASE WHEN excluded.last_seen >= observed_accounts.last_seen
                               THEN COALESCE(excluded.last_region, observed_accounts.last_region)
                               ELSE observed_accounts.last_region END,
            last_seen = GREATEST(observed_accounts.last_seen, excluded.last_seen)
        """;

    public async Task Consume(ConsumeContext<CloudActivityBatch> context)
    {
        // One row per account (ON CONFLICT cannot touch a row twice in one statement), in one order so that
        // concurrent batches lock rows alike and cannot deadlock.
        var accounts = context.Message.Activities
            .GroupBy(a => (a.Provider, a.Account))
            .Select(g =>
            {
                var latest = g.MaxBy(a => a.Time)!;
                return (g.Key.Provider, g.Key.Account, First: g.Min(a => a.Time).ToUniversalTime(), Last: latest.Time.ToUniversalTime(), latest.Region);
            })
            .OrderBy(a => a.Provider, StringComparer.Ordinal).ThenBy(a => a.Account, StringComparer.Ordinal)
            .ToList();

        await db.Database.ExecuteSqlRawAsync(UpsertSql,
        [
            new NpgsqlParameter<string[]>("provider", accounts.Select(a => a.Provider).ToArray()),
            new NpgsqlParameter<string[]>("account", accounts.Select(a => a.Account).ToArray()),
            new NpgsqlParameter<DateTimeOffset[]>("first_seen", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = accounts.Select(a => a.First).ToArray() },
            new NpgsqlParameter<DateTimeOffset[]>("last_seen", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = accounts.Select(a => a.Last).ToArray() },
            new NpgsqlParameter<string?[]>("last_region", accounts.Select(a => a.Region).ToArray()),
        ], context.CancellationToken);

        // Sorted by what they change, so that concurrent batches lock rows in one order.
        var changes = context.Message.Activities
            .Where(a => a.Service == "organizations")
            .SelectMany(OrganizationEvents.Interpret)
            .Concat(context.Message.Activities.Where(AzureEvents.Concerns).SelectMany(AzureEvents.Interpret))
            .OrderBy(c => c.GetType().Name, StringComparer.Ordinal).ThenBy(c => c.EventId, StringComparer.Ordinal)
            .ToList();
        // The drift check runs in the same transaction as the changes, so a finding opens or resolves the moment
        // the event that causes it is stored.
        await organization.ApplyAsync(changes,
            cancellationToken => findings.ReconcileAsync(Publish, cancellationToken),
            context.CancellationToken);

        // After the organisation changes of the batch: an account moved by this batch is judged where it now sits.
        await guardrails.EvaluateAsync(context.Message.Activities, Publish, context.CancellationToken);

        Task Publish(object message, CancellationToken cancellationToken) => context.Publish(message, message.GetType(), cancellationToken);
    }
}
