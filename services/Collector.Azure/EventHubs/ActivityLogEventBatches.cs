using System.Text.Json;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Processor;
using ControlTower.Collector.Azure.Parsing;
using ControlTower.Collector.Ingestion;
using ControlTower.Contracts.Activity;

namespace ControlTower.Collector.Azure.EventHubs;

/// <summary>
/// What the Event Hubs consumer does with a partition's batch of events, without a hub: each event body is an
/// Activity Log export (<c>{"records":[...]}</c>, as diagnostic settings write them); its records are normalised
/// as the <c>/ingest/azure/activity-log</c> door normalises them, published with broker confirm, and only then is
/// the partition checkpointed after the batch's last event.
/// </summary>
/// <remarks>
/// A record or event that cannot be read is logged and skipped: it never holds the partition up. A publish that
/// fails (broker down, or no queue bound, so the broker returns the batch) writes no checkpoint, and the caller
/// hands the same events over again; whatever had reached the broker then arrives twice and is stored once.
/// </remarks>
public sealed class ActivityLogEventBatches(BatchPublisher publisher, TimeProvider clock, ILogger<ActivityLogEventBatches> logger)
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public EventHubsProgress Progress { get; } = new();

    /// <summary>
    /// Publishes the events' activities and, once the broker confirmed them, calls <paramref name="checkpoint"/>
    /// with the position after the last event. False when publishing failed: nothing was checkpointed.
    /// </summary>
    public async Task<bool> HandleAsync(
        string source,
        string partitionId,
        IReadOnlyList<EventData> events,
        Func<CheckpointPosition, CancellationToken, Task> checkpoint,
        CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return true;
        }
        var activities = new List<CloudActivity>();
        var refused = 0;
        var unreadable = 0;
        var documents = new List<JsonDocument>(events.Count);
        try
        {
            foreach (var data in events)
            {
                // The body stays alive (and unchanged) with the event until the batch is published: raw records slice it.
                var body = data.EventBody.ToMemory();
                JsonDocument document;
                try
                {
                    document = JsonDocument.Parse(body, DocumentOptions);
                }
                catch (JsonException ex)
                {
                    unreadable++;
                    logger.LogWarning("Event Hubs partition {Partition}, event {SequenceNumber}: not JSON ({Reason}); skipped",
                        partitionId, data.SequenceNumber, ex.Message);
                    continue;
                }
                documents.Add(document);
                var records = ActivityLogNormalizer.Select(document.RootElement);
                if (records is null)
                {
                    unreadable++;
                    logger.LogWarning("Event Hubs partition {Partition}, event {SequenceNumber}: not an Activity Log export ({{\"records\":[...]}}); skipped",
                        partitionId, data.SequenceNumber);
                    continue;
                }
                var receivedAt = data.EnqueuedTime > DateTimeOffset.UnixEpoch ? data.EnqueuedTime : clock.GetUtcNow();
                var context = AzureContext.None.ForRequest(receivedAt, body);
                for (var index = 0; index < records.Count; index++)
                {
                    if (ActivityLogNormalizer.TryNormalize(records[index], index, context, out var activity, out var error))
                    {
                        activities.Add(activity);
                    }
                    else
                    {
                        refused++;
                        logger.LogWarning("Event Hubs partition {Partition}, event {SequenceNumber}: record {Index} refused ({Field}: {Reason}); skipped",
                            partitionId, data.SequenceNumber, error.Index, error.Field, error.Message);
                    }
                }
            }

            var distinct = activities.DistinctBy(a => a.EventId, StringComparer.Ordinal).ToList();
            if (distinct.Count > 0)
            {
                try
                {
                    await publisher.PublishAsync(source, distinct, cancellationToken);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    Progress.PublishFailed();
                    logger.LogWarning(ex, "Event Hubs partition {Partition}: publishing {Count} activities from events {First}..{Last} failed; not checkpointed, they will be read again",
                        partitionId, distinct.Count, events[0].SequenceNumber, events[^1].SequenceNumber);
                    return false;
                }
            }

            var position = CheckpointPosition.FromEvent(events[^1]);
            await checkpoint(position, cancellationToken);
            Progress.Handled(partitionId, events.Count, distinct.Count, refused, unreadable, events[^1].SequenceNumber);
            return true;
        }
        finally
        {
            foreach (var document in documents)
            {
                document.Dispose();
            }
        }
    }
}

/// <summary>Running totals of the consumer, for its progress log.</summary>
public sealed class EventHubsProgress
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, long> checkpoints = new(StringComparer.Ordinal);
    private long events;
    private long published;
    private long refused;
    private long unreadable;
    private long publishFailures;

    public void Handled(string partitionId, int eventCount, int publishedCount, int refusedCount, int unreadableCount, long sequenceNumber)
    {
        lock (gate)
        {
            events += eventCount;
            published += publishedCount;
            refused += refusedCount;
            unreadable += unreadableCount;
            checkpoints[partitionId] = sequenceNumber;
        }
    }

    public void PublishFailed()
    {
        lock (gate)
        {
            publishFailures++;
        }
    }

    public Snapshot Read()
    {
        lock (gate)
        {
            return new Snapshot(events, published, refused, unreadable, publishFailures,
                string.Join(", ", checkpoints.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}@{c.Value}")));
        }
    }

    /// <summary>Events checkpointed, activities published, records refused, events unreadable, failed publishes, and each partition's last checkpointed sequence number.</summary>
    public sealed record Snapshot(long Events, long Published, long Refused, long Unreadable, long PublishFailures, string Checkpoints);
}
