using ControlTower.Gateway.Authentication;
using ControlTower.Gateway.Data;
using ControlTower.Gateway.Keys;
using ControlTower.Gateway.OpenApi;
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
        // The gateway publishes only: audit entries, through its own outbox so a broker outage does not lose them.
        builder.AddControlTowerBus("gateway");
        builder.AddOutbox<IHostApplicationBuilder, GatewayDbContext>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddMemoryCache();
        builder.Services.AddDataProtection()
            .SetApplicationName("ControlTower.Gateway")
            .PersistKeysToDbContext<GatewayDbContext>();
        builder.Services.AddSingleton<WebhookSignatures>();
        builder.Services.AddSingleton<ApiKeyStore>();
        // After the migration hosted service, so the table exists.
        builder.Services.AddHostedService<ApiKeyBootstrapper>();

        builder.AddGatewayAuthentication();
        builder.Services.AddOptions<OpenApiSourceOptions>().BindConfiguration(OpenApiSourceOptions.SectionName)
            .Validate(o => o.TimeoutSeconds > 0 && o.CacheSeconds >= 0, "Gateway:OpenApi:TimeoutSeconds must be positive and CacheSeconds not negative.")
            .ValidateOnStart();
        builder.Services.AddHttpClient(OpenApiSources.HttpClientName);
        builder.Services.AddSingleton<OpenApiSources>();

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
                ForwardedIdentity.Apply(context.ProxyRequest.Headers, context.HttpContext, internalToken);
                return ValueTask.CompletedTask;
            }));
    }
}
