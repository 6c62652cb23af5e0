using System.Text.Json;
using ControlTower.Contracts.Alerts;
using ControlTower.Operations.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace ControlTower.Operations.Alerts;

/// <summary>
/// Keeps one row per alert instance as its notifications arrive. Idempotent and order-proof: a redelivered
/// notification changes nothing, and a resolved alert stays resolved when its fired notification arrives late.
/// </summary>
public sealed class AlertStore(OperationsDbContext db, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string UpsertSql = """
        INSERT INTO alerts AS a (provider, alert_id, condition, rule, rule_id, severity, signal_type, monitoring_service,
                                 account, resource_group, resource_type, targets, configuration_items, origin_alert_id,
                                 fired_at, resolved_at, description, investigation_link, anomalies, raw_fired, raw_resolved,
                                 source, first_received_at, updated_at)
        VALUES (@provider, @alert_id, @condition, @rule, @rule_id, @severity, @signal_type, @monitoring_service,
                @account, @resource_group, @resource_type, @targets::jsonb, @configuration_items::jsonb, @origin_alert_id,
                @fired_at, @resolved_at, @description, @investigation_link, @anomalies::jsonb, @raw_fired, @raw_resolved,
                @source, @now, @now)
        ON CONFLICT (provider, alert_id) DO UPDATE SET
            condition = CASE WHEN a.condition = 'Resolved' OR excluded.condition = 'Resolved' THEN 'Resolved' ELSE 'Fired' END,
            resolved_at = COALESCE(a.resolved_at, excluded.resolved_at),
            fired_at = LEAST(a.fired_at, excluded.fired_at),
            raw_fired = COALESCE(a.raw_fired, excluded.raw_fired),
            raw_resolved = COALESCE(a.raw_resolved, excluded.raw_resolved),
            anomalies = CASE WHEN a.anomalies @> excluded.anomalies THEN a.anomalies ELSE a.anomalies || excluded.anomalies END,
            -- Changed only by a notification not seen before, not by a redelivery.
            updated_at = CASE WHEN (a.raw_fired IS NULL AND excluded.raw_fired IS NOT NULL)
                                OR (a.raw_resolved IS NULL AND excluded.raw_resolved IS NOT NULL)
                              THEN excluded.updated_at ELSE a.updated_at END
        """;

    public async Task StoreAsync(MonitorAlertBatch batch, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            // A batch is stored whole or not at all, so that a retried message finds nothing half-done.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            // In one order, so that concurrent batches touching the same alerts lock them alike.
            foreach (var alert in batch.Alerts.OrderBy(a => a.Provider, StringComparer.Ordinal).ThenBy(a => a.AlertId, StringComparer.Ordinal))
            {
                await using var command = new NpgsqlCommand(UpsertSql, connection, transaction);
                var resolved = alert.Condition == AlertCondition.Resolved;
                var p = command.Parameters;
                p.AddWithValue("provider", alert.Provider);
                p.AddWithValue("alert_id", alert.AlertId);
                p.AddWithValue("condition", alert.Condition.ToString());
                p.AddWithValue("rule", alert.Rule);
                p.AddWithValue("rule_id", (object?)alert.RuleId ?? DBNull.Value);
                p.AddWithValue("severity", (object?)alert.Severity ?? DBNull.Value);
                p.AddWithValue("signal_type", (object?)alert.SignalType ?? DBNull.Value);
                p.AddWithValue("monitoring_service", (object?)alert.MonitoringService ?? DBNull.Value);
                p.AddWithValue("account", alert.Account);
                p.AddWithValue("resource_group", (object?)alert.ResourceGroup ?? DBNull.Value);
                p.AddWithValue("resource_type", (object?)alert.ResourceType ?? DBNull.Value);
                p.AddWithValue("targets", JsonSerializer.Serialize(alert.Targets, Json));
                p.AddWithValue("configuration_items", JsonSerializer.Serialize(alert.ConfigurationItems, Json));
                p.AddWithValue("origin_alert_id", (object?)alert.OriginAlertId ?? DBNull.Value);
                p.Add(new NpgsqlParameter<DateTimeOffset>("fired_at", NpgsqlDbType.TimestampTz) { TypedValue = alert.FiredAt.ToUniversalTime() });
                p.Add(new NpgsqlParameter("resolved_at", NpgsqlDbType.TimestampTz) { Value = (object?)alert.ResolvedAt?.ToUniversalTime() ?? DBNull.Value });
                p.AddWithValue("description", (object?)alert.Description ?? DBNull.Value);
                p.AddWithValue("investigation_link", (object?)alert.InvestigationLink ?? DBNull.Value);
                p.AddWithValue("anomalies", JsonSerializer.Serialize(alert.Anomalies, Json));
                p.AddWithValue("raw_fired", resolved ? DBNull.Value : alert.Raw.ToString());
                p.AddWithValue("raw_resolved", resolved ? alert.Raw.ToString() : DBNull.Value);
                p.AddWithValue("source", batch.Source);
                p.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = now });
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
