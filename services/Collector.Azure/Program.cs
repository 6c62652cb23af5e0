using ControlTower.Collector.Azure.Apis;
using ControlTower.Collector.Azure.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseGatewayTrust();
app.MapAzureIngestionApi();
app.MapOpenApiDocument("/ingest/azure");

app.Run();

public partial class Program;
