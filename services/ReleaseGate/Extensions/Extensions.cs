using ControlTower.ReleaseGate.Data;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.ReleaseGate.Extensions;

public static class Extensions
{
    public const string DatabaseName = "releasegatedb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<ReleaseGateDbContext>(DatabaseName,
            configureDbContextOptions: options => options.UseSnakeCaseNamingConvention());
        builder.AddMigrationOnStartup<IHostApplicationBuilder, ReleaseGateDbContext>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddControlTowerBus("releasegate");
    }
}
