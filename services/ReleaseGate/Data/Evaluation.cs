namespace ControlTower.ReleaseGate.Data;

/// <summary>
/// A verdict as it was given, appended and never updated: the inputs it pinned (policy hash, evidence ids,
/// evaluation time), its outcomes, its digest and the canonical JSON the digest was taken over.
/// </summary>
public sealed class Evaluation
{
    public Guid Id { get; set; }
    public Guid ReleaseId { get; set; }
    public string? IdempotencyKey { get; set; }
    public required string RequestedBy { get; set; }
    public DateTimeOffset EvaluatedAt { get; set; }
    public required string EvaluatorVersion { get; set; }
    public required string PolicyId { get; set; }
    public int PolicyVersion { get; set; }
    public required string PolicyHash { get; set; }
    public List<Guid> EvidenceIds { get; set; } = [];
    public required string RawOutcome { get; set; }
    public required string Decision { get; set; }
    public required string GitHub { get; set; }
    public required string CheckConclusion { get; set; }
    public required string Summary { get; set; }
    public required string Digest { get; set; }
    public required string CanonicalJson { get; set; }
    /// <summary>The rule and waiver results as the API shows them (JSON), so reading a verdict does not re-run it.</summary>
    public required string Results { get; set; }
}
