using System.Security.Claims;
using System.Text.RegularExpressions;
using ControlTower.Gateway.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ControlTower.Gateway.Apis;

/// <summary>
/// People's sessions: <c>/signin</c> through the OIDC provider, <c>/signout</c>, <c>/api/me</c> (who the gateway thinks the
/// caller is), and in Development only <c>/dev/signin</c>, which is not even registered in any other environment.
/// </summary>
public static partial class SessionApi
{
    /// <summary>On every response of a gateway where the dev sign-in exists, so the portal can say so on every page.</summary>
    public const string DevSignInHeader = "X-ControlTower-Dev-SignIn";
    public const string DevSignInAuthenticationType = "DevSignIn";

    public static WebApplication MapSessionApi(this WebApplication app)
    {
        app.MapGet("/signin", SignIn).WithName("SignIn").WithTags("Session").AllowAnonymous()
            .WithSummary("Sign in through the OIDC provider; back to returnUrl (a local path) afterwards");
        app.MapMethods("/signout", ["GET", "POST"], SignOut).WithName("SignOut").WithTags("Session").AllowAnonymous()
            .WithSummary("End the session (and the provider's, when signed in through it)");
        app.MapGet("/api/me", Me).WithName("Me").WithTags("Session").RequireAuthorization()
            .WithSummary("The caller as the gateway sees it: name, kind, roles, scopes, and whether the dev sign-in is on");

        // Registered in Development alone: no setting can turn it on elsewhere.
        if (app.Environment.IsDevelopment())
        {
            app.MapGet("/dev/signin", DevSignIn).WithName("DevSignIn").WithTags("Session").AllowAnonymous()
                .WithSummary("Development only: a session with the given role and name, without an identity provider");
        }
        return app;
    }

    /// <summary>In Development, marks every response (refusals included) with <see cref="DevSignInHeader"/>; elsewhere nothing.</summary>
    public static WebApplication UseDevSignInMarker(this WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            app.Use((context, next) =>
            {
                // Set as the answer starts, so neither the proxy's copy of a service's headers nor an error page drops it.
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers[DevSignInHeader] = "active";
                    return Task.CompletedTask;
                });
                return next(context);
            });
        }
        return app;
    }

    public static IResult SignIn(string? returnUrl, IOptions<OidcOptions> oidc)
    {
        if (!IsLocal(returnUrl))
        {
            return ReturnUrlProblem();
        }
        if (!oidc.Value.Enabled)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Sign-in is not configured",
                detail: $"No OIDC provider is configured ({OidcOptions.SectionName}:Authority); machines use API keys.");
        }
        return TypedResults.Challenge(new AuthenticationProperties { RedirectUri = returnUrl ?? "/" }, [GatewayAuthentication.OidcScheme]);
    }

    public static IResult SignOut(HttpContext context, string? returnUrl, IOptions<OidcOptions> oidc)
    {
        if (!IsLocal(returnUrl))
        {
            return ReturnUrlProblem();
        }
        var properties = new AuthenticationProperties { RedirectUri = returnUrl ?? "/" };
        var throughProvider = oidc.Value.Enabled && context.User.Identity is { IsAuthenticated: true } identity
            && CallerKinds.Of(context.User) == CallerKinds.User && identity.AuthenticationType != DevSignInAuthenticationType
            && context.Request.Cookies.ContainsKey(GatewayAuthentication.SessionCookieName);
        return throughProvider
            ? TypedResults.SignOut(properties, [GatewayAuthentication.CookieScheme, GatewayAuthentication.OidcScheme])
            : TypedResults.SignOut(properties, [GatewayAuthentication.CookieScheme]);
    }

    public static Ok<CallerView> Me(HttpContext context, IHostEnvironment environment, IOptions<OidcOptions> oidc) =>
        TypedResults.Ok(CallerView.Of(context.User, oidc.Value.RoleClaimType, environment.IsDevelopment()));

    public static async Task<IResult> DevSignIn(HttpContext context, string? role, string? name, string? returnUrl, IOptions<OidcOptions> oidc)
    {
        var errors = new Dictionary<string, string[]>();
        var canonical = role is null ? null : Roles.Canonical(role);
        if (canonical is null)
        {
            errors["role"] = [$"role is required, one of: {string.Join(", ", Roles.All)}."];
        }
        name ??= "developer";
        if (!NamePattern().IsMatch(name))
        {
            errors["name"] = ["name must be 1 to 64 letters, digits, '.', '_', '-' or '@'."];
        }
        if (!IsLocal(returnUrl))
        {
            errors["returnUrl"] = ["returnUrl must be a local path such as /signals."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var identity = new ClaimsIdentity(
            [new Claim("name", name), new Claim("sub", "dev:" + name), new Claim(oidc.Value.RoleClaimType, canonical!)],
            DevSignInAuthenticationType, "name", oidc.Value.RoleClaimType);
        await context.SignInAsync(GatewayAuthentication.CookieScheme, new ClaimsPrincipal(identity));
        if (returnUrl is not null)
        {
            return TypedResults.LocalRedirect(returnUrl);
        }
        // The view of the session just made: the transformation gives the scopes of the role.
        var principal = await context.RequestServices.GetRequiredService<IClaimsTransformation>().TransformAsync(new ClaimsPrincipal(identity));
        return TypedResults.Ok(CallerView.Of(principal, oidc.Value.RoleClaimType, devSignIn: true));
    }

    private static bool IsLocal(string? url) =>
        url is null || (url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal));

    private static ValidationProblem ReturnUrlProblem() => TypedResults.ValidationProblem(new Dictionary<string, string[]>
    {
        ["returnUrl"] = ["returnUrl must be a local path such as /signals."],
    });

    [GeneratedRegex("^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex NamePattern();
}

/// <param name="DevSignIn">Whether this gateway offers the Development sign-in (the portal shows a banner when it does).</param>
public sealed record CallerView(string? Name, string? Kind, IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes, bool DevSignIn)
{
    public static CallerView Of(ClaimsPrincipal user, string roleClaimType, bool devSignIn) => new(
        user.Identity?.Name,
        CallerKinds.Of(user),
        user.FindAll(roleClaimType).Select(c => c.Value).ToList(),
        user.FindAll(Authentication.Scopes.ClaimType).Select(c => c.Value).Order(StringComparer.Ordinal).ToList(),
        devSignIn);
}
