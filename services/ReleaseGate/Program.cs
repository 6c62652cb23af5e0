using ControlTower.ReleaseGate.Apis;
using ControlTower.ReleaseGate.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseGatewayTrust();
app.MapReleasesApi();

app.Run();

public partial class Program;
