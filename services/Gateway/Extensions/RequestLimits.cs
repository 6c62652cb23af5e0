using Microsoft.AspNetCore.Http.Features;

namespace ControlTower.Gateway.Extensions;

/// <summary>
/// The gateway refuses an oversized body itself, before any of it is forwarded: a service that stops
/// reading half-way would otherwise leave the proxy with a broken upload to report as 502.
/// </summary>
public static class RequestLimits
{
    public const string ConfigKey = "Gateway:MaxRequestBodyBytes";
    public const long DefaultMaxRequestBodyBytes = 16 * 1024 * 1024;

    public static long MaxRequestBodyBytes(this IConfiguration configuration) =>
        configuration.GetValue(ConfigKey, DefaultMaxRequestBodyBytes);

    public static WebApplication UseRequestLimits(this WebApplication app)
    {
        var limit = app.Configuration.MaxRequestBodyBytes();
        app.Use(async (context, next) =>
        {
            if (context.Request.ContentLength > limit)
            {
                await TooLarge(context, limit);
                return;
            }
            // A chunked body is counted as it streams; Kestrel stops it at the limit.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limit;
            }
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
            {
                // A chunked body passed the limit while authentication read it for its signature.
                await TooLarge(context, limit);
                return;
            }
            // The proxy answers a body cut off at the limit with a bare 413; say which limit.
            if (context.Response.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
            {
                await TooLarge(context, limit);
            }
        });
        return app;
    }

    private static Task TooLarge(HttpContext context, long limit)
    {
        context.Response.Clear();
        return Results.Problem(
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "Payload too large",
            detail: $"The request body exceeds the gateway's limit of {limit} bytes; split it into smaller requests.",
            type: "urn:controltower:problem:payload-too-large",
            extensions: new Dictionary<string, object?> { ["limit"] = limit })
            .ExecuteAsync(context);
    }
}
