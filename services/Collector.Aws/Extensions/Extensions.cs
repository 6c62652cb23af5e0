using ControlTower.Collector.Aws.Ingestion;

namespace ControlTower.Collector.Aws.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestionOptions>()
            .BindConfiguration(IngestionOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<BatchPublisher>();
        builder.Services.AddSingleton<IngestionPipeline>();
        builder.AddControlTowerBus("collector-aws");
    }
}
