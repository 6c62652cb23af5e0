using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Primitives;

namespace ControlTower.Collector.Azure.EventHubs;

/// <summary>
/// The Event Hubs SDK's processor (load balancing, partition reading, checkpoint store) around
/// <see cref="ActivityLogEventBatches"/>, which does the work. A batch whose publish failed is handed over again,
/// after a pause that doubles up to a minute, until it is published and checkpointed or the processor stops: the
/// partition waits for the broker rather than move past events that were never published (a later checkpoint
/// would cover them). After a stop, reading resumes from the last checkpoint.
/// </summary>
internal sealed class ActivityLogEventProcessor : PluggableCheckpointStoreEventProcessor<EventProcessorPartition>
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    private readonly ActivityLogEventBatches batches;
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private readonly string source;

    public ActivityLogEventProcessor(
        CheckpointStore store, EventHubsOptions settings, ActivityLogEventBatches batches, TimeProvider clock, ILogger logger)
        : base(store, settings.BatchSize, settings.ConsumerGroup, settings.ConnectionString!, settings.HubName, new EventProcessorOptions
        {
            Identifier = $"collector-azure-{Environment.MachineName}-{Environment.ProcessId}",
        })
    {
        this.batches = batches;
        this.clock = clock;
        this.logger = logger;
        source = "eventhubs:" + settings.HubName;
    }

    protected override async Task OnProcessingEventBatchAsync(
        IEnumerable<EventData> events, EventProcessorPartition partition, CancellationToken cancellationToken)
    {
        var list = events as IReadOnlyList<EventData> ?? events.ToList();
        var delay = TimeSpan.FromSeconds(1);
        while (!await batches.HandleAsync(source, partition.PartitionId, list,
            (position, token) => UpdateCheckpointAsync(partition.PartitionId, position, token), cancellationToken))
        {
            await Task.Delay(delay, clock, cancellationToken);
            delay = delay * 2 > MaxRetryDelay ? MaxRetryDelay : delay * 2;
        }
    }

    protected override Task OnProcessingErrorAsync(
        Exception exception, EventProcessorPartition partition, string operationDescription, CancellationToken cancellationToken)
    {
        if (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Event Hubs consumer: {Operation} failed (partition {Partition}); the processor retries",
                operationDescription, partition?.PartitionId ?? "none");
        }
        return Task.CompletedTask;
    }
}
