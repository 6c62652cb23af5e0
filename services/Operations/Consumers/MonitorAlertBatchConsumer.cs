using ControlTower.Contracts.Alerts;
using ControlTower.Operations.Alerts;
using MassTransit;

namespace ControlTower.Operations.Consumers;

public sealed class MonitorAlertBatchConsumer(AlertStore store) : IConsumer<MonitorAlertBatch>
{
    public Task Consume(ConsumeContext<MonitorAlertBatch> context) => store.StoreAsync(context.Message, context.CancellationToken);
}
