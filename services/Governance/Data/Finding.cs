namespace ControlTower.Governance.Data;

/// <summary>
/// One finding per drift type and subject: opened when the drift appears, resolved when the observed state
/// returns to the baseline, opened again (its occurrence counted) if it returns.
/// </summary>
public sealed class Finding
{
    public Guid Id { get; set; }
    public required string Type { get; set; }
    public required string Subject { get; set; }

    /// <summary><c>open</c> or <c>resolved</c>.</summary>
    public required string Status { get; set; }
    public required string Severity { get; set; }
    public required string Expected { get; set; }
    public required string Observed { get; set; }
    public required string Repair { get; set; }
    public string? EvidenceEventId { get; set; }

    /// <summary>How many times it has opened.</summary>
    public int Occurrences { get; set; }
    public DateTimeOffset FirstDetectedAt { get; set; }
    public DateTimeOffset LastDetectedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
}
