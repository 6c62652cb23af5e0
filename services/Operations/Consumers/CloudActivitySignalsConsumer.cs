using ControlTower.Contracts.Activity;
using ControlTower.Operations.Data;
using ControlTower.Operations.Signals;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ControlTower.Operations.Consumers;

/// <summary>
/// The notable-activity rules over every activity batch, on a queue of its own beside the activity store's. Most batches
/// match nothing and touch no database.
/// </summary>
public sealed class CloudActivitySignalsConsumer(OperationsDbContext db, SignalIngestor ingestor, IOptions<SignalsOptions> options, TimeProvider clock)
    : IConsumer<CloudActivityBatch>
{
    public async Task Consume(ConsumeContext<CloudActivityBatch> context)
    {
        var cancellationToken = context.CancellationToken;
        foreach (var activity in context.Message.Activities)
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
