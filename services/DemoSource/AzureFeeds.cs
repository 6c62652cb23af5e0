using Microsoft.Extensions.Options;

namespace ControlTower.DemoSource;

/// <summary>Sends the <see cref="AzureActivityGenerator"/>'s records as one Activity Log export per tick.</summary>
public sealed class AzureActivityFeed(DemoGateway gateway, IOptions<DemoSourceOptions> options, DemoSeeds seeds, TimeProvider clock,
    ILogger<AzureActivityFeed> logger) : DemoFeed(options.Value.AzureActivity, clock, logger)
{
    public const string Path = "/ingest/azure/activity-log";

    private readonly AzureActivityGenerator generator = new(seeds.For(3), options.Value.AzureActivity);
    private readonly List<DemoEvent> unsent = [];

    protected override string Name => "AzureActivity";

    public override async Task TickAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        unsent.AddRange(generator.Next(now));
        var answer = await gateway.PostAsync(Path,
            DemoGateway.Json(new Dictionary<string, object> { ["records"] = unsent.Select(e => e.Record).ToList() }),
            options.Value.ApiKey, cancellationToken);
        if (!answer.Ok)
        {
            logger.LogWarning("{Records} Activity Log record(s) not taken, sent again next tick: {Answer}", unsent.Count, answer);
            return;
        }
        foreach (var sent in unsent)
        {
            logger.LogInformation("Sent Activity Log record: {Description}", sent.Description);
        }
        unsent.Clear();
    }
}

/// <summary>Posts the <see cref="AzureAlertGenerator"/>'s alerts, fired and resolved, one webhook call each, in order.</summary>
public sealed class AzureAlertFeed(DemoGateway gateway, IOptions<DemoSourceOptions> options, DemoSeeds seeds, TimeProvider clock,
    ILogger<AzureAlertFeed> logger) : DemoFeed(options.Value.AzureAlerts, clock, logger)
{
    public const string Path = "/ingest/azure/alerts";

    private readonly AzureAlertGenerator generator = new(seeds.For(4), options.Value.AzureAlerts);
    private readonly Queue<DemoEvent> unsent = [];

    protected override string Name => "AzureAlerts";

    public override async Task TickAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var alert in generator.Next(now))
        {
            unsent.Enqueue(alert);
        }
        // In order: a resolution must not overtake the alert it resolves.
        while (unsent.TryPeek(out var alert))
        {
            var answer = await gateway.PostAsync(Path, DemoGateway.Json(alert.Record), options.Value.ApiKey, cancellationToken);
            if (!answer.Ok)
            {
                logger.LogWarning("Alert {Description} not taken, sent again next tick: {Answer}", alert.Description, answer);
                return;
            }
            logger.LogInformation("Sent Azure Monitor alert: {Description}", alert.Description);
            unsent.Dequeue();
        }
    }
}
