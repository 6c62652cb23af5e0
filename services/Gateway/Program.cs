using ControlTower.Gateway.Aggregation;
using ControlTower.Gateway.Apis;
using ControlTower.Gateway.Audit;
using ControlTower.Gateway.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDevSignInMarker();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
// Outermost of the request's handling, so refused writes are recorded too.
app.UseAuditTrail();
// Before authentication: checking a signed request reads its body, which must already be bounded.
app.UseRequestLimits();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.MapSessionApi();
app.MapReferenceApi();
app.MapAdminKeysApi();
app.MapOverviewApi();
app.MapReverseProxy();

app.Run();

public partial class Program;
