using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace ControlTower.Web.Session;

/// <summary>The signed-in person, wherever the portal needs them: in a prerender or an endpoint (from the request) and in an interactive circuit (from its authentication state).</summary>
public sealed class PortalUser(IHttpContextAccessor http, AuthenticationStateProvider authentication)
{
    public async Task<ClaimsPrincipal> PrincipalAsync()
    {
        // A circuit's HttpContext (the WebSocket's) is not the one to trust; its authentication state is.
        if (http.HttpContext is { } context && !context.WebSockets.IsWebSocketRequest)
        {
            return context.User;
        }
        return (await authentication.GetAuthenticationStateAsync()).User;
    }

    public async Task<Caller> CallerAsync() => Caller.Of(await PrincipalAsync());
}

/// <summary>The person as the pages see them: what to show and which actions to offer. The gateway enforces the same scopes.</summary>
public sealed record Caller(string Name, IReadOnlyList<string> Roles, IReadOnlySet<string> Scopes, bool DevSignIn, bool IsAuthenticated)
{
    public static readonly Caller Anonymous = new("", [], new HashSet<string>(), false, false);

    public bool Has(string scope) => Scopes.Contains(scope);

    public static Caller Of(ClaimsPrincipal user) => user.Identity is { IsAuthenticated: true }
        ? new Caller(
            user.FindFirstValue(PortalClaims.Name) ?? user.Identity.Name ?? "",
            user.FindAll(PortalClaims.Role).Select(c => c.Value).ToList(),
            user.FindAll(PortalClaims.Scope).Select(c => c.Value).ToHashSet(StringComparer.Ordinal),
            user.HasClaim(PortalClaims.DevSignIn, "true"),
            true)
        : Anonymous;
}
