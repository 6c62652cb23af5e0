using ControlTower.Contracts.Activity;
using System.Text.Json;
using ControlTower.Operations.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace ControlTower.Operations.Activity;

/// <summary>
/// Stores activity batches with one set-based insert (<c>unnest</c> arrays) that skips rows already
/// stored: the hot ingest path, where one <c>SaveChanges</c> per row would be far too slow. The key includes
/// time because the table is partitioned by it; a redelivered event has the same time, so it still collides.
/// </summary>
public sealed class ActivityStore(OperationsDbContext db)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // The hourly counts (activity_hourly_counts) are kept in the same statement, from the rows actually inserted,
    // so a redelivery counts nothing twice. Keys are locked in order, so two batches never deadlock on them.
    private const string InsertSql = """
        WITH inserted AS (
        INSERT INTO activities (provider, event_id, time, account, region, service, operation, actor, actor_type,
                                source_ip, user_agent, outcome, error_code, error_message, read_only, event_type,
                                event_category, management_event, event_version, recipient_account, organization_id,
                                mfa_used, request_id, resource_group, resource_id, correlation_id, level,
                                identity, resources, anomalies, raw, source, received_at, stored_at)
        SELECT u.provider, u.event_id, u.time, u.account, u.region, u.service, u.operation, u.actor, u.actor_type,
               u.source_ip, u.user_agent, u.outcome, u.error_code, u.error_message, u.read_only, u.event_type,
               u.event_category, u.management_event, u.event_version, u.recipient_account, u.organization_id,
               u.mfa_used, u.request_id, u.resource_group, u.resource_id, u.correlation_id, u.level, u.identity::jsonb, u.resources::jsonb, u.anomalies::jsonb, u.raw,
               @source, @received_at, now()
        FROM unnest(@provider, @event_id, @time, @account, @region, @service, @operation, @actor, @actor_type,
                    @source_ip, @user_agent, @outcome, @error_code, @error_message, @read_only, @event_type,
                    @event_category, @management_event, @event_version, @recipient_account, @organization_id,
                    @mfa_used, @request_id, @resource_group, @resource_id, @correlation_id, @level,
                    @identity, @resources, @anomalies, @raw)
             AS u(provider, event_id, time, account, region, service, operation, actor, actor_type,
                  source_ip, user_agent, outcome, error_code, error_message, read_only, event_type,
                  event_category, management_event, event_version, recipient_account, organization_id,
                  mfa_used, request_id, resource_group, resource_id, correlation_id, level,
                  identity, resources, anomalies, raw)
        ON CONFLICT (provider, event_id, time) DO NOTHING
        RETURNING time, provider, outcome, service),
        counted AS (
        INSERT INTO activity_hourly_counts AS c (hour, provider, outcome, service, count)
        SELECT date_bin('1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), provider, outcome, service, count(*)
        FROM inserted GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (hour, provider, outcome, service) DO UPDATE SET count = c.count + excluded.count)
        SELECT count(*)::int FROM inserted
        """;

    /// <summary>Stores the batch; returns how many activities were new.</summary>
    public async Task<int> StoreAsync(CloudActivityBatch batch, CancellationToken cancellationToken)
    {
        var items = batch.Activities;
        if (items.Count == 0)
        {
            return 0;
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand(InsertSql, (NpgsqlConnection)db.Database.GetDbConnection());
            Text("provider", a => a.Provider);
            Text("event_id", a => a.EventId);
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("time", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
            {
                TypedValue = items.Select(a => a.Time.ToUniversalTime()).ToArray(),
            });
            Text("account", a => a.Account);
            Text("region", a => a.Region);
            Text("service", a => a.Service);
            Text("operation", a => a.Operation);
            Text("actor", a => a.Actor);
            Text("actor_type", a => a.ActorType);
            Text("source_ip", a => a.SourceIp);
            Text("user_agent", a => a.UserAgent);
            Text("outcome", a => a.Outcome.ToString());
            Text("error_code", a => a.ErrorCode);
            Text("error_message", a => a.ErrorMessage);
            Bool("read_only", a => a.ReadOnly);
            Text("event_type", a => a.EventType);
            Text("event_category", a => a.EventCategory);
            Bool("management_event", a => a.ManagementEvent);
            Text("event_version", a => a.EventVersion);
            Text("recipient_account", a => a.RecipientAccount);
            Text("organization_id", a => a.OrganizationId);
            Bool("mfa_used", a => a.MfaUsed);
            Text("request_id", a => a.RequestId);
            Text("resource_group", a => a.ResourceGroup);
            Text("resource_id", a => a.ResourceId);
            Text("correlation_id", a => a.CorrelationId);
            Text("level", a => a.Level);
            Text("identity", a => a.Identity is null ? null : JsonSerializer.Serialize(a.Identity, Json));
            Text("resources", a => JsonSerializer.Serialize(a.Resources, Json));
            Text("anomalies", a => JsonSerializer.Serialize(a.Anomalies, Json));
            Text("raw", a => a.Raw.ToString());
            command.Parameters.Add(new NpgsqlParameter<string>("source", NpgsqlDbType.Text) { TypedValue = batch.Source });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("received_at", NpgsqlDbType.TimestampTz)
            {
                TypedValue = batch.ReceivedAt.ToUniversalTime(),
            });
            return (int)(await command.ExecuteScalarAsync(cancellationToken))!;

            void Text(string name, Func<CloudActivity, string?> value) =>
                command.Parameters.Add(new NpgsqlParameter<string?[]>(name, NpgsqlDbType.Array | NpgsqlDbType.Text)
                {
                    TypedValue = items.Select(value).ToArray(),
                });

            void Bool(string name, Func<CloudActivity, bool?> value) =>
                command.Parameters.Add(new NpgsqlParameter<bool?[]>(name, NpgsqlDbType.Array | NpgsqlDbType.Boolean)
                {
                    TypedValue = items.Select(value).ToArray(),
                });
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
