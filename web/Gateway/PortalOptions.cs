using System.ComponentModel.DataAnnotations;

namespace ControlTower.Web.Gateway;

public sealed class PortalOptions
{
    public const string SectionName = "Portal";

    /// <summary>
    /// The portal's own gateway API key (read scopes). REVIEW: once operators sign in with OIDC (issue #7),
    /// the portal forwards the operator's token instead.
    /// </summary>
    [Required, MinLength(24)]
    public string ApiKey { get; set; } = "";
}
