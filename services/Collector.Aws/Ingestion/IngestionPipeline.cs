using System.Diagnostics;
using System.Text.Json;
using ControlTower.Collector.Aws.Parsing;
using ControlTower.Contracts.Activity;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ControlTower.Collector.Aws.Ingestion;

/// <summary>Normalises one record of a door's format, or says why it cannot.</summary>
public delegate bool TryNormalizeRecord(JsonElement record, int index, RecordContext context, out CloudActivity activity, out RecordError error);

/// <summary>
/// What every door does with a request, in one place: read the body within limits, parse it, pick out the
/// records, normalise each (a bad record never sinks its neighbours), drop repeats, publish with broker
/// confirm, and answer 202 with counts, or a problem that names the fault.
/// </summary>
public sealed class IngestionPipeline(
    BatchPublisher publisher,
    IOptions<IngestionOptions> options,
    TimeProvider clock,
    ILogger<IngestionPipeline> logger)
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <param name="select">The records in the parsed body, or null when the body is not of the door's shape.</param>
    /// <param name="expectedShape">Words for the shape, used in the problem when <paramref name="select"/> says no.</param>
    public async Task<IResult> IngestAsync(
        HttpContext http,
        RecordContext context,
        Func<JsonElement, IReadOnlyList<JsonElement>?> select,
        string expectedShape,
        TryNormalizeRecord normalize)
    {
        var limits = options.Value;
        var cancellationToken = http.RequestAborted;
        var body = await RequestBody.ReadJsonAsync(http.Request, limits, cancellationToken);
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
            var records = select(document.RootElement);
            if (records is null)
            {
                return Problems.WrongShape(expectedShape);
            }
            if (records.Count > limits.MaxRecords)
            {
                return Problems.TooManyRecords(records.Count, limits.MaxRecords);
            }

            // The body is this request's own array, alive and unchanged until the batch is published.
            context = context with { ReceivedAt = clock.GetUtcNow(), Source = body.Json };
            var accepted = new List<CloudActivity>(records.Count);
            var errors = new List<RecordError>();
            var warnings = new List<RecordWarning>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var duplicates = 0;
            for (var index = 0; index < records.Count; index++)
            {
                if (!normalize(records[index], index, context, out var activity, out var error))
                {
                    errors.Add(error);
                    continue;
                }
                if (!seen.Add(activity.EventId))
                {
                    duplicates++;
                    continue;
                }
                accepted.Add(activity);
                warnings.AddRange(activity.Anomalies.Select(a => new RecordWarning(index, a)));
            }
            if (accepted.Count == 0 && errors.Count > 0)
            {
                return Problems.NoValidRecords(errors);
            }

            try
            {
                await publisher.PublishAsync(http.AuthenticatedSource() ?? "unknown", accepted, cancellationToken);
            }
            catch (MessageReturnedException ex)
            {
                logger.LogWarning(ex, "No queue is bound for activity batches; answering 503");
                http.Response.Headers.RetryAfter = "5";
                return Problems.NoConsumer();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Publishing {Count} activities failed", accepted.Count);
                http.Response.Headers.RetryAfter = "5";
                return Problems.BrokerUnavailable();
            }

            return TypedResults.Accepted((string?)null, new IngestionResult(
                RequestId: Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier,
                Accepted: accepted.Count,
                Duplicates: duplicates,
                Rejected: errors.Count,
                Errors: errors,
                Warnings: warnings));
        }
    }
}

/// <summary>The 202 answer: what was made durable, what repeated itself, which records were refused and why,
/// and what was inferred or inconsistent in the accepted ones.</summary>
public sealed record IngestionResult(
    string RequestId, int Accepted, int Duplicates, int Rejected, IReadOnlyList<RecordError> Errors, IReadOnlyList<RecordWarning> Warnings);

/// <summary>Something noted about an accepted record: its index in the request and what was noted.</summary>
public sealed record RecordWarning(int Index, string Message);
