using Microsoft.Extensions.Options;

namespace ControlTower.DemoSource.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DemoSourceOptions>()
            .BindConfiguration(DemoSourceOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DemoSourceOptions>, DemoSourceOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DemoSeeds>();
        builder.Services.AddHttpClient<DemoGateway>(DemoGateway.ClientName, client => client.BaseAddress = new Uri("http://gateway"));

        builder.Services.AddHostedService<CloudTrailPusher>();
        builder.Services.AddHostedService<OrganizationFeed>();
        builder.Services.AddHostedService<AzureActivityFeed>();
        builder.Services.AddHostedService<AzureAlertFeed>();
        builder.Services.AddHostedService<ReleaseFeed>();
        return builder;
    }
}
