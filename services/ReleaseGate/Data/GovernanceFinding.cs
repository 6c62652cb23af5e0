namespace ControlTower.ReleaseGate.Data;

/// <summary>
/// A drift or guardrail finding as Governance announced it, kept so that a verdict can say what was open in a
/// release's target accounts and subscriptions. <see cref="Scope"/> is the account or subscription it is about,
/// when it is about one; <see cref="Occurrence"/> orders announcements of the same finding.
/// </summary>
public sealed class GovernanceFinding
{
    public Guid FindingId { get; set; }
    public required string Kind { get; set; }
    public required string Type { get; set; }
    public required string Subject { get; set; }
    public string? Scope { get; set; }
    public required string Severity { get; set; }
    public bool Open { get; set; }
    public int Occurrence { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
}
