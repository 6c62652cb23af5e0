using ControlTower.ReleaseGate.Apis;
using ControlTower.ReleaseGate.Extensions;

// `migrate`: apply the database migrations and exit (the Kubernetes migration job runs this).
if (MigrationCommand.IsRequested(args))
{
    return await MigrationCommand.RunAsync<ControlTower.ReleaseGate.Data.ReleaseGateDbContext>(args, ControlTower.ReleaseGate.Extensions.Extensions.DatabaseName);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseGatewayTrust();
app.MapReleasesApi();
app.MapEvidenceApi();
app.MapEvaluationsApi();
app.MapPortalApi();
app.MapOpenApiDocument("/api/releases");
// Read now, so that a faulty policy stops the start with its faults named rather than the first evaluation.
app.Services.GetRequiredService<ControlTower.ReleaseGate.Policies.GatePolicies>();

app.Run();
return 0;

public partial class Program;
