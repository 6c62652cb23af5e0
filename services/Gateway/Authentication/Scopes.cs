using Microsoft.AspNetCore.Authorization;

namespace ControlTower.Gateway.Authentication;

/// <summary>
/// What a caller may do. Each scope is also the name of the authorization policy that requires it, so every route
/// names one scope whether an API key or a person (through <see cref="Roles"/>) calls it.
/// </summary>
public static class Scopes
{
    public const string ClaimType = "scope";

    /// <summary><c>key</c> for an API key, <c>user</c> for a person; set by the gateway only.</summary>
    public const string CallerKindClaimType = "controltower:caller-kind";

    public const string IngestAws = "ingest:aws";
    public const string IngestAzure = "ingest:azure";
    public const string ActivityRead = "activity:read";
    public const string AlertsRead = "alerts:read";
    public const string SignalsRead = "signals:read";
    public const string SignalsTriage = "signals:triage";
    public const string SignalsSuppress = "signals:suppress";
    public const string GovernanceRead = "governance:read";
    public const string GovernanceWrite = "governance:write";
    public const string GovernanceSuppress = "governance:suppress";
    public const string ReleasesRead = "releases:read";
    public const string ReleasesWrite = "releases:write";
    public const string ReleasesWaive = "releases:waive";
    public const string AuditRead = "audit:read";
    public const string AdminKeys = "admin:keys";
    public const string AdminMessages = "admin:messages";

    public static readonly string[] All =
    [
        IngestAws, IngestAzure, ActivityRead, AlertsRead, SignalsRead, SignalsTriage, SignalsSuppress, GovernanceRead, GovernanceWrite,
        GovernanceSuppress, ReleasesRead, ReleasesWrite, ReleasesWaive, AuditRead, AdminKeys, AdminMessages,
    ];

    public static AuthorizationBuilder AddScopePolicy(this AuthorizationBuilder builder, string scope) =>
        builder.AddPolicy(scope, policy => policy.RequireAuthenticatedUser().RequireClaim(ClaimType, scope));
}

/// <summary>The people's roles (from the OIDC role claim) and the scopes each grants: every role has the ones below it.</summary>
public static class Roles
{
    public const string Viewer = "Viewer";
    public const string Operator = "Operator";
    public const string Approver = "Approver";
    public const string Admin = "Admin";

    public static readonly string[] All = [Viewer, Operator, Approver, Admin];

    private static readonly string[] ViewerScopes =
        [Scopes.ActivityRead, Scopes.AlertsRead, Scopes.SignalsRead, Scopes.GovernanceRead, Scopes.ReleasesRead];

    private static readonly string[] OperatorScopes = [.. ViewerScopes, Scopes.SignalsTriage];

    private static readonly string[] ApproverScopes = [.. OperatorScopes, Scopes.SignalsSuppress, Scopes.GovernanceSuppress, Scopes.ReleasesWaive];

    private static readonly string[] AdminScopes =
        [.. ApproverScopes, Scopes.AuditRead, Scopes.AdminKeys, Scopes.AdminMessages, Scopes.GovernanceWrite, Scopes.ReleasesWrite];

    /// <summary>The scopes of a role, matched without case (Entra app role values are free text); none for an unknown role.</summary>
    public static IReadOnlyList<string> ScopesOf(string role) => role.ToUpperInvariant() switch
    {
        "VIEWER" => ViewerScopes,
        "OPERATOR" => OperatorScopes,
        "APPROVER" => ApproverScopes,
        "ADMIN" => AdminScopes,
        _ => [],
    };

    /// <summary>The role's name as Control Tower spells it, or null for a role it does not know.</summary>
    public static string? Canonical(string role) => All.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));
}
