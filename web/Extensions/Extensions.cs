using ControlTower.Web.Gateway;

namespace ControlTower.Web.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddOptions<PortalOptions>()
            .BindConfiguration(PortalOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHttpClient<GatewayClient>(client => client.BaseAddress = new Uri("http://gateway"));
    }
}
