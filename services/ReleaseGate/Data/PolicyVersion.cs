namespace ControlTower.ReleaseGate.Data;

/// <summary>
/// The text of a policy as it was when a verdict used it, under its hash: the files on disk change, and a stored
/// verdict must still replay against the policy it was given.
/// </summary>
public sealed class PolicyVersion
{
    public required string Hash { get; set; }
    public required string PolicyId { get; set; }
    public int Version { get; set; }
    public required string Text { get; set; }
    public required string Source { get; set; }
    public DateTimeOffset FirstUsedAt { get; set; }
}
