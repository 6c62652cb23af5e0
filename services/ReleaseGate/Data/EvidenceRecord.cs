namespace ControlTower.ReleaseGate.Data;

/// <summary>
/// One piece of evidence posted for a release, never changed. <see cref="Canonical"/> is the evidence item's
/// canonical JSON (its <see cref="Digest"/> is the SHA-256 of it), from which the item is rebuilt for a
/// replay; a smoke run also keeps the original report, re-parsed rather than trusted from a summary.
/// </summary>
public sealed class EvidenceRecord
{
    public Guid Id { get; set; }
    public Guid ReleaseId { get; set; }
    /// <summary><c>smokeRun</c>, <c>truthObservation</c>, <c>approval</c>, <c>waiver</c> or <c>metric</c>.</summary>
    public required string Kind { get; set; }
    /// <summary>SHA-256 of what was posted (the report bytes for a smoke run): a repeat post finds the same record.</summary>
    public required string ContentKey { get; set; }
    public required string Digest { get; set; }
    public required string Canonical { get; set; }
    public byte[]? Original { get; set; }
    public string? SmokeFormat { get; set; }
    public string? TapSuite { get; set; }
    public DateTimeOffset CollectedAt { get; set; }
    public required string SubmittedBy { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
}
