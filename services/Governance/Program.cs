using ControlTower.Governance.Apis;
using ControlTower.Governance.Extensions;

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

public partial class Program;
