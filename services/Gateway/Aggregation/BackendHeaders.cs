using ControlTower.Gateway.Authentication;

namespace ControlTower.Gateway.Aggregation;

/// <summary>What the gateway tells a service about the caller when it asks on the caller's behalf.</summary>
public static class BackendHeaders
{
    public static void Apply(System.Net.Http.Headers.HttpRequestHeaders headers, HttpContext context, IConfiguration configuration)
    {
        headers.TryAddWithoutValidation(GatewayTrust.TokenHeader, configuration[GatewayTrust.TokenConfigKey]);
        if (context.User.Identity?.Name is { } name)
        {
            headers.TryAddWithoutValidation(GatewayTrust.SourceHeader, name);
        }
        headers.TryAddWithoutValidation(GatewayTrust.ScopesHeader, string.Join(' ', context.User.FindAll(Scopes.ClaimType).Select(c => c.Value)));
        headers.TryAddWithoutValidation(GatewayTrust.CallerKindHeader,
            context.User.Identity?.AuthenticationType == ApiKeyAuthenticationHandler.SchemeName ? "key" : "user");
        if (context.Connection.RemoteIpAddress is { } address)
        {
            headers.TryAddWithoutValidation(GatewayTrust.ClientAddressHeader, address.ToString());
        }
    }
}
