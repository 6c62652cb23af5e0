using Microsoft.Extensions.DependencyInjection.Extensions;
using ControlTower.Operations.Activity;
using ControlTower.Operations.Alerts;
using ControlTower.Operations.Consumers;
using ControlTower.Operations.Data;
using ControlTower.Operations.Incidents;
using ControlTower.Operations.Signals;
using ControlTower.Operations.DeadLetters;

namespace ControlTower.Operations.Extensions;

public static class Extensions
{
    public const string DatabaseName = "operationsdb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<IHostApplicationBuilder, OperationsDbContext>(DatabaseName);
        builder.AddOutbox<IHostApplicationBuilder, OperationsDbContext>();
        // The periodic jobs that must run on one replica at a time (the dead-letter monitor, the signal sweep) lead through it.
        builder.AddSingletonJobs(DatabaseName);
        builder.Services.AddScoped<ActivityStore>();
        builder.Services.AddOptions<ActivityOptions>().BindConfiguration(ActivityOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<ActivityPartitions>();
        builder.Services.AddHostedService<ActivityPartitionMaintainer>();
        builder.Services.AddScoped<AlertStore>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddSignals();
        builder.AddControlTowerBus("operations", bus =>
        {
            bus.AddConsumer<CloudActivityBatchConsumer>();
            bus.AddConsumer<MonitorAlertBatchConsumer>();
            bus.AddSignalConsumers();
        });
        builder.AddDeadLetters();
    }

    private static void AddSignals(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SignalsOptions>().BindConfiguration(SignalsOptions.Section)
            .Validate(o => o.MaxSuppression > TimeSpan.Zero && o.MaxSnooze > TimeSpan.Zero && o.SweepInterval > TimeSpan.Zero
                    && o.SweepInterval <= TimeSpan.FromDays(45),
                "Signals: MaxSuppression and MaxSnooze must be positive, SweepInterval between zero and 45 days.")
            .Validate(o => o.MaxBulkItems > 0 && o.FailedLoginThreshold > 0 && o.FailedLoginWindow > TimeSpan.Zero && o.IncidentWindow > TimeSpan.Zero,
                "Signals: MaxBulkItems, FailedLoginThreshold, FailedLoginWindow and IncidentWindow must be positive.")
            .Validate(o => o.IncidentKeys.All(k => SignalsOptions.KnownIncidentKeys.Contains(k)),
                "Signals:IncidentKeys are account, kind, provider, environment, team or severity.")
            .ValidateOnStart();
        builder.Services.AddScoped<SignalIngestor>();
        builder.Services.AddScoped<NotableActivitySignals>();
        builder.Services.AddScoped<IncidentGrouping>();
        builder.Services.AddScoped<TriageService>();
        builder.Services.AddScoped<SignalSweeper>();
        builder.Services.AddHostedService<SignalSweepService>();
    }

    private static void AddSignalConsumers(this MassTransit.IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<DriftDetectedConsumer>();
        bus.AddConsumer<DriftResolvedConsumer>();
        bus.AddConsumer<GuardrailViolatedConsumer>();
        bus.AddConsumer<GuardrailResolvedConsumer>();
        bus.AddConsumer<ReleaseVerdictIssuedConsumer>();
        bus.AddConsumer<DeadLettersObservedConsumer>();
        bus.AddConsumer<AccountDirectoryPublishedConsumer>();
        bus.AddConsumer<AuditRecordedConsumer>();
    }
}
