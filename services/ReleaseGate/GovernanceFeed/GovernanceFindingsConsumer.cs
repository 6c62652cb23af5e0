using System.Text.RegularExpressions;
using ControlTower.Contracts.Governance;
using ControlTower.ReleaseGate.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace ControlTower.ReleaseGate.GovernanceFeed;

/// <summary>
/// Keeps Governance's findings as it announces them: opened by <see cref="DriftDetected"/> and
/// <see cref="GuardrailViolated"/>, closed by <see cref="DriftResolved"/> and <see cref="GuardrailResolved"/> (a person closed it). At least once and in any order:
/// an announcement changes the row only if its occurrence is at least the row's, and a resolution of an
/// occurrence does not close a newer one.
/// </summary>
public sealed partial class GovernanceFindingsConsumer(ReleaseGateDbContext db, TimeProvider clock)
    : IConsumer<DriftDetected>, IConsumer<DriftResolved>, IConsumer<GuardrailViolated>, IConsumer<GuardrailResolved>
{
    private const string OpenSql = """
        INSERT INTO governance_findings AS f (finding_id, kind, type, subject, scope, severity, open, occurrence, changed_at)
        VALUES (@id, @kind, @type, @subject, @scope, @severity, TRUE, @occurrence, @now)
        ON CONFLICT (finding_id) DO UPDATE SET open = TRUE, severity = excluded.severity, occurrence = excluded.occurrence,
            scope = COALESCE(excluded.scope, f.scope), changed_at = excluded.changed_at
        WHERE excluded.occurrence > f.occurrence OR (excluded.occurrence = f.occurrence AND f.open)
        """;

    private const string CloseSql = """
        UPDATE governance_findings SET open = FALSE, changed_at = @now WHERE finding_id = @id AND occurrence <= @occurrence
        """;

    public Task Consume(ConsumeContext<DriftDetected> context) => ApplyAsync(db, clock, context.Message, context.CancellationToken);

    public Task Consume(ConsumeContext<GuardrailViolated> context) => ApplyAsync(db, clock, context.Message, context.CancellationToken);

    public Task Consume(ConsumeContext<DriftResolved> context) => ApplyAsync(db, clock, context.Message, context.CancellationToken);

    public Task Consume(ConsumeContext<GuardrailResolved> context) => ApplyAsync(db, clock, context.Message, context.CancellationToken);

    /// <summary>Applies one announcement to the kept findings (what each consumer does; callable on its own).</summary>
    public static Task ApplyAsync(ReleaseGateDbContext db, TimeProvider clock, object message, CancellationToken cancellationToken) => message switch
    {
        DriftDetected m => ExecuteAsync(db, clock, OpenSql, m.FindingId, "drift", m.Type, m.Subject, ScopeOf(m.Subject), m.Severity, m.Occurrence, cancellationToken),
        GuardrailViolated m => ExecuteAsync(db, clock, OpenSql, m.FindingId, "guardrail", m.ControlId, m.Subject, m.Account.ToLowerInvariant(), m.Severity,
            m.Occurrence, cancellationToken),
        DriftResolved m => ExecuteAsync(db, clock, CloseSql, m.FindingId, null, null, null, null, null, m.Occurrence, cancellationToken),
        GuardrailResolved m => ExecuteAsync(db, clock, CloseSql, m.FindingId, null, null, null, null, null, m.Occurrence, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(message), message.GetType().Name, "not a Governance finding announcement"),
    };

    /// <summary>
    /// The account or subscription a drift is about, read from its subject: an account id, a subscription id, or
    /// <c>policy@account</c>; null for drift of a policy, OU or management group as a whole.
    /// </summary>
    public static string? ScopeOf(string subject)
    {
        var target = subject.Contains('@', StringComparison.Ordinal) ? subject[(subject.LastIndexOf('@') + 1)..] : subject;
        return AccountId().IsMatch(target) || Guid.TryParse(target, out _) ? target.ToLowerInvariant() : null;
    }

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountId();

    private static Task ExecuteAsync(ReleaseGateDbContext db, TimeProvider clock, string sql, Guid id, string? kind, string? type, string? subject,
        string? scope, string? severity, int occurrence, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync(sql,
        [
            new NpgsqlParameter<Guid>("id", NpgsqlDbType.Uuid) { TypedValue = id },
            new NpgsqlParameter<int>("occurrence", NpgsqlDbType.Integer) { TypedValue = occurrence },
            new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = clock.GetUtcNow() },
            Text("kind", kind), Text("type", type), Text("subject", subject), Text("scope", scope), Text("severity", severity?.ToLowerInvariant()),
        ], cancellationToken);

    private static NpgsqlParameter Text(string name, string? value) => new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };
}
