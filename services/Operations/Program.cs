using ControlTower.Operations.Apis;
using ControlTower.Operations.Extensions;

// `migrate`: apply the database migrations and exit (the Kubernetes migration job runs this).
if (MigrationCommand.IsRequested(args))
{
    return await MigrationCommand.RunAsync<ControlTower.Operations.Data.OperationsDbContext>(args, ControlTower.Operations.Extensions.Extensions.DatabaseName);
}

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
return 0;

public partial class Program;
