using ControlTower.Contracts.Activity;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ControlTower.Collector.Aws.Ingestion;

/// <summary>
/// Publishes accepted activities as <see cref="CloudActivityBatch"/> messages sized to stay well under
/// 1 MB. Each publish completes only when the broker confirmed it (publisher confirms are on for the bus),
/// and is mandatory: a batch that no consumer queue is bound to receive (a system whose consumers never
/// started) is returned by the broker and fails with <see cref="MessageReturnedException"/> instead of
/// vanishing after a 202.
/// </summary>
public sealed class BatchPublisher(IBus bus, IOptions<IngestionOptions> options, TimeProvider clock)
{
    public async Task PublishAsync(string source, IReadOnlyList<CloudActivity> activities, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var receivedAt = clock.GetUtcNow();
        var publishes = new List<Task>();
        var chunk = new List<CloudActivity>();
        var chunkBytes = 0;
        foreach (var activity in activities)
        {
            if (chunk.Count > 0 && (chunk.Count >= limits.MaxActivitiesPerMessage || chunkBytes + activity.Raw.Length > limits.MaxRawBytesPerMessage))
            {
                publishes.Add(Publish(chunk));
                chunk = [];
                chunkBytes = 0;
            }
            chunk.Add(activity);
            chunkBytes += activity.Raw.Length;
        }
        if (chunk.Count > 0)
        {
            publishes.Add(Publish(chunk));
        }
        await Task.WhenAll(publishes);

        Task Publish(List<CloudActivity> items) => bus.Publish(new CloudActivityBatch
        {
            BatchId = NewId.NextGuid(),
            Source = source,
            ReceivedAt = receivedAt,
            Activities = items,
        }, context => context.Mandatory = true, cancellationToken);
    }
}
