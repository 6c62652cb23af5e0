using ControlTower.ReleaseGate.Data;
using ControlTower.ReleaseGate.Policies;
using Microsoft.Extensions.Options;

namespace ControlTower.ReleaseGate.Extensions;

public static class Extensions
{
    public const string DatabaseName = "releasegatedb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<IHostApplicationBuilder, ReleaseGateDbContext>(DatabaseName);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddControlTowerBus("releasegate", bus => bus.AddConsumer<GovernanceFeed.GovernanceFindingsConsumer>());
        // Verdicts are announced through the outbox: only once they are stored, and even if the broker is away.
        builder.AddOutbox<IHostApplicationBuilder, ReleaseGateDbContext>();
        builder.Services.AddOptions<GatePolicyOptions>().BindConfiguration(GatePolicyOptions.Section);
        builder.Services.AddOptions<DeploymentTruth.TruthSourceOptions>().BindConfiguration(DeploymentTruth.TruthSourceOptions.Section)
            .Validate(o => o.Sources.All(s => s.Replicas.All(r => r.Name.Length > 0 && r.Url is { IsAbsoluteUri: true, Scheme: "http" or "https" })),
                "Every ReleaseGate:Truth:Sources replica has a Name and an absolute http(s) Url.")
            .ValidateOnStart();
        builder.Services.AddSingleton<DeploymentTruth.TruthGatherer>();
        builder.Services.AddSingleton(services => GatePolicies.Load(services.GetRequiredService<IOptions<GatePolicyOptions>>().Value.PoliciesPath));
    }
}
