using ControlTower.Gateway.Authentication;
using ControlTower.Gateway.Data;
using ControlTower.Gateway.Keys;
using Microsoft.AspNetCore.DataProtection;
using Yarp.ReverseProxy.Transforms;

namespace ControlTower.Gateway.Extensions;

public static class Extensions
{
    public const string DatabaseName = "gatewaydb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiKeyOptions>()
            .BindConfiguration(ApiKeyOptions.SectionName)
            .Validate(o => o.Keys.All(k => k.Key.Length >= ApiKeyOptions.MinimumKeyLength),
                $"Every API key must be at least {ApiKeyOptions.MinimumKeyLength} characters long.")
            .Validate(o => o.Keys.All(k => k.Scopes.All(Scopes.All.Contains)),
                $"An API key names a scope that does not exist; scopes are: {string.Join(", ", Scopes.All)}.")
            .ValidateOnStart();
        builder.AddServiceDatabase<IHostApplicationBuilder, GatewayDbContext>(DatabaseName);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddMemoryCache();
        builder.Services.AddDataProtection()
            .SetApplicationName("ControlTower.Gateway")
            .PersistKeysToDbContext<GatewayDbContext>();
        builder.Services.AddSingleton<WebhookSignatures>();
        builder.Services.AddSingleton<ApiKeyStore>();
        // After the migration hosted service, so the table exists.
        builder.Services.AddHostedService<ApiKeyBootstrapper>();

        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(
                ApiKeyAuthenticationHandler.SchemeName, _ => { });
        var authorization = builder.Services.AddAuthorizationBuilder();
        foreach (var scope in Scopes.All)
        {
            authorization.AddScopePolicy(scope);
        }

        builder.Services.AddGatewayRateLimits(builder.Configuration);
        builder.Services.AddOptions<Aggregation.OverviewOptions>()
            .BindConfiguration(Aggregation.OverviewOptions.SectionName)
            .Validate(o => o.PartTimeoutSeconds is > 0 and <= 60, "Gateway:Overview:PartTimeoutSeconds is between 0 and 60.")
            .Validate(o => o.ActivityHours is >= 1 and <= 24 * 31, "Gateway:Overview:ActivityHours is between 1 and 744.")
            .ValidateOnStart();
        // No retries: a part has one deadline, and a retry after a failure would only spend it; the portal asks again.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental.
        builder.Services.AddHttpClient(Aggregation.Overview.ClientName).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        // The hosting log's "Request starting" line holds the whole URL, taken before any middleware runs: a key sent
        // in the query string would be in it. Its warnings and errors carry no URL and still show.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        var internalToken = builder.Configuration[GatewayTrust.TokenConfigKey]
            ?? throw new InvalidOperationException($"{GatewayTrust.TokenConfigKey} is not configured.");
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver()
            .AddTransforms(transforms => transforms.AddRequestTransform(context =>
            {
                // Services trust these headers, so only the gateway may set them, and keys never travel on.
                var headers = context.ProxyRequest.Headers;
                headers.Remove(GatewayTrust.TokenHeader);
                headers.Remove(GatewayTrust.SourceHeader);
                headers.Remove(ApiKeyAuthenticationHandler.HeaderName);
                headers.Authorization = null;
                headers.TryAddWithoutValidation(GatewayTrust.TokenHeader, internalToken);
                var source = context.HttpContext.User.Identity?.Name;
                if (source is not null)
                {
                    headers.TryAddWithoutValidation(GatewayTrust.SourceHeader, source);
                }
                return ValueTask.CompletedTask;
            }));
    }
}
