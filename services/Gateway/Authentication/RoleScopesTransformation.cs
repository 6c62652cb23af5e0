using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ControlTower.Gateway.Authentication;

/// <summary>
/// One authorization model for people and machines: a person's roles become scope claims, so each route keeps one
/// scope policy. Scope and caller-kind claims a token brings itself are dropped first (a provider's own <c>scope</c> or
/// <c>scp</c> means nothing here), so only the roles decide. Idempotent: it runs on every authentication.
/// </summary>
public sealed class RoleScopesTransformation(IOptions<OidcOptions> oidc) : IClaimsTransformation
{
    public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        if (principal.Identity is not ClaimsIdentity { IsAuthenticated: true } identity
            || identity.AuthenticationType == ApiKeyAuthenticationHandler.SchemeName)
        {
            return Task.FromResult(principal);
        }

        var roleType = oidc.Value.RoleClaimType;
        var claims = identity.Claims
            .Where(c => c.Type is not (Scopes.ClaimType or "scp" or Scopes.CallerKindClaimType))
            .ToList();
        var roles = claims.Where(c => c.Type == roleType || c.Type == ClaimTypes.Role).Select(c => c.Value).ToList();
        var scopes = roles.SelectMany(Roles.ScopesOf).Distinct().Order(StringComparer.Ordinal);
        claims.AddRange(scopes.Select(s => new Claim(Scopes.ClaimType, s)));
        claims.Add(new Claim(Scopes.CallerKindClaimType, CallerKinds.User));

        var nameType = identity.NameClaimType;
        if (identity.Name is null && FallbackName(identity) is { } name)
        {
            claims.Add(new Claim(nameType, name));
        }
        var transformed = new ClaimsIdentity(claims, identity.AuthenticationType, nameType, roleType);
        return Task.FromResult(new ClaimsPrincipal(transformed));
    }

    private static string? FallbackName(ClaimsIdentity identity) =>
        new[] { "preferred_username", "name", "email", "upn", "sub", ClaimTypes.NameIdentifier }
            .Select(t => identity.FindFirst(t)?.Value).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}

public static class CallerKinds
{
    public const string User = "user";
    public const string Key = "key";

    /// <summary><c>key</c>, <c>user</c>, or null for an anonymous caller.</summary>
    public static string? Of(ClaimsPrincipal principal) =>
        principal.Identity?.IsAuthenticated == true ? principal.FindFirst(Scopes.CallerKindClaimType)?.Value : null;
}
