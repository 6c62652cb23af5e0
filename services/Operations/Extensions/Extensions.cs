using Microsoft.Extensions.DependencyInjection.Extensions;
using ControlTower.Operations.Activity;
using ControlTower.Operations.Alerts;
using ControlTower.Operations.Consumers;
using ControlTower.Operations.Data;

namespace ControlTower.Operations.Extensions;

public static class Extensions
{
    public const string DatabaseName = "operationsdb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<IHostApplicationBuilder, OperationsDbContext>(DatabaseName);
        builder.Services.AddScoped<ActivityStore>();
        builder.Services.AddOptions<ActivityOptions>().BindConfiguration(ActivityOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<ActivityPartitions>();
        builder.Services.AddHostedService<ActivityPartitionMaintainer>();
        builder.Services.AddScoped<AlertStore>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddControlTowerBus("operations", bus =>
        {
            bus.AddConsumer<CloudActivityBatchConsumer>();
            bus.AddConsumer<MonitorAlertBatchConsumer>();
        });
    }
}
