namespace ControlTower.Governance.Data;

// The Azure estate as its activity shows it. Ids are kept in lower case (Azure compares them without case, and
// its logs write them in any case); each row carries the time and event id of the change that last set it.

/// <summary>A management group: its name and parent (where an event or snapshot gave them), and whether it was deleted.</summary>
public sealed class ObservedManagementGroup
{
    public required string GroupId { get; set; }
    public string? Name { get; set; }
    public string? ParentId { get; set; }
    public bool Deleted { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public required string EventId { get; set; }
}

/// <summary>
/// Where a subscription sits: the management group of the latest placement, and whether that placement was a
/// removal (<c>managementGroups/subscriptions/delete</c>, which leaves it under the tenant root group).
/// </summary>
public sealed class ObservedSubscription
{
    public required string SubscriptionId { get; set; }
    public string? Name { get; set; }
    public required string ManagementGroupId { get; set; }
    public bool Removed { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public required string EventId { get; set; }
}

/// <summary>A policy assignment: its definition, enforcement mode and effect parameter as the last change that named them said.</summary>
public sealed class ObservedPolicyAssignment
{
    /// <summary>The assignment's resource id: its scope, then <c>/providers/microsoft.authorization/policyassignments/{name}</c>.</summary>
    public required string AssignmentId { get; set; }
    public required string Name { get; set; }
    public required string Scope { get; set; }
    public string? DefinitionId { get; set; }

    /// <summary><c>Default</c> or <c>DoNotEnforce</c>.</summary>
    public string? EnforcementMode { get; set; }

    /// <summary>The value of the assignment's <c>effect</c> parameter, where it has one.</summary>
    public string? Effect { get; set; }
    public bool Deleted { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public required string EventId { get; set; }
}

/// <summary>A policy exemption: the scope it exempts and, where known, the assignment it exempts from.</summary>
public sealed class ObservedPolicyExemption
{
    public required string ExemptionId { get; set; }
    public required string Name { get; set; }
    public required string Scope { get; set; }
    public string? AssignmentId { get; set; }

    /// <summary><c>Waiver</c> or <c>Mitigated</c>.</summary>
    public string? Category { get; set; }
    public DateTimeOffset? ExpiresOn { get; set; }
    public bool Deleted { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public required string EventId { get; set; }
}
