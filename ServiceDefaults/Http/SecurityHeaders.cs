using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Microsoft.AspNetCore.Builder;

/// <summary>What a response from one of the two doors people and scripts use is allowed to do in a browser.</summary>
public enum SecurityHeaderProfile
{
    /// <summary>The gateway: JSON answers (and the API reference page), never framed, never cached, no referrer sent on.</summary>
    Api,

    /// <summary>The portal: HTML that is never framed, whose base and plugins cannot be changed, in a window of its own.</summary>
    Portal,
}

/// <summary>
/// The response headers that keep a browser from misreading or embedding what the gateway and the portal answer, set on
/// every response, the proxied ones and the problems included. Scripts are not restricted by a <c>script-src</c>: the
/// portal's import map is an inline script that Blazor writes without a nonce (README, "Security").
/// </summary>
public static class SecurityHeaders
{
    public const string PermissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, SecurityHeaderProfile profile) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                Apply(context, profile);
                return Task.CompletedTask;
            });
            return next(context);
        });

    public static void Apply(HttpContext context, SecurityHeaderProfile profile)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Permissions-Policy"] = PermissionsPolicy;
        if (profile == SecurityHeaderProfile.Api)
        {
            headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            headers["Referrer-Policy"] = "no-referrer";
            // Answers hold an estate's activity and findings: no shared cache or browser keeps them, unless the
            // answer says otherwise itself.
            if (StringValues.IsNullOrEmpty(headers.CacheControl))
            {
                headers.CacheControl = "no-store";
            }
        }
        else
        {
            headers.ContentSecurityPolicy = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'";
            headers["Referrer-Policy"] = "same-origin";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
        }
        if (context.Request.IsHttps)
        {
            // Behind a TLS-terminating ingress the forwarded headers make the request HTTPS here too.
            headers.StrictTransportSecurity = "max-age=31536000";
        }
    }
}
