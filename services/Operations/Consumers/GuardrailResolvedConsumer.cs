using ControlTower.Contracts.Governance;
using ControlTower.Operations.Signals;
using MassTransit;

namespace ControlTower.Operations.Consumers;

/// <summary>Governance closed a guardrail finding (a person resolved its signal): the signal's source condition clears.</summary>
public sealed class GuardrailResolvedConsumer(SignalIngestor ingestor) : IConsumer<GuardrailResolved>
{
    public Task Consume(ConsumeContext<GuardrailResolved> context) =>
        ingestor.IngestAsync(SignalSources.FromGuardrail(context.Message), context.CancellationToken);
}
