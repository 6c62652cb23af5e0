using Microsoft.Extensions.Options;

namespace ControlTower.DemoSource;

/// <summary>
/// Pushes a realistic trickle of CloudTrail log files through the public ingestion endpoint, as an S3
/// notification relay would, so that a newcomer who starts the system sees the portal fill.
/// </summary>
public sealed class CloudTrailPusher(DemoGateway gateway, IOptions<DemoSourceOptions> options, DemoSeeds seeds, TimeProvider clock,
    ILogger<CloudTrailPusher> logger) : DemoFeed(options.Value.CloudTrail, clock, logger)
{
    public const string Path = "/ingest/aws/cloudtrail";

    private readonly CloudTrailGenerator generator = new(seeds.For(1));
    private List<Dictionary<string, object?>>? unsent;
    private int files;

    protected override string Name => "CloudTrail";

    public override async Task TickAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A file the gateway did not take is sent again, unchanged, before a new one is made.
        var records = unsent ?? generator.NextFile(now, options.Value.CloudTrail.MaxRecordsPerFile);
        var gzip = files % 2 == 1;
        var answer = await gateway.PostAsync(Path, DemoGateway.Json(new Dictionary<string, object> { ["Records"] = records }, gzip),
            options.Value.ApiKey, cancellationToken);
        if (!answer.Ok)
        {
            unsent = records;
            logger.LogWarning("CloudTrail file of {Records} records not taken, sent again next tick: {Answer}", records.Count, answer);
            return;
        }
        unsent = null;
        files++;
        logger.LogInformation("Sent CloudTrail file {File} ({Records} records{Gzip})", files, records.Count, gzip ? ", gzip" : "");
    }
}
