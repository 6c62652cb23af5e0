namespace ControlTower.Web.Session;

/// <summary>
/// The OIDC provider people sign in with: the same section the gateway reads (<c>Authentication:Oidc</c>), so the
/// portal and the gateway trust one provider. The portal signs the person in through the code flow and forwards their
/// access token to the gateway, which checks it as it checks any bearer token. Off while <see cref="Authority"/> is empty.
/// </summary>
public sealed class PortalOidcOptions
{
    public const string SectionName = "Authentication:Oidc";

    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>The claim holding the person's roles (Entra app roles arrive in <c>roles</c>).</summary>
    public string RoleClaimType { get; set; } = "roles";

    public string NameClaimType { get; set; } = "preferred_username";

    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Extra scopes to ask for besides <c>openid profile</c>, e.g. the gateway API's scope so the access token names it as audience.</summary>
    public List<string> Scopes { get; set; } = [];

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}
