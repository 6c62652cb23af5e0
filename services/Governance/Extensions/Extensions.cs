using ControlTower.Governance.Consumers;
using ControlTower.Governance.Data;

namespace ControlTower.Governance.Extensions;

public static class Extensions
{
    public const string DatabaseName = "governancedb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<IHostApplicationBuilder, GovernanceDbContext>(DatabaseName);
        builder.AddControlTowerBus("governance", bus => bus.AddConsumer<CloudActivityBatchConsumer>());
    }
}
