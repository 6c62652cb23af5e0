using ControlTower.Governance.Scp;

namespace ControlTower.Governance.Baseline;

/// <summary>The landing zone as it should be (deploy/landing-zone/baseline.yaml), validated.</summary>
public sealed record LandingZoneBaseline(int Version, AwsBaseline? Aws, AzureBaseline? Azure);

public sealed record AwsBaseline(
    string OrganizationId,
    string RootId,
    string ManagementAccount,
    IReadOnlyList<string> TrustedAccess,
    IReadOnlyList<BaselineOu> OrganizationalUnits,
    IReadOnlyList<BaselineAccount> Accounts,
    IReadOnlyList<BaselinePolicy> Policies);

/// <summary>
/// An OU with its parent (the root or another OU), its depth below the root (1 to 5), and the controls enabled on it
/// (catalog ids), which its child OUs and accounts inherit.
/// </summary>
public sealed record BaselineOu(string Id, string Name, string ParentId, int Depth, bool Foundational, IReadOnlyList<string> Controls,
    Ownership? Ownership = null);

public sealed record BaselineAccount(string Id, string Name, string Role, string ParentId, Ownership? Ownership = null);

/// <summary>An SCP: its document (as text, and compiled for the decision engine) and the targets it is attached to.</summary>
public sealed record BaselinePolicy(string Id, string Name, string Document, [property: System.Text.Json.Serialization.JsonIgnore] ScpPolicy Compiled, IReadOnlyList<string> Targets);

public sealed record AzureBaseline(
    string Tenant,
    IReadOnlyList<BaselineManagementGroup> ManagementGroups,
    IReadOnlyList<BaselineSubscription> Subscriptions,
    IReadOnlyList<BaselinePolicyAssignment> PolicyAssignments);

/// <summary>A management group with its parent and the controls enabled on it, which its children and subscriptions inherit.</summary>
public sealed record BaselineManagementGroup(string Id, string Name, string? ParentId, IReadOnlyList<string> Controls, Ownership? Ownership = null);

public sealed record BaselineSubscription(string Id, string Name, string ManagementGroup, Ownership? Ownership = null);

public sealed record BaselinePolicyAssignment(string Name, string Scope, string Definition, string Effect);

/// <summary>A fault in the baseline: the line it is on (from 1), the field's path, and what is wrong.</summary>
public sealed record BaselineError(int Line, string Field, string Message)
{
    public override string ToString() => $"line {Line}, {Field}: {Message}";
}

/// <summary>
/// Who answers for an account or subscription: a person (an e-mail or OIDC subject), a team and an environment. Each
/// field set on an OU or management group is inherited by what is below it, unless set nearer.
/// </summary>
public sealed record Ownership(string? Owner, string? Team, string? Environment)
{
    /// <summary>Null when nothing is set, so a baseline without ownership reads and compares as before.</summary>
    public static Ownership? Of(string? owner, string? team, string? environment) =>
        owner is null && team is null && environment is null ? null : new Ownership(owner, team, environment);

    /// <summary>Each field from this one, else from <paramref name="outer"/>.</summary>
    public Ownership Over(Ownership? outer) => new(Owner ?? outer?.Owner, Team ?? outer?.Team, Environment ?? outer?.Environment);

    /// <summary>For a diff: e.g. <c>, owner alice@example.com, team payments, environment prod</c>.</summary>
    public static string Describe(Ownership? ownership) =>
        ownership is null ? "" : string.Concat(
            ownership.Owner is null ? "" : $", owner {ownership.Owner}",
            ownership.Team is null ? "" : $", team {ownership.Team}",
            ownership.Environment is null ? "" : $", environment {ownership.Environment}");
}
