using ControlTower.Contracts.Operations;
using ControlTower.Operations.Signals;
using MassTransit;

namespace ControlTower.Operations.Consumers;

public sealed class DeadLettersObservedConsumer(SignalIngestor ingestor) : IConsumer<DeadLettersObserved>
{
    public Task Consume(ConsumeContext<DeadLettersObserved> context) =>
        ingestor.IngestAsync(SignalSources.FromDeadLetters(context.Message), context.CancellationToken);
}
