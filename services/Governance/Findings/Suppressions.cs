using ControlTower.Governance.Data;
using ControlTower.Governance.Scp;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Governance.Findings;

/// <summary>The suppressions in force at one moment, matched against findings by type and subject patterns.</summary>
public sealed class ActiveSuppressions
{
    private readonly List<(Suppression Suppression, Wildcard Type, Wildcard Subject)> active;

    private ActiveSuppressions(IEnumerable<Suppression> suppressions) =>
        active = [.. suppressions.Select(s => (s, new Wildcard(s.Type, ignoreCase: false), new Wildcard(s.Subject, ignoreCase: false)))];

    public static ActiveSuppressions Of(IEnumerable<Suppression> suppressions) => new(suppressions);

    public static async Task<ActiveSuppressions> ReadAsync(GovernanceDbContext db, DateTimeOffset now, CancellationToken cancellationToken) =>
        new(await db.Suppressions.AsNoTracking().Where(s => s.LiftedAt == null && s.ExpiresAt > now).ToListAsync(cancellationToken));

    /// <summary>The suppression covering a finding of this type and subject (the one that lasts longest), or null.</summary>
    public Suppression? Covering(string type, string subject) =>
        active.Where(a => a.Type.IsMatch(type) && a.Subject.IsMatch(subject)).Select(a => a.Suppression).MaxBy(s => s.ExpiresAt);
}

/// <summary>
/// Ends suppressions: when one expires or is lifted, the open findings it covered (and no other suppression
/// still covers) are announced again, with their current occurrence, so that nothing suppressed is forgotten.
/// Runs under the organisation lock, like every writer of findings.
/// </summary>
public sealed class SuppressionEnds(GovernanceDbContext db, TimeProvider clock, ILogger<SuppressionEnds> logger)
{
    /// <summary>Handles every suppression that has ended and was not handled yet; how many findings were announced.</summary>
    public Task<int> HandleAsync(Func<object, CancellationToken, Task> publish, CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await Observed.ObservedOrganizationStore.LockAsync(db, transaction, cancellationToken);
            var now = clock.GetUtcNow();
            var ended = await db.Suppressions.Where(s => s.EndHandledAt == null && (s.LiftedAt != null || s.ExpiresAt <= now)).ToListAsync(cancellationToken);
            if (ended.Count == 0)
            {
                return 0;
            }
            var active = await ActiveSuppressions.ReadAsync(db, now, cancellationToken);
            var endedMatchers = ActiveSuppressions.Of(ended);
            var open = await db.Findings.AsNoTracking().Where(f => f.Status == "open").ToListAsync(cancellationToken);
            var announced = 0;
            foreach (var finding in open.Where(f => endedMatchers.Covering(f.Type, f.Subject) is not null && active.Covering(f.Type, f.Subject) is null))
            {
                await publish(await AnnouncementAsync(finding, cancellationToken), cancellationToken);
                announced++;
            }
            foreach (var suppression in ended)
            {
                suppression.EndHandledAt = now;
                logger.LogInformation("Suppression {Id} ({Type} {Subject}) ended {How}", suppression.Id, suppression.Type, suppression.Subject,
                    suppression.LiftedAt is null ? "by expiry" : $"lifted by {suppression.LiftedBy}");
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return announced;
        });

    /// <summary>What announced the finding's current occurrence: DriftDetected, or GuardrailViolated with its evidence event's time.</summary>
    private async Task<object> AnnouncementAsync(Finding finding, CancellationToken cancellationToken)
    {
        if (finding.Kind != Finding.Guardrail)
        {
            return DriftFindings.Announcement(finding);
        }
        var evidence = await db.GuardrailEvents.AsNoTracking()
            .Where(e => e.ControlId == finding.Type && e.EventId == finding.EvidenceEventId)
            .Select(e => (DateTimeOffset?)e.EventTime).FirstOrDefaultAsync(cancellationToken);
        return GuardrailFindings.Announcement(finding.Id, finding.Occurrences, finding.Type, finding.Subject, finding.Severity, finding.Provider ?? "",
            finding.Account ?? "", finding.EvidenceEventId ?? "", evidence ?? finding.LastDetectedAt, finding.LastDetectedAt);
    }
}

/// <summary>Looks for ended suppressions every <c>Governance:SuppressionSweepSeconds</c> (default 15).</summary>
public sealed class SuppressionSweep(IServiceProvider services, IConfiguration configuration, ILogger<SuppressionSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(configuration.GetValue("Governance:SuppressionSweepSeconds", 15)));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var outbox = scope.ServiceProvider.GetRequiredService<Outbox<GovernanceDbContext>>();
                var announced = await scope.ServiceProvider.GetRequiredService<SuppressionEnds>().HandleAsync(outbox.Publish, stoppingToken);
                if (announced > 0)
                {
                    logger.LogWarning("{Count} finding(s) announced again: their suppression ended", announced);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Handling ended suppressions failed; trying again at the next sweep");
            }
        }
    }
}
