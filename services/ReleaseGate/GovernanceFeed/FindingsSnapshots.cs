using ControlTower.ReleaseGate.Data;
using ControlTower.ReleaseGate.Evaluation;
using ControlTower.ReleaseGate.Evidence;
using ControlTower.ReleaseGate.Policies;
using ControlTower.ReleaseGate.Verdicts;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.ReleaseGate.GovernanceFeed;

/// <summary>
/// What Governance had announced open in each of a release's targets when a verdict is asked for, taken as
/// evidence: one findings snapshot per target, stored with the verdict so a replay sees exactly what it saw.
/// </summary>
public static class FindingsSnapshots
{
    public static async Task<List<EvidenceRecord>> TakeAsync(ReleaseGateDbContext db, Release release, DateTimeOffset now, string submittedBy,
        CancellationToken cancellationToken)
    {
        if (release.Targets.Count == 0)
        {
            return [];
        }
        var open = await db.GovernanceFindings.AsNoTracking()
            .Where(f => f.Open && f.Scope != null && release.Targets.Contains(f.Scope))
            .ToListAsync(cancellationToken);
        return [.. release.Targets.Select(target =>
        {
            var item = new FindingsSnapshot
            {
                Id = Guid.CreateVersion7(now).ToString(),
                Service = release.Service,
                Environment = release.Environment,
                CollectedAt = now,
                Scope = target,
                Findings = [.. open.Where(f => f.Scope == target).OrderBy(f => f.FindingId)
                    .Select(f => new OpenFinding(f.FindingId.ToString(), f.Type, Severity(f.Severity), f.Subject))],
            };
            return new EvidenceRecord
            {
                Id = Guid.Parse(item.Id),
                ReleaseId = release.Id,
                Kind = item.Kind,
                ContentKey = EvidenceCodec.ContentKey(item, withTime: true),
                Digest = item.Digest,
                Canonical = CanonicalJson.ToText(item.Canonical()),
                CollectedAt = now,
                SubmittedBy = submittedBy,
                SubmittedAt = now,
            };
        })];
    }

    /// <summary>Governance's severities (critical, high, medium, low); anything else counts as info.</summary>
    public static FindingSeverity Severity(string severity) =>
        Enum.TryParse<FindingSeverity>(severity, ignoreCase: true, out var parsed) ? parsed : FindingSeverity.Info;
}
