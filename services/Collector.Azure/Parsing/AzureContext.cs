using ControlTower.Collector.Ingestion;

namespace ControlTower.Collector.Azure.Parsing;

/// <summary>What the pipeline knows of a request's records: when it arrived and the body they were parsed from.</summary>
public sealed record AzureContext : IRecordContext<AzureContext>
{
    public static readonly AzureContext None = new();

    /// <summary>When the collector received the request: the time of last resort.</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The UTF-8 the records were parsed from, unchanged while their activities live; raw records share it.</summary>
    public ReadOnlyMemory<byte> Source { get; init; }

    public AzureContext ForRequest(DateTimeOffset receivedAt, ReadOnlyMemory<byte> source) =>
        this with { ReceivedAt = receivedAt, Source = source };
}
