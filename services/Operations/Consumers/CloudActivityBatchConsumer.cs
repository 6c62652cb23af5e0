using ControlTower.Contracts.Activity;
using ControlTower.Operations.Activity;
using MassTransit;

namespace ControlTower.Operations.Consumers;

public sealed class CloudActivityBatchConsumer(ActivityStore store, ILogger<CloudActivityBatchConsumer> logger)
    : IConsumer<CloudActivityBatch>
{
    public async Task Consume(ConsumeContext<CloudActivityBatch> context)
    {
        var batch = context.Message;
        var stored = await store.StoreAsync(batch, context.CancellationToken);
        logger.LogDebug("Batch {BatchId}: {Stored} stored, {Duplicates} already present",
            batch.BatchId, stored, batch.Activities.Count - stored);
    }
}
