using ControlTower.Contracts.Alerts;
using ControlTower.Operations.Alerts;
using ControlTower.Operations.Signals;
using MassTransit;

namespace ControlTower.Operations.Consumers;

/// <summary>Keeps the alert rows (the evidence) and turns each notification into a signal observation.</summary>
public sealed class MonitorAlertBatchConsumer(AlertStore store, SignalIngestor ingestor) : IConsumer<MonitorAlertBatch>
{
    public async Task Consume(ConsumeContext<MonitorAlertBatch> context)
    {
        await store.StoreAsync(context.Message, context.CancellationToken);
        foreach (var alert in context.Message.Alerts)
        {
            await ingestor.IngestAsync(SignalSources.FromAlert(alert), context.CancellationToken);
        }
    }
}
