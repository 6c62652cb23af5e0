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
app.MapEvidenceApi();
app.MapEvaluationsApi();
app.MapPortalApi();
app.MapOpenApiDocument("/api/releases");
// Read now, so that a faulty policy stops the start with its faults named rather than the first evaluation.
app.Services.GetRequiredService<ControlTower.ReleaseGate.Policies.GatePolicies>();

app.Run();

public partial class Program;
