namespace ControlTower.Contracts.Activity;

/// <summary>
/// Activities a collector accepted in one request, published together. Collectors keep a batch well under
/// 1 MB; consumers store it idempotently on (provider, event id), so a redelivered batch changes nothing.
/// </summary>
public record CloudActivityBatch
{
    public required Guid BatchId { get; init; }

    /// <summary>The API key or source the gateway authenticated for the request.</summary>
    public required string Source { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public required IReadOnlyList<CloudActivity> Activities { get; init; }
}
