using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Services behind the gateway accept a request only when it carries the internal token the gateway adds,
/// so nothing reaches them around the gateway's authentication. The gateway also names the caller it
/// authenticated in <see cref="SourceHeader"/>.
/// </summary>
public static class GatewayTrust
{
    public const string TokenHeader = "X-ControlTower-Internal-Token";
    public const string SourceHeader = "X-ControlTower-Source";
    public const string TokenConfigKey = "ControlTower:InternalToken";

    /// <summary>The scopes the gateway granted the caller (an API key's own, or those of a person's roles), space-separated.</summary>
    public const string ScopesHeader = "X-ControlTower-Scopes";

    /// <summary>The caller's address as the gateway saw it (after its own forwarded-headers handling).</summary>
    public const string ClientAddressHeader = "X-ControlTower-Client-Address";

    /// <summary>What kind of caller the gateway authenticated: <c>key</c> (a machine) or <c>user</c> (a person).</summary>
    public const string CallerKindHeader = "X-ControlTower-Caller-Kind";

    public static WebApplication UseGatewayTrust(this WebApplication app)
    {
        var token = app.Configuration[TokenConfigKey];
        if (string.IsNullOrEmpty(token))
        {
            throw new InvalidOperationException($"{TokenConfigKey} is not configured; this service only serves requests forwarded by the gateway.");
        }
        var expected = Encoding.UTF8.GetBytes(token);

        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (path.StartsWithSegments("/health") || path.StartsWithSegments("/alive") || IsTrusted(context, expected))
            {
                await next(context);
                return;
            }
            await Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Not forwarded by the gateway",
                detail: "This service accepts requests only through the Control Tower gateway; send it to the gateway with an API key.")
                .ExecuteAsync(context);
        });
        return app;
    }

    /// <summary>The name of the API key or user the gateway authenticated, or null.</summary>
    public static string? AuthenticatedSource(this HttpContext context) =>
        context.Request.Headers.TryGetValue(SourceHeader, out var value) && !string.IsNullOrEmpty(value) ? value.ToString() : null;

    /// <summary>The scopes the gateway granted the caller; empty when it named none.</summary>
    public static IReadOnlySet<string> AuthenticatedScopes(this HttpContext context) =>
        context.Request.Headers.TryGetValue(ScopesHeader, out var value) && !string.IsNullOrEmpty(value)
            ? value.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>();

    /// <summary>Whether the gateway granted the caller <paramref name="scope"/>.</summary>
    public static bool HasScope(this HttpContext context, string scope) => context.AuthenticatedScopes().Contains(scope);

    /// <summary>The caller's address as the gateway saw it, or null.</summary>
    public static string? ClientAddress(this HttpContext context) =>
        context.Request.Headers.TryGetValue(ClientAddressHeader, out var value) && !string.IsNullOrEmpty(value) ? value.ToString() : null;

    /// <summary><c>user</c> for a person, <c>key</c> for a machine, or null when the gateway did not say.</summary>
    public static string? CallerKind(this HttpContext context) =>
        context.Request.Headers.TryGetValue(CallerKindHeader, out var value) && !string.IsNullOrEmpty(value) ? value.ToString() : null;

    private static bool IsTrusted(HttpContext context, byte[] expected) =>
        context.Request.Headers.TryGetValue(TokenHeader, out var value)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(value.ToString()), expected);
}
