using ControlTower.Contracts.Governance;
using ControlTower.Operations.Signals;
using MassTransit;

namespace ControlTower.Operations.Consumers;

public sealed class GuardrailViolatedConsumer(SignalIngestor ingestor) : IConsumer<GuardrailViolated>
{
    public Task Consume(ConsumeContext<GuardrailViolated> context) =>
        ingestor.IngestAsync(SignalSources.FromGuardrail(context.Message), context.CancellationToken);
}
