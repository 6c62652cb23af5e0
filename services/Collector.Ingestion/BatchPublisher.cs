using ControlTower.Contracts.Activity;
using ControlTower.Contracts.Alerts;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ControlTower.Collector.Ingestion;

/// <summary>
/// Publishes accepted items as batch messages sized to stay well under 1 MB. Each publish completes only when
/// the broker confirmed it (publisher confirms are on for the bus), and is mandatory: a batch that no consumer
/// queue is bound to receive (a system whose consumers never started, or a message type nobody consumes yet) is
/// returned by the broker and fails with <see cref="MessageReturnedException"/> instead of vanishing after a 202.
/// </summary>
public sealed class BatchPublisher(IBus bus, IOptions<IngestionOptions> options, TimeProvider clock)
{
    public Task PublishAsync(string source, IReadOnlyList<CloudActivity> activities, CancellationToken cancellationToken)
    {
        var receivedAt = clock.GetUtcNow();
        return PublishInChunksAsync(activities, a => a.Raw.Length, items => new CloudActivityBatch
        {
            BatchId = NewId.NextGuid(),
            Source = source,
            ReceivedAt = receivedAt,
            Activities = items,
        }, cancellationToken);
    }

    public Task PublishAsync(string source, IReadOnlyList<MonitorAlert> alerts, CancellationToken cancellationToken)
    {
        var receivedAt = clock.GetUtcNow();
        return PublishInChunksAsync(alerts, a => a.Raw.Length, items => new MonitorAlertBatch
        {
            BatchId = NewId.NextGuid(),
            Source = source,
            ReceivedAt = receivedAt,
            Alerts = items,
        }, cancellationToken);
    }

    private async Task PublishInChunksAsync<TItem, TMessage>(
        IReadOnlyList<TItem> items, Func<TItem, int> size, Func<List<TItem>, TMessage> message, CancellationToken cancellationToken)
        where TMessage : class
    {
        var limits = options.Value;
        var publishes = new List<Task>();
        var chunk = new List<TItem>();
        var chunkBytes = 0;
        foreach (var item in items)
        {
            var bytes = size(item);
            if (chunk.Count > 0 && (chunk.Count >= limits.MaxActivitiesPerMessage || chunkBytes + bytes > limits.MaxRawBytesPerMessage))
            {
                publishes.Add(Publish(chunk));
                chunk = [];
                chunkBytes = 0;
            }
            chunk.Add(item);
            chunkBytes += bytes;
        }
        if (chunk.Count > 0)
        {
            publishes.Add(Publish(chunk));
        }
        await Task.WhenAll(publishes);

        Task Publish(List<TItem> chunkItems) => bus.Publish(message(chunkItems), context => context.Mandatory = true, cancellationToken);
    }
}
