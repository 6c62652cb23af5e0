using ControlTower.Contracts.Releases;
using ControlTower.Operations.Signals;
using MassTransit;

namespace ControlTower.Operations.Consumers;

public sealed class ReleaseVerdictIssuedConsumer(SignalIngestor ingestor) : IConsumer<ReleaseVerdictIssued>
{
    public Task Consume(ConsumeContext<ReleaseVerdictIssued> context) =>
        ingestor.IngestAsync(SignalSources.FromVerdict(context.Message), context.CancellationToken);
}
