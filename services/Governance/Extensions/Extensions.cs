using Microsoft.Extensions.DependencyInjection.Extensions;
using ControlTower.Governance.Apis;
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
        builder.Services.AddScoped<BaselineHistory>();
        builder.Services.AddScoped<SuppressionEnds>();
        builder.Services.AddHostedService<SuppressionSweep>();
        builder.Services.AddOptions<InventoryOptions>().BindConfiguration(InventoryOptions.Section)
            .Validate(o => o.MaxBytes > 0, "Governance:Inventory:MaxBytes is a positive number of bytes.")
            .ValidateOnStart();
        builder.Services.AddScoped<GuardrailFindings>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddControlTowerBus("governance", bus =>
        {
            bus.AddConsumer<CloudActivityBatchConsumer>();
            bus.AddConsumer<SignalResolvedConsumer>();
        });
        // What an HTTP request or a background job changes and announces leaves through the outbox, after the commit.
        builder.AddOutbox<IHostApplicationBuilder, GovernanceDbContext>();
        // After the migrations and the bus: it records the baseline file and announces what that changes.
        builder.Services.AddHostedService<BaselineStartup>();
        builder.Services.AddHealthChecks().AddCheck<BaselineHealthCheck>("baseline");
    }
}
