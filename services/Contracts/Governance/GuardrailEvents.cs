namespace ControlTower.Contracts.Governance;

/// <summary>
/// An event broke a control enabled where its account sits: a new occurrence of the control's finding for that
/// subject. Published at least once per violating event; <see cref="FindingId"/> with <see cref="Occurrence"/> (or
/// <see cref="EvidenceEventId"/>) identifies it, so a repeat can be recognised.
/// </summary>
public record GuardrailViolated
{
    public required Guid FindingId { get; init; }

    /// <summary>How many distinct events have broken this control for this subject (1 the first time).</summary>
    public required int Occurrence { get; init; }

    /// <summary>The control's id, e.g. <c>AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED</c>.</summary>
    public required string ControlId { get; init; }

    /// <summary>What broke it, as the control names it: an account, a bucket or trail in an account, a user.</summary>
    public required string Subject { get; init; }

    /// <summary><c>critical</c>, <c>high</c>, <c>medium</c> or <c>low</c>.</summary>
    public required string Severity { get; init; }

    /// <summary><c>aws</c> or <c>azure</c>.</summary>
    public required string Provider { get; init; }

    /// <summary>The AWS account or Azure subscription the event belongs to.</summary>
    public required string Account { get; init; }

    /// <summary>The source's id of the event that broke the control (CloudTrail <c>eventID</c>, Azure <c>eventDataId</c>).</summary>
    public required string EvidenceEventId { get; init; }

    /// <summary>When the event happened, as the source says.</summary>
    public required DateTimeOffset EventTime { get; init; }

    public required DateTimeOffset DetectedAt { get; init; }
}

/// <summary>
/// A guardrail finding closed by a person (through triage in Operations) at <see cref="Occurrence"/>: a later
/// violation opens it again with a higher occurrence.
/// </summary>
public record GuardrailResolved
{
    public required Guid FindingId { get; init; }

    public required int Occurrence { get; init; }

    public required string ControlId { get; init; }

    public required string Subject { get; init; }

    public required string Account { get; init; }

    public required string ResolvedBy { get; init; }

    public required string Classification { get; init; }

    public required DateTimeOffset ResolvedAt { get; init; }
}
