using ControlTower.Operations.Data;
using ControlTower.Operations.Incidents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlTower.Operations.Signals;

/// <summary>
/// Turns what a source said into a signal: creates, counts, reopens or clears it by its dedup key. Idempotent on
/// (dedup key, observation id), one transaction per observation, serialised per dedup key by an advisory lock.
/// </summary>
public sealed class SignalIngestor(OperationsDbContext db, IncidentGrouping grouping, IOptions<SignalsOptions> options, TimeProvider clock)
{
    /// <summary>The signal the observation created or changed, or null for a repeat or nothing to do.</summary>
    public Task<long?> IngestAsync(SignalObservation observation, CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(() =>
        {
            // A retried attempt starts from what the database holds, not from what the failed one tracked.
            db.ChangeTracker.Clear();
            return IngestOnceAsync(observation, cancellationToken);
        });

    private async Task<long?> IngestOnceAsync(SignalObservation observation, CancellationToken cancellationToken)
    {
        // PostgreSQL's timestamptz takes UTC only; sources may send any offset.
        observation = observation with { At = observation.At.ToUniversalTime() };
        var key = SignalKeys.Dedup(observation.DedupKey);
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))", cancellationToken);
        var observationId = observation.ObservationId.Length > 600 ? SignalKeys.Dedup(observation.ObservationId) : observation.ObservationId;
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO signal_observations (dedup_key, observation_id, received_at) VALUES ({key}, {observationId}, {now})
            ON CONFLICT DO NOTHING
            """, cancellationToken);
        if (inserted == 0)
        {
            return null;
        }

        if (observation is { Condition: SourceCondition.Firing, ClearedBy: { } clearedBy }
            && await db.SignalObservations.AnyAsync(o => o.DedupKey == key && o.ObservationId == clearedBy, cancellationToken))
        {
            observation = observation with { Condition = SourceCondition.Resolved };
        }
        var current = await db.Signals.Where(s => s.DedupKey == key).OrderByDescending(s => s.Id).FirstOrDefaultAsync(cancellationToken);
        var outcome = SignalIngestion.Decide(current?.State, current?.LastSeen, observation, options.Value.Policy(observation.Kind));
        SignalRecord signal;
        switch (outcome.Decision)
        {
            case IngestDecision.Ignore:
                await transaction.CommitAsync(cancellationToken);
                return null;

            case IngestDecision.Create:
                signal = new SignalRecord
                {
                    Kind = observation.Kind,
                    DedupKey = key,
                    Title = Trim(observation.Title, 512)!,
                    Count = 1,
                    FirstSeen = observation.At,
                    LastSeen = observation.At,
                    Version = 1,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                Describe(signal, observation);
                signal.Set(outcome.State!);
                await DefaultOwnershipAsync(signal, cancellationToken);
                var silence = await ActiveSuppressionAsync(signal, now, cancellationToken);
                db.Signals.Add(signal);
                await db.SaveChangesAsync(cancellationToken);
                db.Timeline.Add(Timeline.Entry(Timeline.Signal, signal.Id, now, "system", "created",
                    to: SignalStateMachine.Name(signal.Status), text: observation.Summary ?? observation.Title));
                Silence(signal, silence, now);
                await grouping.AssignAsync(signal, now, cancellationToken);
                break;

            default:
                signal = current!;
                var before = signal.State;
                signal.Set(outcome.State!);
                if (outcome.Occurred)
                {
                    signal.Count++;
                    signal.LastSeen = observation.At > signal.LastSeen ? observation.At : signal.LastSeen;
                    Describe(signal, observation);
                    db.Timeline.Add(Timeline.Entry(Timeline.Signal, signal.Id, now, "system", "occurred",
                        text: $"occurrence {signal.Count}: {observation.Summary ?? observation.Title}"));
                }
                if (before.Condition != signal.Condition)
                {
                    db.Timeline.Add(Timeline.Entry(Timeline.Signal, signal.Id, now, "system", "condition",
                        Name(before.Condition), Name(signal.Condition)));
                }
                if (before.Status != signal.Status)
                {
                    db.Timeline.Add(Timeline.Entry(Timeline.Signal, signal.Id, now, "system", "status",
                        SignalStateMachine.Name(before.Status), SignalStateMachine.Name(signal.Status),
                        outcome.Reopened ? "the source fired again" : outcome.AutoResolved ? "the source cleared (classification undetermined)" : null));
                }
                if (outcome.Reopened)
                {
                    Silence(signal, await ActiveSuppressionAsync(signal, now, cancellationToken), now);
                }
                signal.Version++;
                signal.UpdatedAt = now;
                break;
        }

        await db.SaveChangesAsync(cancellationToken);
        if (signal.IncidentId is { } incidentId)
        {
            await IncidentGrouping.RefreshAsync(db, [incidentId], now, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return signal.Id;
    }

    public static string Name(SourceCondition condition) => condition.ToString().ToLowerInvariant();

    private static void Describe(SignalRecord signal, SignalObservation observation)
    {
        signal.Title = Trim(observation.Title, 512)!;
        signal.Summary = observation.Summary;
        signal.Severity = observation.Severity;
        signal.OriginalSeverity = Trim(observation.OriginalSeverity, 32);
        signal.Provider = Trim(observation.Provider, 16);
        signal.Account = Trim(observation.Account, 128);
        signal.Resource = Trim(observation.Resource, 1024);
        signal.Environment = Trim(observation.Environment, 64) ?? signal.Environment;
        signal.Details = observation.Details;
    }

    /// <summary>The longest-lasting suppression in force whose matchers all hold for the signal.</summary>
    private Task<SuppressionRecord?> ActiveSuppressionAsync(SignalRecord signal, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.Suppressions.AsNoTracking()
            .Where(x => x.StartsAt <= now && x.EndsAt > now
                && (x.Kind == null || x.Kind == signal.Kind)
                && (x.Account == null || x.Account == signal.Account)
                && (x.Severity == null || x.Severity == signal.Severity)
                && (x.Team == null || x.Team == signal.Team)
                && (x.DedupKeyPrefix == null || signal.DedupKey.StartsWith(x.DedupKeyPrefix)))
            .OrderByDescending(x => x.EndsAt).FirstOrDefaultAsync(cancellationToken);

    private void Silence(SignalRecord signal, SuppressionRecord? silence, DateTimeOffset now)
    {
        if (silence is null || signal.Status != TriageStatus.New)
        {
            return;
        }
        signal.Status = TriageStatus.Suppressed;
        signal.Until = silence.EndsAt;
        db.Timeline.Add(Timeline.Entry(Timeline.Signal, signal.Id, now, silence.CreatedBy, "status", "new", "suppressed",
            $"suppression {silence.Id} until {silence.EndsAt:O}: {silence.Reason}"));
    }

    private async Task DefaultOwnershipAsync(SignalRecord signal, CancellationToken cancellationToken)
    {
        if (signal.Account is null)
        {
            return;
        }
        var entry = await db.DirectoryAccounts.AsNoTracking()
            .Where(a => a.Account == signal.Account && (signal.Provider == null || a.Provider == signal.Provider))
            .FirstOrDefaultAsync(cancellationToken);
        if (entry is not null)
        {
            signal.Owner = entry.Owner;
            signal.Team = entry.Team;
            signal.Environment ??= entry.Environment;
        }
    }

    private static string? Trim(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}
