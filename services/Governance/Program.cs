using ControlTower.Governance.Apis;
using ControlTower.Governance.Extensions;

// `migrate`: apply the database migrations and exit (the Kubernetes migration job runs this).
if (MigrationCommand.IsRequested(args))
{
    return await MigrationCommand.RunAsync<ControlTower.Governance.Data.GovernanceDbContext>(args, ControlTower.Governance.Extensions.Extensions.DatabaseName);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseGatewayTrust();
app.MapObservedAccountsApi();
app.MapScpApi();
app.MapOrganizationApi();
app.MapAzureApi();
app.MapInventoryApi();
app.MapDriftApi();
app.MapPostureApi();
app.MapFindingsTrendApi();
app.MapBaselineApi();
app.MapSuppressionsApi();
app.MapOpenApiDocument("/api/governance");
app.MapControlsApi();
// Read now, so that a faulty baseline stops the start with its faults named rather than the first request.
app.Services.GetRequiredService<ControlTower.Governance.Baseline.BaselineProvider>();

app.Run();
return 0;

public partial class Program;
