using Microsoft.AspNetCore.DataProtection;
using ControlTower.Gateway.Aggregation;
using ControlTower.Gateway.Apis;
using ControlTower.Gateway.Audit;
using ControlTower.Gateway.Extensions;

// `migrate`: apply the database migrations and exit (the Kubernetes migration job runs this).
if (MigrationCommand.IsRequested(args))
{
    return await MigrationCommand.RunAsync<ControlTower.Gateway.Data.GatewayDbContext>(args, ControlTower.Gateway.Extensions.Extensions.DatabaseName,
        builder => builder.Services.AddDataProtection().PersistKeysToDbContext<ControlTower.Gateway.Data.GatewayDbContext>(),
        MigrationCommand.EnsureDataProtectionKeyAsync);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseSecurityHeaders(SecurityHeaderProfile.Api);
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
return 0;

public partial class Program;
