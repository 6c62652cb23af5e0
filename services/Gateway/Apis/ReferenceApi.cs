using ControlTower.Gateway.OpenApi;
using Scalar.AspNetCore;

namespace ControlTower.Gateway.Apis;

/// <summary>The public surface described: <c>/openapi/v1.json</c> (the gateway's and every service's routes in one document) and a browsable reference at <c>/reference</c>.</summary>
public static class ReferenceApi
{
    public const string DocumentPath = "/openapi/v1.json";

    public static WebApplication MapReferenceApi(this WebApplication app)
    {
        app.MapGet(DocumentPath, async (OpenApiSources sources, CancellationToken cancellationToken) =>
                TypedResults.Text((await sources.MergedAsync(cancellationToken)).ToJsonString(), "application/json"))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapScalarApiReference("/reference", options => options
                .WithTitle("Control Tower API")
                .WithOpenApiRoutePattern(DocumentPath))
            .AllowAnonymous();
        return app;
    }
}
