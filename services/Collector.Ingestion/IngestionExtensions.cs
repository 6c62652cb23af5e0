using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Collector.Ingestion;

public static class IngestionExtensions
{
    /// <summary>The ingestion pipeline, its limits (<c>Ingestion</c> section) and the confirmed batch publisher.</summary>
    public static IHostApplicationBuilder AddIngestion(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestionOptions>()
            .BindConfiguration(IngestionOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<BatchPublisher>();
        builder.Services.AddPublishObserver<RefusedPublishes>();
        builder.Services.AddSingleton<RecentKeys>();
        builder.Services.AddSingleton<IngestionPipeline>();
        return builder;
    }
}
