using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace ControlTower.Gateway.Authentication;

/// <summary>
/// Refusals as RFC 9457 problems: a 403 names the scope the route needs and who lacked it, a key by name and a person
/// with their roles and the roles that would do.
/// </summary>
public sealed class AuthorizationProblems : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            return fallback.HandleAsync(next, context, policy, authorizeResult);
        }
        var required = context.GetEndpoint()?.Metadata.GetMetadata<IAuthorizeData>()?.Policy ?? "(unknown)";
        var name = context.User.Identity?.Name;
        string detail;
        if (CallerKinds.Of(context.User) == CallerKinds.User)
        {
            var roles = context.User.Claims.Where(c => c.Type == ((System.Security.Claims.ClaimsIdentity)context.User.Identity!).RoleClaimType)
                .Select(c => c.Value).ToList();
            var would = Roles.All.Where(r => Roles.ScopesOf(r).Contains(required)).ToList();
            detail = $"User '{name}' (roles: {(roles.Count == 0 ? "none" : string.Join(", ", roles))}) lacks the scope '{required}' this route requires"
                + (would.Count == 0 ? "; no role grants it (use an API key that has it)." : $"; the roles {string.Join(", ", would)} grant it.");
        }
        else
        {
            detail = $"API key '{name}' lacks the scope '{required}' this route requires.";
        }
        return AuthenticationProblems.WriteAsync(context, StatusCodes.Status403Forbidden, "Not allowed", detail);
    }
}

public static class AuthenticationProblems
{
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
