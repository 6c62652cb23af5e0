using Microsoft.Extensions.DependencyInjection.Extensions;
using ControlTower.Governance.Baseline;
using ControlTower.Governance.Consumers;
using ControlTower.Governance.Data;
using ControlTower.Governance.Findings;
using ControlTower.Governance.Observed;

namespace ControlTower.Governance.Extensions;

public static class Extensions
{
    public const string DatabaseName = "governancedb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<IHostApplicationBuilder, GovernanceDbContext>(DatabaseName);
        builder.Services.AddScoped<ObservedOrganizationStore>();
        builder.Services.AddSingleton<BaselineProvider>();
        builder.Services.AddScoped<DriftFindings>();
        builder.Services.AddScoped<GuardrailFindings>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddControlTowerBus("governance", bus => bus.AddConsumer<CloudActivityBatchConsumer>());
    }
}
