using System.Security.Cryptography;
using System.Text;
using ControlTower.Contracts.Activity;
using ControlTower.Contracts.Governance;
using ControlTower.Governance.Baseline;
using ControlTower.Governance.Controls;
using ControlTower.Governance.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace ControlTower.Governance.Findings;

/// <summary>
/// Judges a batch of activity against the controls enabled where each account sits, and keeps one guardrail
/// finding per control and subject: each distinct violating event counts once (a redelivered event is recognised
/// by its id) and is announced with <see cref="GuardrailViolated"/>; a call a preventive control's policy refused is
/// recorded as blocked. Announcements go out before the commit: if the commit fails the message is retried and the
/// same announcement (same finding id, occurrence and event) may go out again, never not at all.
/// </summary>
public sealed class GuardrailFindings(GovernanceDbContext db, BaselineProvider baseline, TimeProvider clock, ILogger<GuardrailFindings> logger)
{
    private static readonly IReadOnlyDictionary<string, string?> NoOus = new Dictionary<string, string?>();

    /// <summary>How many of the latest evidence event ids a finding keeps.</summary>
    public const int EvidenceKept = 10;

    private const string EventSql = """
        INSERT INTO guardrail_events (control_id, event_id, provider, account, outcome, subject, actor, event_time, recorded_at, finding_id)
        VALUES (@control, @event, @provider, @account, @outcome, @subject, @actor, @event_time, @now, @finding)
        ON CONFLICT DO NOTHING
        """;

    // A finding resolved by a person opens again when the control is broken again.
    private const string FindingSql = """
        INSERT INTO findings AS f (id, kind, type, subject, status, severity, expected, observed, repair, evidence_event_id, evidence_event_ids,
                                   provider, account, occurrences, first_detected_at, last_detected_at)
        VALUES (@finding, 'guardrail', @control, @subject, 'open', @severity, @expected, @observed, @repair, @event, ARRAY[@event],
                @provider, @account, 1, @now, @now)
        ON CONFLICT (type, subject) DO UPDATE SET
            status = 'open',
            resolved_at = NULL,
            severity = excluded.severity,
            expected = excluded.expected,
            observed = excluded.observed,
            repair = excluded.repair,
            evidence_event_id = excluded.evidence_event_id,
            evidence_event_ids = (ARRAY[excluded.evidence_event_id] || f.evidence_event_ids)[1:@kept],
            occurrences = f.occurrences + 1,
            last_detected_at = excluded.last_detected_at
        RETURNING id, occurrences
        """;

    public async Task EvaluateAsync(IReadOnlyList<CloudActivity> activities, Func<object, CancellationToken, Task> publish, CancellationToken cancellationToken)
    {
        if ((await baseline.CurrentAsync(db, cancellationToken))?.Controls is not { } placement)
        {
            return;
        }
        var catalog = ControlCatalog.Default;
        var candidates = activities.Where(a => placement.Covers(a.Provider) && GuardrailEvaluator.MayBreak(a, catalog)).ToList();
        if (candidates.Count == 0)
        {
            return;
        }
        // First as if every control were on: the role, the management account and the exemptions come from the
        // baseline and the event alone, so most batches are done here without reading the observed organisation.
        var everything = catalog.Controls.ToDictionary(c => c.Id, _ => "", StringComparer.Ordinal);
        var baselineScopes = new Dictionary<(string, string), ControlScope>();
        var candidateHits = candidates
            .SelectMany(a =>
            {
                if (!baselineScopes.TryGetValue((a.Provider, a.Account), out var scope))
                {
                    scope = baselineScopes[(a.Provider, a.Account)] = placement.Resolve(a.Provider, a.Account, null, NoOus) with { Enabled = everything };
                }
                return GuardrailEvaluator.Evaluate(a, catalog, scope).Select(h => (Activity: a, Hit: h));
            })
            .ToList();
        if (candidateHits.Count == 0)
        {
            return;
        }
        // Then only the controls on where each account sits now.
        var scopes = await ScopesAsync(placement, candidateHits.Select(h => h.Activity), cancellationToken);
        var enabled = new List<(CloudActivity Activity, ControlHit Hit)>();
        foreach (var (activity, hit) in candidateHits)
        {
            if (scopes[(activity.Provider, activity.Account)].Enabled.TryGetValue(hit.Control.Id, out var at))
            {
                enabled.Add((activity, hit with { EnabledAt = at }));
            }
        }
        // Sorted by finding, so that concurrent batches lock findings in one order and cannot deadlock.
        var hits = enabled
            .OrderBy(x => x.Hit.Control.Id, StringComparer.Ordinal).ThenBy(x => x.Hit.Subject, StringComparer.Ordinal)
            .ThenBy(x => x.Activity.EventId, StringComparer.Ordinal)
            .ToList();
        if (hits.Count == 0)
        {
            return;
        }
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            var npgsqlTransaction = (NpgsqlTransaction)transaction.GetDbTransaction();
            var now = clock.GetUtcNow();
            var suppressions = await ActiveSuppressions.ReadAsync(db, now, cancellationToken);
            foreach (var (activity, hit) in hits)
            {
                await RecordAsync(connection, npgsqlTransaction, activity, hit, now, suppressions, publish, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        });
    }

    private async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CloudActivity activity, ControlHit hit,
        DateTimeOffset now, ActiveSuppressions suppressions, Func<object, CancellationToken, Task> publish, CancellationToken cancellationToken)
    {
        var control = hit.Control;
        var findingId = FindingId(control.Id, hit.Subject);
        await using (var record = new NpgsqlCommand(EventSql, connection, transaction))
        {
            Text(record, "control", control.Id);
            Text(record, "event", activity.EventId);
            Text(record, "provider", activity.Provider);
            Text(record, "account", activity.Account);
            Text(record, "outcome", hit.Blocked ? GuardrailEvent.Blocked : GuardrailEvent.Violation);
            Text(record, "subject", hit.Subject);
            Text(record, "actor", activity.Actor is { Length: > 512 } actor ? actor[..512] : activity.Actor);
            record.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("event_time", NpgsqlDbType.TimestampTz) { TypedValue = activity.Time.ToUniversalTime() });
            record.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = now });
            record.Parameters.Add(new NpgsqlParameter("finding", NpgsqlDbType.Uuid) { Value = hit.Blocked ? DBNull.Value : findingId });
            if (await record.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                // Counted when it was first delivered.
                return;
            }
        }
        if (hit.Blocked)
        {
            logger.LogInformation("{Control} blocked {Operation} by {Actor} in {Account}", control.Id, activity.Operation, activity.Actor, activity.Account);
            return;
        }

        int occurrence;
        await using (var upsert = new NpgsqlCommand(FindingSql, connection, transaction))
        {
            upsert.Parameters.Add(new NpgsqlParameter<Guid>("finding", NpgsqlDbType.Uuid) { TypedValue = findingId });
            Text(upsert, "control", control.Id);
            Text(upsert, "subject", hit.Subject);
            Text(upsert, "severity", control.Severity);
            Text(upsert, "expected", Expected(hit));
            Text(upsert, "observed", Observed(activity));
            Text(upsert, "repair", control.Repair);
            Text(upsert, "event", activity.EventId);
            Text(upsert, "provider", activity.Provider);
            Text(upsert, "account", activity.Account);
            upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = now });
            upsert.Parameters.Add(new NpgsqlParameter<int>("kept", NpgsqlDbType.Integer) { TypedValue = EvidenceKept });
            await using var reader = await upsert.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            findingId = reader.GetGuid(0);
            occurrence = reader.GetInt32(1);
        }
        if (suppressions.Covering(control.Id, hit.Subject) is { } suppression)
        {
            // Kept and counted, not announced: announced when the suppression ends, if still open.
            logger.LogInformation("{Control} on {Subject} suppressed until {ExpiresAt} ({Reason})", control.Id, hit.Subject, suppression.ExpiresAt,
                suppression.Reason);
            return;
        }
        await publish(Announcement(findingId, occurrence, control.Id, hit.Subject, control.Severity, activity.Provider, activity.Account,
            activity.EventId, activity.Time, now), cancellationToken);
        logger.LogWarning("{Control} violated on {Subject} ({Severity}) by {Actor}: {Operation}", control.Id, hit.Subject, control.Severity,
            activity.Actor, activity.Operation);
    }

    /// <summary>The announcement of a guardrail finding's occurrence.</summary>
    public static GuardrailViolated Announcement(Guid findingId, int occurrence, string controlId, string subject, string severity, string provider,
        string account, string evidenceEventId, DateTimeOffset eventTime, DateTimeOffset detectedAt) => new()
    {
        FindingId = findingId,
        Occurrence = occurrence,
        ControlId = controlId,
        Subject = subject,
        Severity = severity,
        Provider = provider,
        Account = account,
        EvidenceEventId = evidenceEventId,
        EventTime = eventTime,
        DetectedAt = detectedAt,
    };

    /// <summary>
    /// The scope of every account in the batch: the observed organisation's parent when it knows one, else the
    /// baseline's. Read in one query each for accounts and OUs.
    /// </summary>
    private async Task<Dictionary<(string, string), ControlScope>> ScopesAsync(
        ControlPlacement placement, IEnumerable<CloudActivity> candidates, CancellationToken cancellationToken)
    {
        var activities = candidates.ToList();
        var awsAccounts = activities.Where(a => a.Provider == "aws").Select(a => a.Account).Distinct(StringComparer.Ordinal).ToList();
        var parents = awsAccounts.Count == 0
            ? []
            : await db.OrgAccounts.AsNoTracking().Where(a => awsAccounts.Contains(a.AccountId) && a.ParentId != null)
                .ToDictionaryAsync(a => a.AccountId, a => a.ParentId, StringComparer.Ordinal, cancellationToken);
        var ouParents = parents.Count == 0
            ? []
            : await db.Ous.AsNoTracking().Where(o => !o.Deleted)
                .ToDictionaryAsync(o => o.OuId, o => o.ParentId, StringComparer.Ordinal, cancellationToken);
        var scopes = new Dictionary<(string, string), ControlScope>();
        foreach (var (provider, account) in activities.Select(a => (a.Provider, a.Account)).Distinct())
        {
            scopes[(provider, account)] = placement.Resolve(provider, account, parents.GetValueOrDefault(account), ouParents);
        }
        return scopes;
    }

    /// <summary>
    /// The same id for a control and subject wherever and however often it is computed, so that an announcement
    /// re-sent after a failed commit names the finding the commit that succeeds creates.
    /// </summary>
    public static Guid FindingId(string controlId, string subject) => NameBasedId("guardrail", controlId, subject);

    /// <summary>
    /// A finding's id from what it is about, so that an announcement sent before a commit that then failed names the
    /// same finding as the one the retry stores: no consumer is left holding an id that never resolves.
    /// </summary>
    public static Guid NameBasedId(string kind, string type, string subject)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}\n{type}\n{subject}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8: a name-based id of our own
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }

    private static string Expected(ControlHit hit) =>
        $"{hit.Control.Title}: {hit.Control.Nature}, {hit.Control.Guidance}, "
        + (hit.EnabledAt == ControlPlacement.MandatoryPlacement ? "on in every account" : $"enabled on {hit.EnabledAt} and below");

    // Azure operation names already start with their provider namespace.
    private static string Observed(CloudActivity activity) =>
        $"{activity.Actor ?? "an unknown caller"} called {(activity.Provider == "aws" ? $"{activity.Service}:" : "")}{activity.Operation} in {activity.Account}"
        + (activity.Region is null ? "" : $" ({activity.Region})")
        + (activity.ResourceId is null ? "" : $" on {activity.ResourceId}")
        + $" at {activity.Time.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}";

    private static void Text(NpgsqlCommand command, string name, string? value) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value });
}
