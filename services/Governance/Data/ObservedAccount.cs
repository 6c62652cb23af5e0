namespace ControlTower.Governance.Data;

/// <summary>
/// An AWS account or Azure subscription that has sent activity: the first piece of observed state, which the
/// landing-zone baseline is later compared against (an account acting outside the baseline is drift).
/// </summary>
public sealed class ObservedAccount
{
    public required string Provider { get; set; }
    public required string Account { get; set; }
    public DateTimeOffset FirstSeen { get; set; }
    public DateTimeOffset LastSeen { get; set; }
    public string? LastRegion { get; set; }
}
