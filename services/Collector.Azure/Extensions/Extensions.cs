using ControlTower.Collector.Azure.Apis;
using ControlTower.Collector.Ingestion;

namespace ControlTower.Collector.Azure.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddIngestion();
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName).ValidateOnStart();
        builder.AddControlTowerBus("collector-azure");
    }
}
