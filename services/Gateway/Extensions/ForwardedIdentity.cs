using System.Net.Http.Headers;
using ControlTower.Gateway.Authentication;

namespace ControlTower.Gateway.Extensions;

/// <summary>
/// What the services learn about a caller, and only from the gateway: the internal token, the caller's name, its scopes,
/// its kind (<c>user</c> or <c>key</c>) and its address. Whatever a client sent under those names (every
/// <c>X-ControlTower-*</c> header but the reason it may give) is dropped first, and keys, tokens and cookies never travel on.
/// </summary>
public static class ForwardedIdentity
{
    public const string ReasonHeader = "X-ControlTower-Reason";
    private const string GatewayHeaderPrefix = "X-ControlTower-";

    public static void Apply(HttpRequestHeaders headers, HttpContext context, string internalToken)
    {
        foreach (var header in headers.Select(h => h.Key).ToList())
        {
            if (header.StartsWith(GatewayHeaderPrefix, StringComparison.OrdinalIgnoreCase) && !string.Equals(header, ReasonHeader, StringComparison.OrdinalIgnoreCase))
            {
                headers.Remove(header);
            }
        }
        headers.Remove(ApiKeyAuthenticationHandler.HeaderName);
        headers.Remove("Cookie");
        headers.Authorization = null;

        headers.TryAddWithoutValidation(GatewayTrust.TokenHeader, internalToken);
        var user = context.User;
        if (user.Identity is { IsAuthenticated: true, Name: { } name })
        {
            headers.TryAddWithoutValidation(GatewayTrust.SourceHeader, name);
            headers.TryAddWithoutValidation(GatewayTrust.ScopesHeader,
                string.Join(' ', user.FindAll(Scopes.ClaimType).Select(c => c.Value).Distinct().Order(StringComparer.Ordinal)));
            if (CallerKinds.Of(user) is { } kind)
            {
                headers.TryAddWithoutValidation(GatewayTrust.CallerKindHeader, kind);
            }
        }
        if (context.Connection.RemoteIpAddress is { } address)
        {
            headers.TryAddWithoutValidation(GatewayTrust.ClientAddressHeader, address.ToString());
        }
    }
}
