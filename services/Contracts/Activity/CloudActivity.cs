namespace ControlTower.Contracts.Activity;

/// <summary>
/// One event from a cloud control plane, normalised so that downstream code does not care which cloud it
/// came from. <see cref="Raw"/> keeps the source record exactly as received, as evidence.
/// </summary>
public record CloudActivity
{
    /// <summary><c>aws</c> or <c>azure</c>.</summary>
    public required string Provider { get; init; }

    /// <summary>The source's own unique id (CloudTrail <c>eventID</c>, Azure <c>eventDataId</c> / Event Grid <c>id</c>).</summary>
    public required string EventId { get; init; }

    public required DateTimeOffset Time { get; init; }

    /// <summary>AWS account id or Azure subscription id.</summary>
    public required string Account { get; init; }

    public string? Region { get; init; }

    /// <summary>The service called, e.g. <c>iam</c> for <c>iam.amazonaws.com</c>.</summary>
    public required string Service { get; init; }

    /// <summary>The operation, e.g. <c>CreateUser</c>.</summary>
    public required string Operation { get; init; }

    /// <summary>Who acted: an ARN, user name or principal id.</summary>
    public string? Actor { get; init; }

    /// <summary>The kind of identity, e.g. <c>IAMUser</c>, <c>AssumedRole</c>, <c>Root</c>.</summary>
    public string? ActorType { get; init; }

    public string? SourceIp { get; init; }

    public string? UserAgent { get; init; }

    public required ActivityOutcome Outcome { get; init; }

    public string? ErrorCode { get; init; }

    public bool? ReadOnly { get; init; }

    /// <summary>The source's event type, e.g. <c>AwsApiCall</c>.</summary>
    public string? EventType { get; init; }

    /// <summary>The source record as received (JSON).</summary>
    public required string Raw { get; init; }
}

public enum ActivityOutcome
{
    Unknown,
    Success,
    Failure,
}
