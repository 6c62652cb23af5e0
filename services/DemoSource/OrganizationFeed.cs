using Microsoft.Extensions.Options;

namespace ControlTower.DemoSource;

/// <summary>
/// Sends the <see cref="OrganizationGenerator"/>'s Organizations changes and guardrail breaks as CloudTrail files,
/// as the management account's organisation trail would deliver them, for Governance to turn into drift and
/// guardrail findings.
/// </summary>
public sealed class OrganizationFeed(DemoGateway gateway, IOptions<DemoSourceOptions> options, DemoSeeds seeds, TimeProvider clock,
    ILogger<OrganizationFeed> logger) : DemoFeed(options.Value.Organization, clock, logger)
{
    private readonly OrganizationGenerator generator = new(seeds.For(2), options.Value.Organization);
    private readonly List<DemoEvent> unsent = [];

    protected override string Name => "Organization";

    public override async Task TickAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        unsent.AddRange(generator.Next(now));
        if (unsent.Count == 0)
        {
            return;
        }
        var answer = await gateway.PostAsync(CloudTrailPusher.Path,
            DemoGateway.Json(new Dictionary<string, object> { ["Records"] = unsent.Select(e => e.Record).ToList() }),
            options.Value.ApiKey, cancellationToken);
        if (!answer.Ok)
        {
            logger.LogWarning("{Events} Organizations event(s) not taken, sent again next tick: {Answer}", unsent.Count, answer);
            return;
        }
        foreach (var sent in unsent)
        {
            logger.LogInformation("Sent {Operation} ({Description})", sent.Record["eventName"], sent.Description);
        }
        unsent.Clear();
    }
}
