using ControlTower.Operations.Activity;
using ControlTower.Operations.Consumers;
using ControlTower.Operations.Data;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Operations.Extensions;

public static class Extensions
{
    public const string DatabaseName = "operationsdb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<OperationsDbContext>(DatabaseName,
            configureDbContextOptions: options => options.UseSnakeCaseNamingConvention());
        builder.AddMigrationOnStartup<IHostApplicationBuilder, OperationsDbContext>();
        builder.Services.AddScoped<ActivityStore>();
        builder.AddControlTowerBus("operations", bus => bus.AddConsumer<CloudActivityBatchConsumer>());
    }
}
