using ControlTower.Contracts.Activity;
using ControlTower.Operations.Activity;
using ControlTower.Operations.Signals;
using MassTransit;

namespace ControlTower.Operations.Consumers;

/// <summary>Stores a batch of activity, then raises the signals its notable events call for (both idempotent, so a retry repeats neither).</summary>
public sealed class CloudActivityBatchConsumer(ActivityStore store, NotableActivitySignals notable, ILogger<CloudActivityBatchConsumer> logger)
    : IConsumer<CloudActivityBatch>
{
    public async Task Consume(ConsumeContext<CloudActivityBatch> context)
    {
        var batch = context.Message;
        var stored = await store.StoreAsync(batch, context.CancellationToken);
        logger.LogDebug("Batch {BatchId}: {Stored} stored, {Duplicates} already present",
            batch.BatchId, stored, batch.Activities.Count - stored);
        await notable.EvaluateAsync(batch.Activities, context.CancellationToken);
    }
}
