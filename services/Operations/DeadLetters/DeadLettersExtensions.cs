using Microsoft.Extensions.Options;

namespace ControlTower.Operations.DeadLetters;

public static class DeadLettersExtensions
{
    /// <summary>The error-queue monitor and what the admin API reads and moves messages with (<c>Operations:DeadLetters</c>).</summary>
    public static void AddDeadLetters(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DeadLettersOptions>().BindConfiguration(DeadLettersOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHttpClient(DeadLetterBroker.ManagementClient).ConfigureHttpClient((services, client) =>
            DeadLetterBroker.ConfigureManagementClient(client, builder.Configuration, services.GetRequiredService<IOptions<DeadLettersOptions>>().Value));
        builder.Services.AddSingleton<DeadLetterBroker>();
        builder.Services.AddHostedService<DeadLetterMonitor>();
    }
}
