using ControlTower.Collector.Aws.Apis;
using ControlTower.Collector.Aws.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseGatewayTrust();
app.MapCloudTrailApi();

app.Run();

public partial class Program;
