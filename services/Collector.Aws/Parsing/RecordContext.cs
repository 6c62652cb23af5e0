using ControlTower.Collector.Ingestion;

namespace ControlTower.Collector.Aws.Parsing;

/// <summary>
/// What a record's container says about it: the EventBridge envelope, or the S3 key of its log file.
/// Used where the record itself is silent, and to cross-check it where it is not.
/// </summary>
public sealed record RecordContext : IRecordContext<RecordContext>
{
    public static readonly RecordContext None = new();

    /// <summary>The account the container names (envelope <c>account</c>, or the S3 key's account).</summary>
    public string? Account { get; init; }

    /// <summary>The region the container names (envelope <c>region</c>, or the S3 key's region).</summary>
    public string? Region { get; init; }

    /// <summary>The envelope's <c>time</c>.</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary>The organisation id of an organisation trail's S3 key.</summary>
    public string? OrganizationId { get; init; }

    /// <summary>True when <see cref="Account"/> and <see cref="Region"/> come from an S3 key, whose file holds one account's records for one region.</summary>
    public bool CrossCheck { get; init; }

    /// <summary>Resource ARNs the envelope lists.</summary>
    public IReadOnlyList<string> Resources { get; init; } = [];

    /// <summary>
    /// The UTF-8 bytes the records were parsed from, when they stay unchanged for as long as the activities
    /// live (a request body read into its own array). Raw records then share these bytes instead of copying
    /// them; without it each raw record is copied.
    /// </summary>
    public ReadOnlyMemory<byte> Source { get; init; }

    /// <summary>When the collector received the request: the time of last resort.</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    public RecordContext ForRequest(DateTimeOffset receivedAt, ReadOnlyMemory<byte> source) =>
        this with { ReceivedAt = receivedAt, Source = source };
}
