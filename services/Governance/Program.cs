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

app.Run();

public partial class Program;
