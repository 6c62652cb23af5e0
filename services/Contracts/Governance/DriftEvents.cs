namespace ControlTower.Contracts.Governance;

/// <summary>
/// Governance found the landing zone differing from its baseline: a new finding, or one that returned after
/// it was resolved. Published at least once per change of state; <see cref="FindingId"/> with
/// <see cref="Occurrence"/> identifies it, so a repeat can be recognised.
/// </summary>
public record DriftDetected
{
    public required Guid FindingId { get; init; }

    /// <summary>How many times this drift has opened (1 the first time).</summary>
    public required int Occurrence { get; init; }

    /// <summary>AWS Control Tower's drift type, e.g. <c>ACCOUNT_MOVED_BETWEEN_OUS</c>.</summary>
    public required string Type { get; init; }

    /// <summary>What drifted: an account, OU, policy, policy@target, service principal or root.</summary>
    public required string Subject { get; init; }

    /// <summary><c>critical</c>, <c>high</c> or <c>medium</c>.</summary>
    public required string Severity { get; init; }

    public required string Expected { get; init; }

    public required string Observed { get; init; }

    public required string Repair { get; init; }

    /// <summary>The event that shows the drift.</summary>
    public string? EvidenceEventId { get; init; }

    public required DateTimeOffset DetectedAt { get; init; }
}

/// <summary>A drift finding closed because the observed state returned to the baseline.</summary>
public record DriftResolved
{
    public required Guid FindingId { get; init; }

    public required int Occurrence { get; init; }

    public required string Type { get; init; }

    public required string Subject { get; init; }

    public required DateTimeOffset ResolvedAt { get; init; }
}
