namespace ControlTower.Collector.Ingestion;

/// <summary>RFC 9457 problem bodies for ingestion faults, each naming what was wrong.</summary>
public static class Problems
{
    public const string TypePrefix = "urn:controltower:problem:";

    public static IResult UnsupportedMediaType(string? given, IEnumerable<string> accepted) => TypedResults.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported content type",
        detail: $"Content-Type '{given ?? "(none)"}' is not accepted; send one of: {string.Join(", ", accepted)}.",
        type: TypePrefix + "unsupported-media-type");

    public static IResult UnsupportedEncoding(string encoding) => TypedResults.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported content encoding",
        detail: $"Content-Encoding '{encoding}' is not accepted; send the body plain or gzip-compressed.",
        type: TypePrefix + "unsupported-encoding");

    public static IResult TooLarge(string what, long limit) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Payload too large",
        detail: $"The {what} exceeds the limit of {limit} bytes; split it into smaller requests.",
        type: TypePrefix + "payload-too-large",
        extensions: new Dictionary<string, object?> { ["limit"] = limit });

    public static IResult TooManyRecords(int count, int limit) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Too many records",
        detail: $"The request holds {count} records; at most {limit} are accepted in one request.",
        type: TypePrefix + "too-many-records",
        extensions: new Dictionary<string, object?> { ["limit"] = limit });

    public static IResult InvalidGzip(string reason) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "Invalid gzip body",
        detail: $"The body is marked or detected as gzip but does not inflate: {reason}",
        type: TypePrefix + "invalid-gzip");

    public static IResult InvalidJson(string reason) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "Invalid JSON",
        detail: $"The body is not valid JSON: {reason}",
        type: TypePrefix + "invalid-json");

    public static IResult WrongShape(string expected) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "Unexpected document shape",
        detail: $"Expected {expected}.",
        type: TypePrefix + "wrong-shape");

    public static IResult NoValidRecords(IReadOnlyList<RecordError> errors) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "No valid records",
        detail: $"None of the {errors.Count} records could be accepted; see 'errors' for each record's fault.",
        type: TypePrefix + "no-valid-records",
        extensions: new Dictionary<string, object?> { ["errors"] = errors });

    public static IResult NoConsumer() => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "No consumer ready",
        detail: "No service is subscribed to receive these events yet (is the system still starting?); nothing was accepted. Retry the same request later.",
        type: TypePrefix + "no-consumer");

    public static IResult BacklogFull(int retryAfterSeconds) => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Backlog full",
        detail: $"The services that store these events are behind and their queue is at its limit; nothing was accepted. Retry the same request in {retryAfterSeconds} s.",
        type: TypePrefix + "backlog-full");

    public static IResult BrokerUnavailable() => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Message broker unavailable",
        detail: "The events could not be made durable; nothing was accepted. Retry the same request later.",
        type: TypePrefix + "broker-unavailable");
}

/// <summary>Why one record of a batch was rejected: its index in the batch, the field at fault, the reason.</summary>
public sealed record RecordError(int Index, string Field, string Message);

public static class RecordErrors
{
    /// <summary>
    /// Normalises one record, and turns what its text makes the JSON reader throw into that record's error, so a bad record
    /// never fails its batch: a string with a lone surrogate escape (<c>"\uD800"</c>) is valid JSON that cannot be read as
    /// text, and <see cref="System.Text.Json.JsonElement.GetString"/> throws on it.
    /// </summary>
    public static bool TryNormalize<TContext, TItem>(TryNormalizeRecord<TContext, TItem> normalize, System.Text.Json.JsonElement record, int index,
        TContext context, out TItem item, out RecordError error)
    {
        try
        {
            return normalize(record, index, context, out item, out error);
        }
        catch (InvalidOperationException ex)
        {
            item = default!;
            error = new RecordError(index, "$", $"the record cannot be read as text: {ex.Message}");
            return false;
        }
    }
}
