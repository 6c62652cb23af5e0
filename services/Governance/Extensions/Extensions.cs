using ControlTower.Governance.Consumers;
using ControlTower.Governance.Data;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Governance.Extensions;

public static class Extensions
{
    public const string DatabaseName = "governancedb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<GovernanceDbContext>(DatabaseName,
            configureDbContextOptions: options => options.UseSnakeCaseNamingConvention());
        builder.AddMigrationOnStartup<IHostApplicationBuilder, GovernanceDbContext>();
        builder.AddControlTowerBus("governance", bus => bus.AddConsumer<CloudActivityBatchConsumer>());
    }
}
