using System.Diagnostics;
using System.Text.Json;
using ControlTower.Collector.Aws.Ingestion;
using ControlTower.Collector.Aws.Parsing;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ControlTower.Collector.Aws.Apis;

public static class CloudTrailApi
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public static IEndpointRouteBuilder MapCloudTrailApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/ingest/aws").WithTags("AWS ingestion");

        api.MapPost("/cloudtrail", IngestCloudTrailFile)
            .WithName("IngestCloudTrailFile")
            .WithSummary("Ingest a CloudTrail log file ({\"Records\":[...]}, plain or gzip)")
            .Produces<IngestionResult>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return app;
    }

    public static async Task<IResult> IngestCloudTrailFile(
        HttpContext context,
        IOptions<IngestionOptions> options,
        BatchPublisher publisher,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var body = await RequestBody.ReadJsonAsync(context.Request, limits, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.Json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return body.GzipLooksTruncated
                ? Problems.InvalidGzip("the gzip stream ends early (a truncated upload?), so the JSON inside is incomplete.")
                : Problems.InvalidJson(ex.Message);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("Records", out var records)
                || records.ValueKind != JsonValueKind.Array)
            {
                return Problems.WrongShape("a CloudTrail log file: a JSON object with a \"Records\" array");
            }
            var count = records.GetArrayLength();
            if (count > limits.MaxRecords)
            {
                return Problems.TooManyRecords(count, limits.MaxRecords);
            }

            var (activities, errors) = CloudTrailNormalizer.NormalizeAll(records);
            if (activities.Count == 0 && errors.Count > 0)
            {
                return Problems.NoValidRecords(errors);
            }

            // A file may repeat a record; the store would drop the copy anyway, but say so here.
            var unique = activities.DistinctBy(a => a.EventId).ToList();
            try
            {
                await publisher.PublishAsync(context.AuthenticatedSource() ?? "unknown", unique, cancellationToken);
            }
            catch (MessageReturnedException ex)
            {
                loggers.CreateLogger(typeof(CloudTrailApi)).LogWarning(ex, "No queue is bound for activity batches; answering 503");
                context.Response.Headers.RetryAfter = "5";
                return Problems.NoConsumer();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                loggers.CreateLogger(typeof(CloudTrailApi)).LogError(ex, "Publishing {Count} activities failed", unique.Count);
                context.Response.Headers.RetryAfter = "5";
                return Problems.BrokerUnavailable();
            }

            return TypedResults.Accepted((string?)null, new IngestionResult(
                RequestId: Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier,
                Accepted: unique.Count,
                Duplicates: activities.Count - unique.Count,
                Rejected: errors.Count,
                Errors: errors));
        }
    }
}

/// <summary>The 202 answer: what was made durable, what repeated itself, and which records were refused.</summary>
public sealed record IngestionResult(string RequestId, int Accepted, int Duplicates, int Rejected, IReadOnlyList<RecordError> Errors);
