namespace ControlTower.Gateway.Authentication;

/// <summary>
/// The OIDC provider people sign in with (Microsoft Entra ID or any other): the browser through the OpenID Connect
/// code flow into a cookie session, API callers with bearer tokens from the same provider. Off while
/// <see cref="Authority"/> is empty. <see cref="ClientSecret"/> comes from user secrets or the environment, never a file
/// in the repository.
/// </summary>
public sealed class OidcOptions
{
    public const string SectionName = "Authentication:Oidc";

    /// <summary>The issuer, e.g. <c>https://login.microsoftonline.com/{tenant}/v2.0</c>; its discovery document is read from there.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>The audience bearer tokens must name; the client id when empty (Entra: also <c>api://{clientId}</c>).</summary>
    public string? Audience { get; set; }

    /// <summary>The claim holding the person's roles (Entra app roles arrive in <c>roles</c>).</summary>
    public string RoleClaimType { get; set; } = "roles";

    /// <summary>The claim naming the person (Entra and most providers: <c>preferred_username</c>; else <c>name</c>, <c>email</c>, <c>sub</c>).</summary>
    public string NameClaimType { get; set; } = "preferred_username";

    /// <summary>Discovery over plain HTTP is refused unless this is false (a provider on loopback in tests).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Extra scopes the browser sign-in asks for besides <c>openid profile</c>.</summary>
    public List<string> Scopes { get; set; } = [];

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    public IEnumerable<string> Audiences()
    {
        if (!string.IsNullOrWhiteSpace(Audience))
        {
            yield return Audience;
        }
        if (!string.IsNullOrWhiteSpace(ClientId))
        {
            yield return ClientId;
            yield return "api://" + ClientId;
        }
    }
}
