using ControlTower.Contracts.Governance;
using ControlTower.Operations.Signals;
using MassTransit;

namespace ControlTower.Operations.Consumers;

public sealed class DriftResolvedConsumer(SignalIngestor ingestor) : IConsumer<DriftResolved>
{
    public Task Consume(ConsumeContext<DriftResolved> context) =>
        ingestor.IngestAsync(SignalSources.FromDrift(context.Message), context.CancellationToken);
}
