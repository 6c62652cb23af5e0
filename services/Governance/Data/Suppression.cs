namespace ControlTower.Governance.Data;

/// <summary>
/// A decision to stop announcing findings that match, for a while and for a stated reason. Findings it covers
/// are still kept and counted, and shown with it; once it expires (or is lifted) those still open are
/// announced again. Never deleted: it is part of the audit trail.
/// </summary>
public sealed class Suppression
{
    public Guid Id { get; set; }

    /// <summary>The drift type or control id it covers, or a pattern (<c>*</c>, <c>?</c>), e.g. <c>SCP_*</c>.</summary>
    public required string Type { get; set; }

    /// <summary>The subject it covers, or a pattern, e.g. <c>p-guardrail01@*</c>.</summary>
    public required string Subject { get; set; }

    public required string Reason { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? LiftedAt { get; set; }

    public string? LiftedBy { get; set; }

    /// <summary>Set once the findings it covered were announced again after it ended.</summary>
    public DateTimeOffset? EndHandledAt { get; set; }

    public bool ActiveAt(DateTimeOffset now) => LiftedAt is null && ExpiresAt > now;
}
