using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using ControlTower.Collector.Aws.Parsing;
using ControlTower.Collector.Ingestion;
using ControlTower.Contracts.Activity;
using Microsoft.Extensions.Options;

namespace ControlTower.Collector.Aws.Sqs;

/// <summary>
/// Long-polls an SQS queue that an EventBridge rule targets, and publishes its events the way the HTTP doors do.
/// A message is deleted only after its events were confirmed by the broker, so a crash redelivers it (and the
/// store drops the repeat). A message that cannot be read is left alone: SQS's redrive policy moves it to the
/// queue's dead-letter queue after its maximum receives, where an operator can look at it.
/// </summary>
public sealed class SqsPoller(
    IAmazonSQS sqs,
    BatchPublisher publisher,
    IOptions<SqsOptions> options,
    TimeProvider clock,
    ILogger<SqsPoller> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.Pollers).Select(_ => PollAsync(stoppingToken)));

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var source = "sqs:" + settings.QueueUrl!.TrimEnd('/').Split('/')[^1];
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
                {
                    QueueUrl = settings.QueueUrl,
                    MaxNumberOfMessages = 10,
                    WaitTimeSeconds = settings.WaitTimeSeconds,
                }, stoppingToken);
                if (received.Messages is not { Count: > 0 } messages)
                {
                    continue;
                }
                await HandleAsync(settings.QueueUrl, source, messages, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Polling {Queue} failed; retrying in 5 s", settings.QueueUrl);
                await Task.Delay(TimeSpan.FromSeconds(5), clock, stoppingToken);
            }
        }
    }

    internal async Task HandleAsync(string queueUrl, string source, IReadOnlyList<Message> messages, CancellationToken cancellationToken)
    {
        var context = RecordContext.None with { ReceivedAt = clock.GetUtcNow() };
        var activities = new List<CloudActivity>();
        var readable = new List<Message>();
        foreach (var message in messages)
        {
            if (TryRead(message, context, out var events))
            {
                activities.AddRange(events);
                readable.Add(message);
            }
        }
        if (readable.Count == 0)
        {
            return;
        }
        await publisher.PublishAsync(source, activities.DistinctBy(a => a.EventId).ToList(), cancellationToken);
        var deleted = await sqs.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
        {
            QueueUrl = queueUrl,
            Entries = readable.Select((m, i) => new DeleteMessageBatchRequestEntry(i.ToString(System.Globalization.CultureInfo.InvariantCulture), m.ReceiptHandle)).ToList(),
        }, cancellationToken);
        if (deleted.Failed is { Count: > 0 } failed)
        {
            // Published but not deleted: they come back and are stored once; worth a line, not an error.
            logger.LogInformation("{Count} SQS messages were published but not deleted ({Reason}); they will be redelivered",
                failed.Count, failed[0].Message);
        }
    }

    private bool TryRead(Message message, RecordContext context, out List<CloudActivity> events)
    {
        events = [];
        try
        {
            using var document = JsonDocument.Parse(message.Body);
            var items = EventBridgeNormalizer.Select(document.RootElement);
            if (items is null)
            {
                logger.LogWarning("SQS message {Id} is not an EventBridge event; left for the dead-letter queue", message.MessageId);
                return false;
            }
            for (var i = 0; i < items.Count; i++)
            {
                if (!RecordErrors.TryNormalize<RecordContext, CloudActivity>(EventBridgeNormalizer.TryNormalize, items[i], i, context, out var activity, out var error))
                {
                    logger.LogWarning("SQS message {Id}: event {Index} refused ({Field}: {Reason}); left for the dead-letter queue",
                        message.MessageId, error.Index, error.Field, error.Message);
                    return false;
                }
                events.Add(activity);
            }
            return true;
        }
        catch (JsonException ex)
        {
            logger.LogWarning("SQS message {Id} is not JSON ({Reason}); left for the dead-letter queue", message.MessageId, ex.Message);
            return false;
        }
    }
}
