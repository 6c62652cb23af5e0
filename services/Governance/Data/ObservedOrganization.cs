namespace ControlTower.Governance.Data;

// The AWS organisation as its events show it. Every attribute carries the time and event id of the change that
// set it, so that a late or repeated event never overwrites a newer one.

/// <summary>An account of the organisation: where it sits, and whether it is (still) a member.</summary>
public sealed class ObservedOrgAccount
{
    public required string AccountId { get; set; }
    public string? ParentId { get; set; }
    public DateTimeOffset? ParentAt { get; set; }
    public string? ParentEventId { get; set; }

    /// <summary>True once it joined, false once it left or was removed; null when only its moves were seen.</summary>
    public bool? Member { get; set; }
    public string? Name { get; set; }
    public DateTimeOffset? MemberAt { get; set; }
    public string? MemberEventId { get; set; }
}

public sealed class ObservedOu
{
    public required string OuId { get; set; }
    public string? Name { get; set; }
    public string? ParentId { get; set; }
    public bool Deleted { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public required string EventId { get; set; }
}

public sealed class ObservedPolicy
{
    public required string PolicyId { get; set; }
    public string? Name { get; set; }
    public string? Type { get; set; }

    /// <summary>The policy document as the last change set it (the escaped <c>content</c> of Create/UpdatePolicy, read as a string).</summary>
    public string? Content { get; set; }
    public bool Deleted { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public required string EventId { get; set; }
}

public sealed class ObservedPolicyAttachment
{
    public required string PolicyId { get; set; }
    public required string TargetId { get; set; }
    public bool Attached { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public required string EventId { get; set; }
}

public sealed class ObservedOrgSetting
{
    public required string Key { get; set; }
    public bool Enabled { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public required string EventId { get; set; }
}
