using Microsoft.AspNetCore.DataProtection;
using ControlTower.Web.Components;
using ControlTower.Web.Exports;
using ControlTower.Web.Extensions;
using ControlTower.Web.Session;

// `migrate`: apply the database migrations and exit (the Kubernetes migration job runs this).
if (MigrationCommand.IsRequested(args))
{
    return await MigrationCommand.RunAsync<ControlTower.Web.Data.PortalDbContext>(args, ControlTower.Web.Data.PortalDbContext.ConnectionName,
        builder => builder.Services.AddDataProtection().PersistKeysToDbContext<ControlTower.Web.Data.PortalDbContext>(),
        MigrationCommand.EnsureDataProtectionKeyAsync);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseSecurityHeaders(SecurityHeaderProfile.Portal);
app.UseExceptionHandler("/error", createScopeForErrors: true);
app.UseStatusCodePagesWithReExecute("/not-found");
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.MapStaticAssets();
app.MapPortalSession();
app.MapActivityExport();
app.MapAuditExport();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
return 0;

public partial class Program;
