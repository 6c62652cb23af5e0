using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ControlTower.Collector.Ingestion;

/// <summary>
/// What every door does with a request, in one place: read the body within limits, parse it, pick out the
/// records, normalise each (a bad record never sinks its neighbours), drop repeats, publish with broker
/// confirm, and answer 202 with counts, or a problem that names the fault.
/// </summary>
public sealed class IngestionPipeline(
    BatchPublisher publisher,
    RecentKeys recent,
    IOptions<IngestionOptions> options,
    TimeProvider clock,
    ILogger<IngestionPipeline> logger)
{
    /// <summary>How every door parses a body: 64 levels deep at most.</summary>
    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>The records of a body normalised one by one: the accepted items (repeats within the body left out), each
    /// refused record's error, the warnings on accepted ones, and how many repeats there were.</summary>
    public static NormalizedRecords<TItem> Normalize<TContext, TItem>(IngestionDoor<TContext, TItem> door, IReadOnlyList<JsonElement> records, TContext context)
        where TContext : IRecordContext<TContext>
    {
        var accepted = new List<TItem>(records.Count);
        var errors = new List<RecordError>();
        var warnings = new List<RecordWarning>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = 0;
        for (var index = 0; index < records.Count; index++)
        {
            if (!RecordErrors.TryNormalize(door.Normalize, records[index], index, context, out var item, out var error))
            {
                errors.Add(error);
                continue;
            }
            if (!seen.Add(door.Key(item)))
            {
                duplicates++;
                continue;
            }
            accepted.Add(item);
            foreach (var note in door.Notes(item))
            {
                warnings.Add(new RecordWarning(index, note));
            }
        }
        return new NormalizedRecords<TItem>(accepted, errors, warnings, duplicates);
    }

    public async Task<IResult> IngestAsync<TContext, TItem>(HttpContext http, TContext context, IngestionDoor<TContext, TItem> door)
        where TContext : IRecordContext<TContext>
    {
        var limits = options.Value;
        var cancellationToken = http.RequestAborted;
        var body = await RequestBody.ReadJsonAsync(http.Request, limits, door.MediaTypes, cancellationToken);
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
            var records = door.Select(document.RootElement);
            if (records is null)
            {
                return Problems.WrongShape(door.ExpectedShape);
            }
            if (door.Handshake?.Invoke(http, records) is { } handshake)
            {
                return handshake;
            }
            if (records.Count > limits.MaxRecords)
            {
                return Problems.TooManyRecords(records.Count, limits.MaxRecords);
            }

            // The body is this request's own array, alive and unchanged until the batch is published.
            context = context.ForRequest(clock.GetUtcNow(), body.Json);
            var (accepted, errors, warnings, duplicates) = Normalize(door, records, context);
            if (accepted.Count == 0 && errors.Count > 0)
            {
                return Problems.NoValidRecords(errors);
            }
            // Repeats of what this collector published recently: reported, not published again.
            var keys = accepted.Select(item => $"{typeof(TItem).Name}:{door.Key(item)}").ToList();
            var replayed = recent.Contains(keys);
            if (replayed.Any(r => r))
            {
                var fresh = new List<TItem>(accepted.Count);
                var freshKeys = new List<string>(accepted.Count);
                for (var i = 0; i < accepted.Count; i++)
                {
                    if (replayed[i])
                    {
                        duplicates++;
                    }
                    else
                    {
                        fresh.Add(accepted[i]);
                        freshKeys.Add(keys[i]);
                    }
                }
                accepted = fresh;
                keys = freshKeys;
            }

            using var publishing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            publishing.CancelAfter(limits.PublishTimeout);
            var attempt = PublishAttempt.Current = new PublishAttempt(publishing);
            try
            {
                if (accepted.Count > 0)
                {
                    await door.Publish(publisher, http.AuthenticatedSource() ?? "unknown", accepted, publishing.Token);
                    recent.Add(keys);
                }
            }
            catch (MessageReturnedException ex)
            {
                logger.LogWarning(ex, "No queue is bound for {Items} batches; answering 503", typeof(TItem).Name);
                http.Response.Headers.RetryAfter = "5";
                return Problems.NoConsumer();
            }
            catch (Exception ex) when (attempt.Refused || TransientFaults.IsBrokerRefusal(ex))
            {
                // A queue at its length limit (overflow reject-publish) refuses the message: the consumers are behind.
                logger.LogWarning("A queue for {Items} batches is full; answering 503", typeof(TItem).Name);
                http.Response.Headers.RetryAfter = BacklogRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Problems.BacklogFull(BacklogRetryAfterSeconds);
            }
            catch (OperationCanceledException) when (publishing.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("The broker did not confirm {Count} {Items} items within {Timeout}; answering 503", accepted.Count, typeof(TItem).Name, limits.PublishTimeout);
                http.Response.Headers.RetryAfter = "5";
                return Problems.BrokerUnavailable();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Publishing {Count} {Items} items failed", accepted.Count, typeof(TItem).Name);
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

    /// <summary>Seconds a source is asked to wait when the consumers' queues are full: they drain at thousands of events a second.</summary>
    public const int BacklogRetryAfterSeconds = 10;
}

/// <summary>The 202 answer: what was made durable, what repeated itself, which records were refused and why,
/// and what was inferred or inconsistent in the accepted ones.</summary>
public sealed record IngestionResult(
    string RequestId, int Accepted, int Duplicates, int Rejected, IReadOnlyList<RecordError> Errors, IReadOnlyList<RecordWarning> Warnings);

/// <summary>Something noted about an accepted record: its index in the request and what was noted.</summary>
public sealed record RecordWarning(int Index, string Message);

public sealed record NormalizedRecords<TItem>(List<TItem> Accepted, List<RecordError> Errors, List<RecordWarning> Warnings, int Duplicates);
