using Microsoft.Extensions.Options;

namespace ControlTower.Collector.Azure.EventHubs;

/// <summary>
/// Runs the Activity Log event processor while the collector runs (registered only when
/// <c>EventHubs:ConnectionString</c> is set), and logs its progress: events checkpointed, activities published,
/// records refused, failed publishes, and each partition's last checkpoint.
/// </summary>
public sealed class EventHubsConsumer(
    IOptions<EventHubsOptions> options,
    ActivityLogEventBatches batches,
    TimeProvider clock,
    ILogger<EventHubsConsumer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        // A folder in use by another instance is a fault of configuration: the host stops and says so.
        using var store = new FileCheckpointStore(settings.CheckpointPath!, clock);
        var processor = new ActivityLogEventProcessor(store, settings, batches, clock, logger);
        var hub = $"{processor.FullyQualifiedNamespace}/{processor.EventHubName}";
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await processor.StartProcessingAsync(stoppingToken);
                logger.LogInformation("Reading Activity Log events from {Hub} as consumer group {ConsumerGroup}; checkpoints in {Path}",
                    hub, processor.ConsumerGroup, store.Root);
                break;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Starting the Event Hubs consumer on {Hub} failed; retrying in 30 s", hub);
                await DelayAsync(TimeSpan.FromSeconds(30), stoppingToken);
            }
        }
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.ProgressIntervalSeconds), clock);
            var last = batches.Progress.Read();
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = batches.Progress.Read();
                if (now != last)
                {
                    logger.LogInformation(
                        "Event Hubs {Hub}: {Events} events checkpointed, {Published} activities published, {Refused} records refused, {Unreadable} events unreadable, {Failures} publishes failed; last checkpoints {Checkpoints}",
                        hub, now.Events, now.Published, now.Refused, now.Unreadable, now.PublishFailures, now.Checkpoints);
                    last = now;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (processor.IsRunning)
            {
                // Waits for the batches in hand: each is either checkpointed or left to be read again.
                await processor.StopProcessingAsync(CancellationToken.None);
            }
        }
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, clock, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
