using System.Text.Json;
using ControlTower.Contracts.Activity;

namespace ControlTower.Collector.Ingestion;

/// <summary>
/// What a record's container says about it, for one door's format. The pipeline gives each request its own
/// copy with the time it arrived and the body its records were parsed from.
/// </summary>
public interface IRecordContext<TSelf> where TSelf : IRecordContext<TSelf>
{
    /// <summary>This context for one request: when it arrived, and the UTF-8 body (unchanged while its items live).</summary>
    TSelf ForRequest(DateTimeOffset receivedAt, ReadOnlyMemory<byte> source);
}

/// <summary>Normalises one record of a door's format, or says why it cannot.</summary>
public delegate bool TryNormalizeRecord<TContext, TItem>(JsonElement record, int index, TContext context, out TItem item, out RecordError error);

/// <summary>
/// One door's format: which media types it takes, where the records are in a body, how each is normalised,
/// what makes two of them the same, and how the accepted ones are published.
/// </summary>
public sealed record IngestionDoor<TContext, TItem> where TContext : IRecordContext<TContext>
{
    /// <summary>Words for the shape, used in the problem when <see cref="Select"/> says no.</summary>
    public required string ExpectedShape { get; init; }

    /// <summary>The records in the parsed body, or null when the body is not of the door's shape.</summary>
    public required Func<JsonElement, IReadOnlyList<JsonElement>?> Select { get; init; }

    public required TryNormalizeRecord<TContext, TItem> Normalize { get; init; }

    /// <summary>The natural key: an item whose key was seen earlier in the request, or recently published, is a duplicate.</summary>
    public required Func<TItem, string> Key { get; init; }

    /// <summary>What was noted about an accepted item, reported as warnings.</summary>
    public Func<TItem, IReadOnlyList<string>> Notes { get; init; } = _ => [];

    public required Func<BatchPublisher, string, IReadOnlyList<TItem>, CancellationToken, Task> Publish { get; init; }

    public IReadOnlyCollection<string> MediaTypes { get; init; } = RequestBody.JsonMediaTypes;

    /// <summary>
    /// A request that is a handshake rather than events (Event Grid's subscription validation) is answered by
    /// this, given the selected records, instead of being ingested; null means ingest.
    /// </summary>
    public Func<HttpContext, IReadOnlyList<JsonElement>, IResult?>? Handshake { get; init; }
}

/// <summary>Doors whose items are <see cref="CloudActivity"/>, keyed by event id and published as activity batches.</summary>
public static class ActivityDoor
{
    public static IngestionDoor<TContext, CloudActivity> Create<TContext>(
        string expectedShape,
        Func<JsonElement, IReadOnlyList<JsonElement>?> select,
        TryNormalizeRecord<TContext, CloudActivity> normalize)
        where TContext : IRecordContext<TContext> => new()
        {
            ExpectedShape = expectedShape,
            Select = select,
            Normalize = normalize,
            Key = activity => $"{activity.Provider}:{activity.EventId}",
            Notes = activity => activity.Anomalies,
            Publish = (publisher, source, activities, cancellationToken) => publisher.PublishAsync(source, activities, cancellationToken),
        };
}
