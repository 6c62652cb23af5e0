namespace ControlTower.Contracts.Operations;

/// <summary>
/// What an error queue (<c>*_error</c>, where MassTransit moves a message whose consumer failed after every retry)
/// holds now. Published when its count changes; a count of zero means it was emptied (replayed or purged).
/// </summary>
public record DeadLettersObserved
{
    public required string Queue { get; init; }

    public required long Count { get; init; }

    /// <summary>The message type of the oldest message held, e.g. <c>urn:message:ControlTower.Contracts.Activity:CloudActivityBatch</c>.</summary>
    public string? MessageType { get; init; }

    /// <summary>The first line of the exception that put the oldest message there.</summary>
    public string? Error { get; init; }

    public required DateTimeOffset ObservedAt { get; init; }
}
