using ControlTower.Contracts.Activity;
using ControlTower.Operations.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlTower.Operations.Signals;

/// <summary>
/// The notable-activity rules over a batch the activity store has just stored, in the same consumer: the batch is read
/// off the broker once. A few string compares per activity; most batches match nothing and touch no database. Each
/// observation is idempotent, so a redelivered batch raises nothing twice.
/// </summary>
public sealed class NotableActivitySignals(OperationsDbContext db, SignalIngestor ingestor, IOptions<SignalsOptions> options, TimeProvider clock)
{
    public async Task EvaluateAsync(IReadOnlyList<CloudActivity> activities, CancellationToken cancellationToken)
    {
        foreach (var activity in activities)
        {
            var rule = NotableActivityRules.Match(activity);
            if (rule == NotableRule.None)
            {
                continue;
            }
            var observation = NotableActivityRules.Observation(rule, activity);
            if (rule == NotableRule.FailedConsoleLogin && !await CrossesThresholdAsync(activity, cancellationToken))
            {
                continue;
            }
            await ingestor.IngestAsync(observation, cancellationToken);
        }
    }

    /// <summary>Counts the failure in its window (once per event, even redelivered); true once the window reaches the threshold.</summary>
    private Task<bool> CrossesThresholdAsync(CloudActivity activity, CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(() => CountAsync(activity, cancellationToken));

    private async Task<bool> CountAsync(CloudActivity activity, CancellationToken cancellationToken)
    {
        var window = options.Value.FailedLoginWindow;
        var start = new DateTimeOffset(activity.Time.UtcTicks - activity.Time.UtcTicks % window.Ticks, TimeSpan.Zero);
        var key = SignalKeys.Dedup($"failed-console-login:{activity.Provider}:{activity.Account}:{activity.Actor}");
        var eventKey = $"{activity.Provider}:{activity.EventId}";
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var counted = await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO signal_observations (dedup_key, observation_id, received_at) VALUES ({"counter:" + key[..Math.Min(key.Length, 240)]}, {eventKey}, {clock.GetUtcNow()})
            ON CONFLICT DO NOTHING
            """, cancellationToken);
        if (counted == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return false;
        }
        var count = await db.Database.SqlQuery<int>($"""
            INSERT INTO activity_rule_counters (key, window_start, count) VALUES ({key}, {start}, 1)
            ON CONFLICT (key, window_start) DO UPDATE SET count = activity_rule_counters.count + 1
            RETURNING count AS "Value"
            """).ToListAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return count[0] >= options.Value.FailedLoginThreshold;
    }
}
