using ControlTower.Operations.Audit;
using ControlTower.Operations.Data;
using ControlTower.Operations.Incidents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlTower.Operations.Signals;

/// <summary>
/// Ends snoozes and suppressions whose time has come (snoozed → New; suppressed → New while firing, else Resolved)
/// and marks signals stale whose kind has a refresh TTL and whose source has gone quiet.
/// </summary>
public sealed class SignalSweeper(OperationsDbContext db, IOptions<SignalsOptions> options, TimeProvider clock)
{
    private const int Chunk = 500;

    /// <summary>How many signals changed.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var changed = 0;
        var incidents = new HashSet<long>();
        while (true)
        {
            var due = await db.Signals
                .Where(s => s.Until != null && s.Until <= now && (s.Status == TriageStatus.Snoozed || s.Status == TriageStatus.Suppressed))
                .OrderBy(s => s.Id).Take(Chunk).ToListAsync(cancellationToken);
            if (due.Count == 0)
            {
                break;
            }
            foreach (var signal in due)
            {
                var before = signal.State;
                var after = SignalStateMachine.Expire(before, now) ?? before with { Until = null };
                signal.Set(after);
                signal.Version++;
                signal.UpdatedAt = now;
                db.Timeline.Add(Timeline.Entry(Timeline.Signal, signal.Id, now, "system", "status",
                    SignalStateMachine.Name(before.Status), SignalStateMachine.Name(after.Status),
                    before.Status == TriageStatus.Snoozed ? "snooze ended" : "suppression ended"));
                db.AuditLog.Add(AuditTrail.Entry(Caller.System, now, "signal.expire", "signal", signal.Id.ToString(),
                    TriageService.Snapshot(before), TriageService.Snapshot(after), null));
                if (signal.IncidentId is { } incident)
                {
                    incidents.Add(incident);
                }
            }
            if (!await TrySaveAsync(cancellationToken))
            {
                continue;
            }
            changed += due.Count;
        }

        foreach (var kind in SignalKinds.All.Concat(options.Value.Kinds.Keys).Distinct())
        {
            if (options.Value.Policy(kind).StaleAfter is not { } ttl)
            {
                continue;
            }
            var cutoff = now - ttl;
            while (true)
            {
                var quiet = await db.Signals
                    .Where(s => s.Kind == kind && s.Condition == SourceCondition.Firing && s.LastSeen < cutoff)
                    .OrderBy(s => s.Id).Take(Chunk).ToListAsync(cancellationToken);
                if (quiet.Count == 0)
                {
                    break;
                }
                foreach (var signal in quiet)
                {
                    signal.Condition = SourceCondition.Stale;
                    signal.Version++;
                    signal.UpdatedAt = now;
                    db.Timeline.Add(Timeline.Entry(Timeline.Signal, signal.Id, now, "system", "condition", "firing", "stale",
                        $"no word from the source for {ttl.TotalHours:0.#} h"));
                }
                if (await TrySaveAsync(cancellationToken))
                {
                    changed += quiet.Count;
                }
            }
        }
        await IncidentGrouping.RefreshAsync(db, incidents, now, cancellationToken);
        return changed;
    }

    private async Task<bool> TrySaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            // Somebody acted on one of them meanwhile; the next round reads them afresh.
            db.ChangeTracker.Clear();
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }
}

/// <summary>
/// Runs the sweep every <see cref="SignalsOptions.SweepInterval"/>, on one replica of Operations at a time
/// (<see cref="JobName"/>). Sweeps on two replicas would still be correct (each change is checked against the signal's
/// version, and the loser reads afresh), but would race for the same signals every round.
/// </summary>
public sealed class SignalSweepService(IServiceScopeFactory scopes, SingletonJobs jobs, IOptions<SignalsOptions> options, TimeProvider clock,
    ILogger<SignalSweepService> logger) : BackgroundService
{
    public const string JobName = "operations:signal-sweep";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var lead = jobs.Create(JobName);
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (!await lead.TryLeadAsync(stoppingToken))
                {
                    continue;
                }
                await using var scope = scopes.CreateAsyncScope();
                var changed = await scope.ServiceProvider.GetRequiredService<SignalSweeper>().SweepAsync(stoppingToken);
                if (changed > 0)
                {
                    logger.LogInformation("Signal sweep changed {Count} signal(s)", changed);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Signal sweep failed; it runs again in {Interval}", options.Value.SweepInterval);
            }
        }
    }
}
