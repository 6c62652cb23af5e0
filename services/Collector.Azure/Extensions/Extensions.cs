using ControlTower.Collector.Azure.Apis;
using ControlTower.Collector.Azure.EventHubs;
using ControlTower.Collector.Ingestion;

namespace ControlTower.Collector.Azure.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddIngestion();
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName).ValidateOnStart();
        builder.AddControlTowerBus("collector-azure");
        builder.AddEventHubsConsumer();
    }

    /// <summary>The Event Hubs consumer runs only where a hub is configured (<c>EventHubs:ConnectionString</c>).</summary>
    private static void AddEventHubsConsumer(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EventHubsOptions>().BindConfiguration(EventHubsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ActivityLogEventBatches>();
        var settings = builder.Configuration.GetSection(EventHubsOptions.SectionName).Get<EventHubsOptions>();
        if (settings?.Enabled != true)
        {
            return;
        }
        builder.Services.AddHostedService<EventHubsConsumer>();
    }
}
