using ControlTower.Contracts.Governance;
using ControlTower.Contracts.Operations;
using ControlTower.Governance.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace ControlTower.Governance.Consumers;

/// <summary>
/// A person resolved a guardrail signal: the finding closes, unless the control was broken again after the occurrence
/// they saw (then it stays open, and its newer occurrence is already announced). Drift findings are not closed here:
/// they resolve when the observed state returns to the baseline. At least once: a redelivery changes nothing and
/// announces the closing again.
/// </summary>
public sealed class SignalResolvedConsumer(GovernanceDbContext db, ILogger<SignalResolvedConsumer> logger) : IConsumer<SignalResolved>
{
    // The finding as closed now, or as closed by an earlier delivery of the same message (the outer read sees the table as
    // it was before the update): announced either way, so a delivery whose announcement was lost announces again.
    private const string ResolveSql = """
        WITH closed AS (
            UPDATE findings SET status = 'resolved', resolved_at = @at
            WHERE id = @id AND kind = 'guardrail' AND status = 'open' AND occurrences <= @occurrence
            RETURNING type, subject, account, occurrences)
        SELECT type, subject, account, occurrences FROM closed
        UNION ALL
        SELECT type, subject, account, occurrences FROM findings
        WHERE id = @id AND kind = 'guardrail' AND status = 'resolved' AND occurrences <= @occurrence
        """;

    public async Task Consume(ConsumeContext<SignalResolved> context)
    {
        var message = context.Message;
        if (message is not { Source: "governance", Kind: "guardrail", SourceId: { } sourceId, SourceOccurrence: { } occurrence }
            || !Guid.TryParse(sourceId, out var findingId))
        {
            return;
        }
        var closed = await db.Database.SqlQueryRaw<ClosedFinding>(ResolveSql,
        [
            new NpgsqlParameter<Guid>("id", NpgsqlDbType.Uuid) { TypedValue = findingId },
            new NpgsqlParameter<int>("occurrence", NpgsqlDbType.Integer) { TypedValue = occurrence },
            new NpgsqlParameter<DateTimeOffset>("at", NpgsqlDbType.TimestampTz) { TypedValue = message.ResolvedAt.ToUniversalTime() },
        ]).ToListAsync(context.CancellationToken);
        if (closed is not [var finding])
        {
            logger.LogInformation("Guardrail finding {Finding} not closed for {Person}: unknown, or broken again after occurrence {Occurrence}",
                findingId, message.ResolvedBy, occurrence);
            return;
        }
        logger.LogWarning("Guardrail finding {Control} on {Subject} resolved by {Person} ({Classification})", finding.Type, finding.Subject,
            message.ResolvedBy, message.Classification);
        // Announced after the update has committed; if the announcement fails, the redelivery announces it again.
        await context.Publish(new GuardrailResolved
        {
            FindingId = findingId,
            Occurrence = finding.Occurrences,
            ControlId = finding.Type,
            Subject = finding.Subject,
            Account = finding.Account ?? "",
            ResolvedBy = message.ResolvedBy,
            Classification = message.Classification,
            ResolvedAt = message.ResolvedAt,
        }, context.CancellationToken);
    }

    private sealed record ClosedFinding(string Type, string Subject, string? Account, int Occurrences);
}
