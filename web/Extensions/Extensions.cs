using ControlTower.Web.Components.Shared;
using ControlTower.Web.Data;
using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.FluentUI.AspNetCore.Components;

namespace ControlTower.Web.Extensions;

public static class Extensions
{
    /// <summary>How long the portal waits for the gateway before it tells the person it did not answer.</summary>
    public static readonly TimeSpan GatewayTimeout = TimeSpan.FromSeconds(30);

    public const long MaximumCircuitMessageBytes = 1024 * 1024;

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        // The state a prerender hands to the circuit (a page of activity, the landing zone's trees) comes back from the
        // browser in the circuit's first message; SignalR's default 32 KB limit made a full activity page's circuit fail
        // to start. 1 MB bounds what a browser may send while fitting every page's state.
        builder.Services.AddServerSideBlazor().AddHubOptions(o => o.MaximumReceiveMessageSize = MaximumCircuitMessageBytes);
        builder.Services.AddFluentUIComponents();
        builder.AddPortalDataProtection();
        builder.AddPortalAuthentication();
        builder.Services.AddScoped<DisplayPreferences>();

        // Reads may be retried by the person (and are, by the live refresh); writes must never be sent twice, so the
        // portal's client has no retry handler at all, only a deadline.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental.
        builder.Services.AddHttpClient<GatewayClient>(client =>
            {
                client.BaseAddress = GatewayClient.BaseAddress;
                client.Timeout = GatewayTimeout;
            })
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }

    /// <summary>
    /// Where the keys that encrypt the sign-in cookie live. With <c>ConnectionStrings:portaldb</c> (always in a cluster, and
    /// under the AppHost) they are in PostgreSQL, shared by every replica; without it (the portal run alone on one machine)
    /// in the user's profile, as ASP.NET Core does by default.
    /// </summary>
    private static void AddPortalDataProtection(this IHostApplicationBuilder builder)
    {
        var protection = builder.Services.AddDataProtection().SetApplicationName("ControlTower.Portal");
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(PortalDbContext.ConnectionName)))
        {
            builder.AddServiceDatabase<IHostApplicationBuilder, PortalDbContext>(PortalDbContext.ConnectionName);
            protection.PersistKeysToDbContext<PortalDbContext>();
        }
    }
}
