using System.Security.Claims;

namespace ControlTower.Web.Session;

/// <summary>
/// What the portal's session cookie holds about a person: their name and roles, the scopes the gateway granted them
/// (read from the gateway's <c>/api/me</c> at sign-in, so the portal shows exactly the actions the gateway will allow),
/// and the credential the portal presents to the gateway on their behalf. The cookie is encrypted with the portal's
/// data-protection keys; the credential never reaches the browser in readable form.
/// </summary>
public static class PortalClaims
{
    public const string AuthenticationType = "ControlTower.Portal";
    public const string Name = "name";
    public const string Role = "role";
    public const string Scope = "scope";

    /// <summary><see cref="CredentialKinds.Session"/> or <see cref="CredentialKinds.Bearer"/>.</summary>
    public const string CredentialKind = "ct:credential_kind";

    public const string Credential = "ct:credential";

    /// <summary>Present (value "true") when the session came from the Development sign-in.</summary>
    public const string DevSignIn = "ct:dev_signin";

    public static ClaimsPrincipal Principal(string name, IEnumerable<string> roles, IEnumerable<string> scopes,
        string credentialKind, string credential, bool devSignIn)
    {
        var claims = new List<Claim> { new(Name, name), new(CredentialKind, credentialKind), new(Credential, credential) };
        claims.AddRange(roles.Select(r => new Claim(Role, r)));
        claims.AddRange(scopes.Select(s => new Claim(Scope, s)));
        if (devSignIn)
        {
            claims.Add(new Claim(DevSignIn, "true"));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType, Name, Role));
    }
}

public static class CredentialKinds
{
    /// <summary>The gateway's own session cookie (the Development sign-in makes one).</summary>
    public const string Session = "session";

    /// <summary>An access token from the OIDC provider.</summary>
    public const string Bearer = "bearer";
}
