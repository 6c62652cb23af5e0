using ControlTower.Contracts.Governance;
using ControlTower.Operations.Signals;
using MassTransit;

namespace ControlTower.Operations.Consumers;

public sealed class DriftDetectedConsumer(SignalIngestor ingestor) : IConsumer<DriftDetected>
{
    public Task Consume(ConsumeContext<DriftDetected> context) =>
        ingestor.IngestAsync(SignalSources.FromDrift(context.Message), context.CancellationToken);
}
