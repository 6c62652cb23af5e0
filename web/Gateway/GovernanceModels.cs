namespace ControlTower.Web.Gateway;

// Governance's answers as the portal reads them (services/Governance/Apis). Only the fields the pages use.

/// <summary>GET /api/governance/baseline: the landing zone as it should be.</summary>
public sealed record BaselineDocument(int Version, string Hash, string Source, DateTimeOffset RecordedAt, LandingZoneBaseline Baseline);

public sealed record LandingZoneBaseline(int Version, AwsLandingZone? Aws, AzureLandingZone? Azure);

public sealed record AwsLandingZone(string OrganizationId, string RootId, string ManagementAccount, IReadOnlyList<BaselineOu> OrganizationalUnits,
    IReadOnlyList<BaselineAccount> Accounts, IReadOnlyList<BaselinePolicy> Policies, IReadOnlyList<string>? TrustedAccess = null);

public sealed record BaselineOu(string Id, string Name, string ParentId, int Depth, bool Foundational, IReadOnlyList<string> Controls, BaselineOwnership? Ownership = null);

public sealed record BaselineAccount(string Id, string Name, string Role, string ParentId, BaselineOwnership? Ownership = null);

/// <summary>An SCP of the baseline: its document as text and the targets (root, OUs, accounts) it is attached to.</summary>
public sealed record BaselinePolicy(string Id, string Name, string Document, IReadOnlyList<string> Targets);

public sealed record AzureLandingZone(string Tenant, IReadOnlyList<BaselineManagementGroup> ManagementGroups, IReadOnlyList<BaselineSubscription> Subscriptions,
    IReadOnlyList<BaselinePolicyAssignment> PolicyAssignments);

public sealed record BaselineManagementGroup(string Id, string Name, string? ParentId, IReadOnlyList<string> Controls, BaselineOwnership? Ownership = null);

public sealed record BaselineSubscription(string Id, string Name, string ManagementGroup, BaselineOwnership? Ownership = null);

public sealed record BaselinePolicyAssignment(string Name, string Scope, string Definition, string Effect);

public sealed record BaselineOwnership(string? Owner, string? Team, string? Environment);

/// <summary>GET /api/governance/organization: the AWS organisation as its events show it.</summary>
public sealed record ObservedOrganization(IReadOnlyList<ObservedAccount> Accounts, IReadOnlyList<ObservedOu> OrganizationalUnits, IReadOnlyList<ObservedPolicy> Policies)
{
    public static readonly ObservedOrganization Empty = new([], [], []);
}

public sealed record ObservedAccount(string AccountId, string? Name, string? ParentId, bool? Member);

public sealed record ObservedOu(string OuId, string? Name, string? ParentId, bool Deleted);

/// <summary>A policy with the targets it is attached to now and those it was seen detached from.</summary>
public sealed record ObservedPolicy(string PolicyId, string? Name, string? Type, bool Deleted, IReadOnlyList<string> Targets, IReadOnlyList<string> DetachedFrom);

/// <summary>GET /api/governance/azure: management groups, subscriptions and policy assignments as activity shows them (ids in lower case).</summary>
public sealed record ObservedAzure(IReadOnlyList<ObservedManagementGroup> ManagementGroups, IReadOnlyList<ObservedSubscription> Subscriptions,
    IReadOnlyList<ObservedPolicyAssignment> PolicyAssignments)
{
    public static readonly ObservedAzure Empty = new([], [], []);
}

public sealed record ObservedManagementGroup(string GroupId, string? Name, string? ParentId, bool Deleted);

public sealed record ObservedSubscription(string SubscriptionId, string? Name, string ManagementGroupId, bool Removed);

public sealed record ObservedPolicyAssignment(string AssignmentId, string Name, string Scope, string? Effect, bool Deleted);

/// <summary>GET /api/governance/findings: a drift (Type is the drift type) or guardrail (Type is the control id) finding.</summary>
public sealed record GovernanceFinding(Guid Id, string Kind, string Type, string Subject, string Status, string Severity, string Expected, string Observed,
    string Repair, string? EvidenceEventId, string? Provider, string? Account, int Occurrences, DateTimeOffset FirstDetectedAt,
    DateTimeOffset LastDetectedAt, DateTimeOffset? ResolvedAt, SuppressedBy? SuppressedBy = null)
{
    public bool Open => Status == "open";

    /// <summary>Whether the finding is about <paramref name="target"/>: in it (a guardrail), the target itself, or a policy on it (<c>policy@target</c>).</summary>
    public bool Concerns(string target) =>
        string.Equals(Account, target, StringComparison.OrdinalIgnoreCase)
        || string.Equals(Subject, target, StringComparison.OrdinalIgnoreCase)
        || Subject.EndsWith("@" + target, StringComparison.OrdinalIgnoreCase);
}

public sealed record SuppressedBy(Guid Id, string Reason, DateTimeOffset ExpiresAt);

/// <summary>GET /api/governance/suppressions.</summary>
public sealed record FindingSuppression(Guid Id, string Type, string Subject, string Reason, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    DateTimeOffset? LiftedAt, string? LiftedBy, bool Active, int OpenFindings);

public sealed record FindingSuppressionRequest(string Type, string Subject, string Reason, DateTimeOffset ExpiresAt);

/// <summary>POST /api/governance/scp/evaluate.</summary>
public sealed record ScpEvaluationRequest(string Action, string Resource, Dictionary<string, string[]>? Context, IReadOnlyList<ScpLevelInput> Path, bool ManagementAccount);

public sealed record ScpLevelInput(string TargetId, IReadOnlyList<ScpPolicyInput> Policies);

/// <summary>A policy sent to the engine: the document as text (the engine parses it and names each fault).</summary>
public sealed record ScpPolicyInput(string Id, string Name, string Document);

/// <summary>The engine's answer: allowed, implicitDeny, explicitDeny or notRestricted, and what decided it (StatementIndex from 0).</summary>
public sealed record ScpDecision(string Outcome, string Reason, string? TargetId, string? PolicyId, string? PolicyName, int? StatementIndex, string? StatementSid)
{
    public bool Allowed => Outcome is "allowed" or "notRestricted";

    public string Label => Outcome switch
    {
        "allowed" => "Allow",
        "implicitDeny" => "Deny (implicit)",
        "explicitDeny" => "Deny (explicit)",
        "notRestricted" => "Allow (not restricted by SCPs)",
        _ => Outcome,
    };
}

/// <summary>
/// POST /api/governance/scp/impact: which accounts lose or gain the action if <see cref="PolicyId"/> read as <see cref="Document"/>,
/// or, without a policy, if <see cref="Document"/> were attached to <see cref="TargetId"/> as a new policy.
/// </summary>
public sealed record ScpImpactRequest(string? PolicyId, string Document, string Action, string Resource, Dictionary<string, string[]>? Context, string? TargetId = null);

public sealed record ScpImpact(IReadOnlyList<ScpImpactAccount> Lose, IReadOnlyList<ScpImpactAccount> Gain, int AccountsChecked);

public sealed record ScpImpactAccount(string AccountId, string Name, ScpDecision Before, ScpDecision After);

/// <summary>GET /api/releases: a release and the accounts it names as its targets.</summary>
public sealed record AccountRelease(Guid Id, string Service, string Environment, string Version, string Commit, DateTimeOffset RegisteredAt,
    IReadOnlyList<string>? Targets);

/// <summary>GET /api/releases/readiness: the latest release per service and environment, and its latest verdict.</summary>
public sealed record EnvironmentReadiness(string Service, string Environment, AccountRelease Release, EnvironmentVerdict? LatestVerdict);

public sealed record EnvironmentVerdict(Guid Id, DateTimeOffset EvaluatedAt, string Decision, string Summary);
