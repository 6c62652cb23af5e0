using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using ControlTower.Web.Gateway;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace ControlTower.Web.Session;

/// <summary>
/// People sign in to the portal, and the portal calls the gateway as them: with the OIDC provider's access token
/// (code flow with PKCE), or in Development with a gateway session made by the gateway's own Development sign-in.
/// Either way the gateway decides what the person may do; the portal only hides what it would refuse.
/// </summary>
public static class PortalAuthentication
{
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string OidcScheme = OpenIdConnectDefaults.AuthenticationScheme;
    public const string CookieName = ".ControlTower.Portal";

    /// <summary>The client that signs people in at the gateway; it keeps no cookies, so the gateway's session cookie can be read off the answer.</summary>
    public const string SignInClientName = "gateway-signin";

    /// <summary>The gateway's session cookie, as its Development sign-in sets it.</summary>
    public const string GatewaySessionCookie = ".ControlTower.Session";

    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);

    public static void AddPortalAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PortalOidcOptions>()
            .BindConfiguration(PortalOidcOptions.SectionName)
            .Validate(o => !o.Enabled || !string.IsNullOrWhiteSpace(o.ClientId),
                $"{PortalOidcOptions.SectionName}:ClientId is required when {PortalOidcOptions.SectionName}:Authority is set.")
            .ValidateOnStart();
        var oidc = builder.Configuration.GetSection(PortalOidcOptions.SectionName).Get<PortalOidcOptions>() ?? new PortalOidcOptions();

        var authentication = builder.Services.AddAuthentication(CookieScheme)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/signin";
                o.AccessDeniedPath = "/signin";
                o.ReturnUrlParameter = "returnUrl";
                // The gateway credential inside does not slide, so neither does the session that carries it.
                o.ExpireTimeSpan = SessionLifetime;
                o.SlidingExpiration = false;
            });

        if (oidc.Enabled)
        {
            authentication.AddOpenIdConnect(OidcScheme, o =>
            {
                o.Authority = oidc.Authority;
                o.ClientId = oidc.ClientId;
                o.ClientSecret = oidc.ClientSecret;
                o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.ResponseMode = OpenIdConnectResponseMode.Query;
                o.UsePkce = true;
                o.SignInScheme = CookieScheme;
                o.MapInboundClaims = false;
                o.SaveTokens = false;
                o.CallbackPath = "/account/signin-oidc";
                o.SignedOutCallbackPath = "/account/signout-oidc";
                o.CorrelationCookie.SameSite = SameSiteMode.Lax;
                o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.Scope.Clear();
                o.Scope.Add("openid");
                o.Scope.Add("profile");
                foreach (var scope in oidc.Scopes)
                {
                    o.Scope.Add(scope);
                }
                o.TokenValidationParameters.NameClaimType = oidc.NameClaimType;
                o.TokenValidationParameters.RoleClaimType = oidc.RoleClaimType;
                o.Events.OnTokenValidated = OnTokenValidatedAsync;
                o.Events.OnRemoteFailure = context =>
                {
                    context.HandleResponse();
                    context.Response.Redirect("/signin?failed=" + Uri.EscapeDataString(context.Failure?.Message ?? "unknown"));
                    return Task.CompletedTask;
                };
            });
        }

        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<PortalUser>();
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental: a sign-in is never retried.
        builder.Services.AddHttpClient(SignInClientName, client => client.BaseAddress = GatewayClient.BaseAddress)
            .ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false })
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }

    public static WebApplication MapPortalSession(this WebApplication app)
    {
        var account = app.MapGroup("/account").WithTags("Session").ExcludeFromDescription();
        account.MapGet("/signin", SignIn).AllowAnonymous();
        account.MapPost("/signout", SignOutAsync).AllowAnonymous();
        // Registered in Development alone, like the gateway's own: no setting turns it on elsewhere.
        if (app.Environment.IsDevelopment())
        {
            account.MapPost("/dev-signin", DevSignInAsync).AllowAnonymous();
        }
        return app;
    }

    private static IResult SignIn(string? returnUrl, Microsoft.Extensions.Options.IOptions<PortalOidcOptions> oidc) =>
        oidc.Value.Enabled
            ? TypedResults.Challenge(new AuthenticationProperties { RedirectUri = LocalOrRoot(returnUrl) }, [OidcScheme])
            : TypedResults.Redirect("/signin?failed=" + Uri.EscapeDataString("No OIDC provider is configured (Authentication:Oidc:Authority)."));

    private static async Task<IResult> SignOutAsync(HttpContext context, Microsoft.Extensions.Options.IOptions<PortalOidcOptions> oidc)
    {
        await context.SignOutAsync(CookieScheme);
        var viaProvider = oidc.Value.Enabled && context.User.FindFirstValue(PortalClaims.CredentialKind) == CredentialKinds.Bearer;
        return viaProvider
            ? TypedResults.SignOut(new AuthenticationProperties { RedirectUri = "/signin?signedOut=1" }, [OidcScheme])
            : TypedResults.Redirect("/signin?signedOut=1");
    }

    /// <summary>
    /// Development only: asks the gateway's <c>/dev/signin</c> for a session with the chosen role and keeps that session's
    /// cookie as the credential. Form posts carry the antiforgery token the sign-in page renders.
    /// </summary>
    private static async Task<IResult> DevSignInAsync(HttpContext context, [FromForm] string role, [FromForm] string? name,
        [FromForm] string? returnUrl, IHttpClientFactory clients, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(PortalAuthentication));
        var target = LocalOrRoot(returnUrl);
        using var client = clients.CreateClient(SignInClientName);
        var person = string.IsNullOrWhiteSpace(name) ? role.ToLowerInvariant() : name.Trim();
        var uri = $"/dev/signin?role={Uri.EscapeDataString(role)}&name={Uri.EscapeDataString(person)}";
        HttpResponseMessage response;
        try
        {
            response = await client.GetAsync(uri, context.RequestAborted);
        }
        catch (HttpRequestException ex)
        {
            logger.LogWarning(ex, "The gateway could not be reached for the Development sign-in");
            return SignInFailed(target, "The gateway could not be reached; is it running?");
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var problem = await GatewayProblem.ReadAsync(response, context.RequestAborted);
                return SignInFailed(target, $"The gateway refused the Development sign-in: {problem.Describe()}");
            }
            var cookies = response.Headers.TryGetValues("Set-Cookie", out var values)
                ? values.Select(v => v.Split(';', 2)[0]).Where(v => v.StartsWith(GatewaySessionCookie, StringComparison.Ordinal)).ToList()
                : [];
            var caller = await response.Content.ReadFromJsonAsync<GatewayCaller>(context.RequestAborted);
            if (cookies.Count == 0 || caller is null)
            {
                return SignInFailed(target, "The gateway answered the Development sign-in without a session.");
            }
            var principal = PortalClaims.Principal(caller.Name ?? person, caller.Roles, caller.Scopes, CredentialKinds.Session,
                string.Join("; ", cookies), devSignIn: true);
            await context.SignInAsync(CookieScheme, principal, new AuthenticationProperties { ExpiresUtc = DateTimeOffset.UtcNow + SessionLifetime });
            logger.LogInformation("{Name} signed in to the portal as {Role} through the Development sign-in", caller.Name, role);
            return TypedResults.LocalRedirect(target);
        }
    }

    /// <summary>After the provider's sign-in: asks the gateway who the token's holder is, so the portal offers exactly what the gateway allows.</summary>
    private static async Task OnTokenValidatedAsync(TokenValidatedContext context)
    {
        var accessToken = context.TokenEndpointResponse?.AccessToken;
        if (string.IsNullOrEmpty(accessToken))
        {
            context.Fail("The provider returned no access token to present to the gateway.");
            return;
        }
        using var client = context.HttpContext.RequestServices.GetRequiredService<IHttpClientFactory>().CreateClient(SignInClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await client.SendAsync(request, context.HttpContext.RequestAborted);
        if (!response.IsSuccessStatusCode)
        {
            var problem = await GatewayProblem.ReadAsync(response, context.HttpContext.RequestAborted);
            context.Fail($"The gateway did not accept the access token: {problem.Describe()}");
            return;
        }
        var caller = await response.Content.ReadFromJsonAsync<GatewayCaller>(context.HttpContext.RequestAborted);
        var name = caller?.Name ?? context.Principal?.Identity?.Name ?? "unknown";
        context.Principal = PortalClaims.Principal(name, caller?.Roles ?? [], caller?.Scopes ?? [], CredentialKinds.Bearer, accessToken, devSignIn: false);
        if (int.TryParse(context.TokenEndpointResponse?.ExpiresIn, out var seconds))
        {
            // The session ends with the token it carries: the person signs in again rather than meeting 401s.
            context.Properties!.ExpiresUtc = DateTimeOffset.UtcNow.AddSeconds(seconds);
        }
    }

    private static RedirectHttpResult SignInFailed(string returnUrl, string message) =>
        TypedResults.Redirect($"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}&failed={Uri.EscapeDataString(message)}");

    public static string LocalOrRoot(string? url) =>
        url is not null && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : "/";

    private sealed record GatewayCaller(string? Name, string? Kind, IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes, bool DevSignIn);
}
