using System.Text.Json;
using ControlTower.Collector.Aws.Parsing;
using ControlTower.Collector.Ingestion;
using ControlTower.Contracts.Activity;

namespace ControlTower.Collector.Aws.Apis;

public static class CloudTrailApi
{
    public const string S3KeyHeader = "X-Amz-S3-Key";

    internal static readonly IngestionDoor<RecordContext, CloudActivity> LogFileDoor = ActivityDoor.Create<RecordContext>(
        "a CloudTrail log file: a JSON object with a \"Records\" array", SelectRecords, CloudTrailNormalizer.TryNormalize);

    internal static readonly IngestionDoor<RecordContext, CloudActivity> EventBridgeDoor = ActivityDoor.Create<RecordContext>(
        "an EventBridge event object or an array of them", EventBridgeNormalizer.Select, EventBridgeNormalizer.TryNormalize);

    public static IEndpointRouteBuilder MapCloudTrailApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/ingest/aws").WithTags("AWS ingestion");

        api.MapPost("/cloudtrail", IngestCloudTrailFile)
            .WithName("IngestCloudTrailFile")
            .WithSummary("Ingest a CloudTrail log file ({\"Records\":[...]}, plain or gzip), optionally with its S3 key")
            .ProducesIngestionAnswers();

        api.MapPost("/eventbridge", IngestEventBridgeEvents)
            .WithName("IngestEventBridgeEvents")
            .WithSummary("Ingest EventBridge events (an API destination target): one event object or an array of them")
            .ProducesIngestionAnswers();

        return app;
    }

    /// <summary>
    /// The S3 key, when given (header <c>X-Amz-S3-Key</c> or query <c>s3Key</c>), names the file's account,
    /// region and organisation: they fill records that lack them and are checked against those that have them.
    /// </summary>
    public static Task<IResult> IngestCloudTrailFile(HttpContext context, IngestionPipeline pipeline)
    {
        var key = context.Request.Headers[S3KeyHeader].FirstOrDefault() ?? context.Request.Query["s3Key"].FirstOrDefault();
        var recordContext = RecordContext.None;
        if (key is not null)
        {
            if (!S3Key.TryParse(key, out var parsed))
            {
                return Task.FromResult(InvalidS3Key(key));
            }
            recordContext = new RecordContext
            {
                Account = parsed.Account,
                Region = parsed.Region,
                OrganizationId = parsed.OrganizationId,
                CrossCheck = true,
            };
        }

        return pipeline.IngestAsync(context, recordContext, LogFileDoor);
    }

    public static Task<IResult> IngestEventBridgeEvents(HttpContext context, IngestionPipeline pipeline) =>
        pipeline.IngestAsync(context, RecordContext.None, EventBridgeDoor);

    private static IResult InvalidS3Key(string key) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "Invalid S3 key",
        detail: $"The S3 key '{(key.Length > 200 ? key[..200] + "…" : key)}' is not a CloudTrail log file key: expected "
              + "[prefix/]AWSLogs/[o-orgid/]<12-digit account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz.",
        type: Problems.TypePrefix + "invalid-s3-key");

    private static IReadOnlyList<JsonElement>? SelectRecords(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Records", out var records) && records.ValueKind == JsonValueKind.Array
            ? records.EnumerateArray().ToList()
            : null;
}
