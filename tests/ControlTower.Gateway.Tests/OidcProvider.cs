using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ControlTower.Gateway.Tests;

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

    private OidcProvider(WebApplication app, RSA rsa, string address)
    {
        this.app = app;
        this.rsa = rsa;
        Issuer = address;
    }

    /// <summary>The issuer, which is also the authority the gateway discovers the provider at.</summary>
    public string Issuer { get; }

    public SecurityKey SigningKey => new RsaSecurityKey(rsa) { KeyId = KeyId };

    public static async Task<OidcProvider> StartAsync()
    {
        var rsa = RSA.Create(2048);
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
        await app.StartAsync();
        var address = app.Urls.Single().TrimEnd('/');
        return new OidcProvider(app, rsa, address);
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

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        rsa.Dispose();
    }
}
