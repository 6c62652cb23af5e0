using ControlTower.Operations.Apis;
using ControlTower.Operations.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseGatewayTrust();
app.MapActivityApi();
app.MapAlertsApi();
app.MapOpenApiDocument("/api/signals");
app.MapSignalSummaryApi();
app.MapSignalsApi();
app.MapIncidentsApi();
app.MapSuppressionsApi();
app.MapAuditApi();
app.MapDeadLettersApi();

app.Run();

public partial class Program;
