using Microsoft.AspNetCore.Authorization;

namespace ControlTower.Gateway.Authentication;

/// <summary>What an API key may do. Each scope is also the name of the authorization policy that requires it.</summary>
public static class Scopes
{
    public const string ClaimType = "scope";
    public const string IngestAws = "ingest:aws";
    public const string IngestAzure = "ingest:azure";
    public const string ActivityRead = "activity:read";
    public const string AlertsRead = "alerts:read";
    public const string SignalsRead = "signals:read";
    public const string GovernanceRead = "governance:read";
    public const string GovernanceWrite = "governance:write";
    public const string ReleasesRead = "releases:read";
    public const string ReleasesWrite = "releases:write";
    public const string AdminKeys = "admin:keys";

    public static readonly string[] All = [IngestAws, IngestAzure, ActivityRead, AlertsRead, SignalsRead, GovernanceRead, GovernanceWrite, ReleasesRead, ReleasesWrite, AdminKeys];

    public static AuthorizationBuilder AddScopePolicy(this AuthorizationBuilder builder, string scope) =>
        builder.AddPolicy(scope, policy => policy.RequireAuthenticatedUser().RequireClaim(ClaimType, scope));
}
