using ControlTower.Contracts.Governance;
using ControlTower.Governance.Apis;
using ControlTower.Governance.Baseline;
using ControlTower.Governance.Data;
using ControlTower.Governance.Drift;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Governance.Findings;

/// <summary>
/// Keeps the findings in step with the drift: a drift not yet open is opened (or reopened, counting the
/// occurrence) and announced with <see cref="DriftDetected"/>; an open finding the drift no longer shows is
/// resolved and announced with <see cref="DriftResolved"/>. Runs in the caller's transaction, after the
/// organisation or the Azure estate changed. Announcements go out before the commit: if the commit fails the
/// message is retried and the same announcement (same finding id and occurrence) may go out again, never not at all.
/// </summary>
public sealed class DriftFindings(GovernanceDbContext db, BaselineProvider baseline, TimeProvider clock, ILogger<DriftFindings> logger)
{
    public async Task ReconcileAsync(Func<object, CancellationToken, Task> publish, CancellationToken cancellationToken)
    {
        if ((await baseline.CurrentAsync(db, cancellationToken))?.Baseline is not { } landingZone)
        {
            return;
        }
        var now = clock.GetUtcNow();
        var aws = await OrganizationApi.ReadInTransactionAsync(db, cancellationToken);
        var azure = await AzureApi.ReadInTransactionAsync(db, cancellationToken);
        var drift = DriftEvaluator.Evaluate(landingZone, aws, azure).ToDictionary(d => (d.Type, d.Subject));
        // Guardrail findings are not the drift check's to resolve.
        var findings = await db.Findings.Where(f => f.Kind == Finding.Drift).ToDictionaryAsync(f => (f.Type, f.Subject), cancellationToken);
        var suppressions = await ActiveSuppressions.ReadAsync(db, now, cancellationToken);

        foreach (var (key, current) in drift)
        {
            if (findings.TryGetValue(key, out var finding) && finding.Status == "open")
            {
                // Still drifted: keep what is observed now.
                (finding.Observed, finding.EvidenceEventId, finding.Severity) = (current.Observed, current.EvidenceEventId, current.Severity);
                continue;
            }
            if (finding is null)
            {
                finding = new Finding
                {
                    Id = GuardrailFindings.NameBasedId(Finding.Drift, current.Type, current.Subject),
                    Type = current.Type,
                    Subject = current.Subject,
                    Status = "open",
                    Severity = current.Severity,
                    Expected = current.Expected,
                    Observed = current.Observed,
                    Repair = current.Repair,
                    FirstDetectedAt = now,
                };
                db.Findings.Add(finding);
            }
            (finding.Status, finding.Severity, finding.Expected, finding.Observed, finding.Repair, finding.EvidenceEventId) =
                ("open", current.Severity, current.Expected, current.Observed, current.Repair, current.EvidenceEventId);
            finding.Occurrences++;
            finding.LastDetectedAt = now;
            finding.ResolvedAt = null;
            if (suppressions.Covering(finding.Type, finding.Subject) is { } suppression)
            {
                // Kept and counted, not announced: announced when the suppression ends, if still open.
                logger.LogInformation("Drift {Type} on {Subject} suppressed until {ExpiresAt} ({Reason})", finding.Type, finding.Subject,
                    suppression.ExpiresAt, suppression.Reason);
                continue;
            }
            await publish(Announcement(finding), cancellationToken);
            logger.LogWarning("Drift {Type} on {Subject} ({Severity}): {Observed}", finding.Type, finding.Subject, finding.Severity, finding.Observed);
        }

        foreach (var finding in findings.Values.Where(f => f.Status == "open" && !drift.ContainsKey((f.Type, f.Subject))))
        {
            finding.Status = "resolved";
            finding.ResolvedAt = now;
            await publish(new DriftResolved
            {
                FindingId = finding.Id,
                Occurrence = finding.Occurrences,
                Type = finding.Type,
                Subject = finding.Subject,
                ResolvedAt = now,
            }, cancellationToken);
            logger.LogInformation("Drift {Type} on {Subject} resolved", finding.Type, finding.Subject);
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The announcement of an open finding's current occurrence (the same every time it is made).</summary>
    public static DriftDetected Announcement(Finding finding) => new()
    {
        FindingId = finding.Id,
        Occurrence = finding.Occurrences,
        Type = finding.Type,
        Subject = finding.Subject,
        Severity = finding.Severity,
        Expected = finding.Expected,
        Observed = finding.Observed,
        Repair = finding.Repair,
        EvidenceEventId = finding.EvidenceEventId,
        DetectedAt = finding.LastDetectedAt,
    };
}
