using ControlTower.ReleaseGate.Data;

namespace ControlTower.ReleaseGate.Extensions;

public static class Extensions
{
    public const string DatabaseName = "releasegatedb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<IHostApplicationBuilder, ReleaseGateDbContext>(DatabaseName);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddControlTowerBus("releasegate");
    }
}
