using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ControlTower.Gateway.Authentication;

/// <summary>
/// Who may call: machines with API keys, people with the OIDC provider's bearer tokens or a cookie session the
/// browser sign-in (or, in Development only, the dev sign-in) made. One policy scheme picks the handler from what the
/// request carries, so every route checks one scope policy whoever calls.
/// </summary>
public static class GatewayAuthentication
{
    public const string SchemeName = "ControlTower";
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string BearerScheme = JwtBearerDefaults.AuthenticationScheme;
    public const string OidcScheme = OpenIdConnectDefaults.AuthenticationScheme;
    public const string SessionCookieName = ".ControlTower.Session";

    public static void AddGatewayAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OidcOptions>()
            .BindConfiguration(OidcOptions.SectionName)
            .Validate(o => !o.Enabled || !string.IsNullOrWhiteSpace(o.ClientId),
                $"{OidcOptions.SectionName}:ClientId is required when {OidcOptions.SectionName}:Authority is set.")
            .Validate(o => !o.Enabled || Uri.TryCreate(o.Authority, UriKind.Absolute, out _),
                $"{OidcOptions.SectionName}:Authority must be an absolute URL.")
            .ValidateOnStart();
        var oidc = builder.Configuration.GetSection(OidcOptions.SectionName).Get<OidcOptions>() ?? new OidcOptions();

        var authentication = builder.Services.AddAuthentication(SchemeName)
            .AddPolicyScheme(SchemeName, "API key, bearer token or session", o => o.ForwardDefaultSelector = context => SelectScheme(context, oidc))
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, _ => { })
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = SessionCookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                // An API answers with problems, not redirects to a login page.
                o.Events.OnRedirectToLogin = context => AuthenticationProblems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized,
                    "Authentication required", "The session has expired or is no longer valid; sign in again at /signin.");
                o.Events.OnRedirectToAccessDenied = context => AuthenticationProblems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden,
                    "Not allowed", "The signed-in user may not do this.");
            });

        if (oidc.Enabled)
        {
            authentication.AddJwtBearer(BearerScheme, o =>
            {
                o.Authority = oidc.Authority;
                o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
                o.MapInboundClaims = false;
                o.TokenValidationParameters.ValidAudiences = oidc.Audiences().ToList();
                o.TokenValidationParameters.NameClaimType = oidc.NameClaimType;
                o.TokenValidationParameters.RoleClaimType = oidc.RoleClaimType;
                o.Events = new JwtBearerEvents
                {
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        context.Response.Headers.WWWAuthenticate = "Bearer";
                        await AuthenticationProblems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized,
                            "Authentication required", BearerFault(context.AuthenticateFailure));
                    },
                };
            });
            authentication.AddOpenIdConnect(OidcScheme, o =>
            {
                o.Authority = oidc.Authority;
                o.ClientId = oidc.ClientId;
                o.ClientSecret = oidc.ClientSecret;
                o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.UsePkce = true;
                // The code comes back on a top-level GET, so the correlation and nonce cookies can be SameSite=Lax (and are
                // Secure whenever the gateway is served over HTTPS) instead of SameSite=None as form_post needs.
                o.ResponseMode = OpenIdConnectResponseMode.Query;
                o.CorrelationCookie.SameSite = SameSiteMode.Lax;
                o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.SignInScheme = CookieScheme;
                o.MapInboundClaims = false;
                o.SaveTokens = false;
                o.Scope.Clear();
                o.Scope.Add("openid");
                o.Scope.Add("profile");
                foreach (var scope in oidc.Scopes)
                {
                    o.Scope.Add(scope);
                }
                o.TokenValidationParameters.NameClaimType = oidc.NameClaimType;
                o.TokenValidationParameters.RoleClaimType = oidc.RoleClaimType;
                // A callback that cannot complete (no correlation cookie, an error from the provider, a bad ID token) is
                // the browser's bad request, answered as a problem rather than an unhandled exception.
                o.Events.OnRemoteFailure = async context =>
                {
                    context.HandleResponse();
                    await AuthenticationProblems.WriteAsync(context.HttpContext, StatusCodes.Status400BadRequest, "Sign-in failed",
                        $"The sign-in could not be completed ({context.Failure?.Message}); start again at /signin.");
                };
            });
        }

        builder.Services.AddTransient<IClaimsTransformation, RoleScopesTransformation>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AuthorizationProblems>();
        var authorization = builder.Services.AddAuthorizationBuilder();
        foreach (var scope in Scopes.All)
        {
            authorization.AddScopePolicy(scope);
        }
    }

    /// <summary>An API key wherever one is sent; a JWT (three dot-separated parts) to the OIDC bearer handler; else the session cookie.</summary>
    private static string SelectScheme(HttpContext context, OidcOptions oidc)
    {
        var request = context.Request;
        if (request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName) || request.Query.ContainsKey(ApiKeyAuthenticationHandler.QueryName))
        {
            return ApiKeyAuthenticationHandler.SchemeName;
        }
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization["Bearer ".Length..].Trim();
            return oidc.Enabled && token.Count(c => c == '.') == 2 ? BearerScheme : ApiKeyAuthenticationHandler.SchemeName;
        }
        return request.Cookies.ContainsKey(SessionCookieName) ? CookieScheme : ApiKeyAuthenticationHandler.SchemeName;
    }

    private static string BearerFault(Exception? failure) => failure switch
    {
        null => "No valid bearer token was sent.",
        SecurityTokenExpiredException => "The bearer token has expired; get a new one from the identity provider.",
        SecurityTokenNotYetValidException => "The bearer token is not valid yet.",
        SecurityTokenInvalidIssuerException => "The bearer token was issued by an issuer this gateway does not trust.",
        SecurityTokenInvalidAudienceException => "The bearer token is meant for another audience than Control Tower.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
            "The bearer token's signature does not verify with the identity provider's keys.",
        SecurityTokenMalformedException => "The bearer token is not a well-formed JWT.",
        // A payload that is not JSON surfaces as an ArgumentException from the token reader.
        ArgumentException => "The bearer token is not a well-formed JWT.",
        _ => "The bearer token is not valid.",
    };
}
