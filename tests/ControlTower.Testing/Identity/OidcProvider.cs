using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ControlTower.Testing.Identity;

/// <summary>
/// A tiny OIDC provider on loopback: its discovery document and JWKS (a generated RSA key) are served over HTTP as a real
/// provider serves them, and it issues tokens signed with that key (or, to test refusals, with another one).
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    public const string ClientId = "control-tower-tests";
    public const string KeyId = "test-signing-key";

    private readonly WebApplication app;
    private readonly RSA rsa;

    private OidcProvider(WebApplication app, RSA rsa, string address, Grants grants)
    {
        this.app = app;
        this.rsa = rsa;
        Issuer = address;
        this.grants = grants;
    }

    private readonly Grants grants;

    /// <summary>Who signs in at the next <c>/authorize</c>: the provider's own login page, reduced to a setting.</summary>
    public (string Name, string[] Roles) NextSignIn
    {
        get => grants.Next;
        set => grants.Next = value;
    }

    /// <summary>The issuer, which is also the authority the gateway discovers the provider at.</summary>
    public string Issuer { get; }

    public SecurityKey SigningKey => new RsaSecurityKey(rsa) { KeyId = KeyId };

    public static async Task<OidcProvider> StartAsync()
    {
        var rsa = RSA.Create(2048);
        var grants = new Grants();
        OidcProvider? provider = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        string Issuer(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}";
        app.MapGet("/.well-known/openid-configuration", (HttpContext context) => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer(context),
            ["authorization_endpoint"] = Issuer(context) + "/authorize",
            ["token_endpoint"] = Issuer(context) + "/token",
            ["end_session_endpoint"] = Issuer(context) + "/logout",
            ["jwks_uri"] = Issuer(context) + "/jwks",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
        }));
        app.MapGet("/jwks", () =>
        {
            var parameters = rsa.ExportParameters(false);
            return Results.Json(new
            {
                keys = new[]
                {
                    new { kty = "RSA", use = "sig", alg = "RS256", kid = KeyId, n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) },
                },
            });
        });
        // The authorization code flow with PKCE: /authorize signs NextSignIn in at once and sends the browser back with a
        // code; /token redeems it (checking the client, the redirect URI and the code verifier) for an ID token and an access token.
        app.MapGet("/authorize", (HttpContext context) =>
        {
            var query = context.Request.Query;
            if (query["client_id"] != ClientId || query["response_type"] != "code" || query["code_challenge_method"] != "S256")
            {
                return Results.BadRequest("invalid_request");
            }
            var code = Guid.NewGuid().ToString("N");
            grants.Codes[code] = new Grant(grants.Next.Name, grants.Next.Roles, query["nonce"].ToString(), query["code_challenge"].ToString(),
                query["redirect_uri"].ToString());
            return Results.Redirect($"{query["redirect_uri"]}?code={code}&state={Uri.EscapeDataString(query["state"].ToString())}");
        });
        app.MapPost("/token", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            if (form["grant_type"] != "authorization_code" || !grants.Codes.TryRemove(form["code"].ToString(), out var grant)
                || form["redirect_uri"] != grant.RedirectUri || form["client_id"] != ClientId
                || Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) != grant.CodeChallenge)
            {
                return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
            }
            var idToken = provider!.Issue(grant.Name, grant.Roles, extraClaims: [new Claim("nonce", grant.Nonce)]);
            return Results.Json(new Dictionary<string, object>
            {
                ["access_token"] = provider.Issue(grant.Name, grant.Roles),
                ["id_token"] = idToken,
                ["token_type"] = "Bearer",
                ["expires_in"] = 1800,
            });
        });
        await app.StartAsync();
        var address = app.Urls.Single().TrimEnd('/');
        provider = new OidcProvider(app, rsa, address, grants);
        return provider;
    }

    /// <summary>An access token for <paramref name="name"/> with these roles, as the provider would issue it; each part can be made wrong.</summary>
    public string Issue(string name, IEnumerable<string> roles, string? audience = null, string? issuer = null, DateTime? expires = null,
        SecurityKey? signWith = null, IEnumerable<Claim>? extraClaims = null)
    {
        var claims = new List<Claim> { new("sub", "sub-" + name), new("preferred_username", name) };
        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        claims.AddRange(extraClaims ?? []);
        var expiry = expires ?? DateTime.UtcNow.AddMinutes(30);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience ?? ClientId,
            Subject = new ClaimsIdentity(claims),
            NotBefore = expiry.AddHours(-2),
            IssuedAt = expiry.AddHours(-2),
            Expires = expiry,
            SigningCredentials = new SigningCredentials(signWith ?? SigningKey, SecurityAlgorithms.RsaSha256),
        });
    }

    private sealed record Grant(string Name, string[] Roles, string Nonce, string CodeChallenge, string RedirectUri);

    private sealed class Grants
    {
        public (string Name, string[] Roles) Next { get; set; } = ("someone", ["Viewer"]);

        public System.Collections.Concurrent.ConcurrentDictionary<string, Grant> Codes { get; } = new();
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        rsa.Dispose();
    }
}
