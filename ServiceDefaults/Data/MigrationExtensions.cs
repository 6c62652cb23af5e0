using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Who brings a service's database schema up to date. When <c>ControlTower:MigrateOnStartup</c> is true (unset: in
/// Development), the service applies its EF Core migrations itself when it starts. Elsewhere (a cluster with several
/// replicas) the service's <c>migrate</c> command does it, run once per release as a job
/// (<see cref="MigrationCommand"/>), and each replica waits at start until the schema is current: it never runs
/// against a schema older than its code, whichever of the job and the replicas starts first. Either way the hosted
/// service is registered before the bus, so nothing is consumed before the schema is in place, and a
/// <c>migrations</c> health check keeps the service unready until then.
/// </summary>
public static class MigrationExtensions
{
    public const string MigrateOnStartupKey = "ControlTower:MigrateOnStartup";

    public static TBuilder AddMigrationOnStartup<TBuilder, TContext>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
        where TContext : DbContext
    {
        // Set either way, the setting wins; unset, only Development migrates itself.
        var migrate = builder.Configuration.GetValue<bool?>(MigrateOnStartupKey) ?? builder.Environment.IsDevelopment();
        builder.Services.AddSingleton<MigrationState<TContext>>();
        if (migrate)
        {
            builder.Services.AddHostedService<MigrationHostedService<TContext>>();
        }
        else
        {
            builder.Services.AddHostedService<SchemaWaitHostedService<TContext>>();
        }
        builder.Services.AddHealthChecks().AddCheck<MigrationHealthCheck<TContext>>("migrations");
        return builder;
    }

    /// <summary>Applies every pending migration, one at a time with a log line each, since a big table's rewrite takes as long as its data.</summary>
    public static async Task<int> ApplyPendingMigrationsAsync(this DbContext context, ILogger logger, CancellationToken cancellationToken)
    {
        var name = context.GetType().Name;
        var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        logger.LogInformation("Applying {Count} migration(s) to {Context}", pending.Count, name);
        // A migration that rewrites a big table (Operations' move of activity to daily partitions copies every row)
        // takes as long as the data does: no command timeout.
        context.Database.SetCommandTimeout(0);
        var migrator = context.GetService<IMigrator>();
        for (var i = 0; i < pending.Count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            logger.LogInformation("Migration {Index}/{Count} of {Context}: {Migration}…", i + 1, pending.Count, name, pending[i]);
            await migrator.MigrateAsync(pending[i], cancellationToken);
            logger.LogInformation("Migration {Migration} applied in {Seconds:0.0} s", pending[i], Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        return pending.Count;
    }

    internal sealed class MigrationState<TContext>
    {
        public volatile bool Applied;
    }

    internal sealed class MigrationHostedService<TContext>(
        IServiceProvider services,
        MigrationState<TContext> state,
        ILogger<MigrationHostedService<TContext>> logger) : IHostedService where TContext : DbContext
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<TContext>().ApplyPendingMigrationsAsync(logger, cancellationToken);
            state.Applied = true;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Holds the service's start until the schema has every migration its code knows, asking again every few seconds.</summary>
    internal sealed class SchemaWaitHostedService<TContext>(
        IServiceProvider services,
        MigrationState<TContext> state,
        IConfiguration configuration,
        ILogger<SchemaWaitHostedService<TContext>> logger) : IHostedService where TContext : DbContext
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var interval = TimeSpan.FromSeconds(Math.Max(0.1, configuration.GetValue("ControlTower:SchemaWaitSeconds", 5.0)));
            var waited = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    await using var scope = services.CreateAsyncScope();
                    var pending = (await scope.ServiceProvider.GetRequiredService<TContext>().Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
                    if (pending.Count == 0)
                    {
                        logger.LogInformation("The {Context} schema is current", typeof(TContext).Name);
                        state.Applied = true;
                        return;
                    }
                    logger.LogWarning(
                        "Waiting for {Count} migration(s) of {Context} (first {Migration}) for {Seconds:0} s: run this service's migration job "
                        + "(the image's entry point with the argument `migrate`), or set {Key}=true where one replica runs alone",
                        pending.Count, typeof(TContext).Name, pending[0], waited.Elapsed.TotalSeconds, MigrateOnStartupKey);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning("Cannot read the {Context} schema's migrations yet ({Reason}); asking again", typeof(TContext).Name, ex.Message);
                }
                await Task.Delay(interval, cancellationToken);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    internal sealed class MigrationHealthCheck<TContext>(MigrationState<TContext> state) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(state.Applied
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The database schema is not up to date yet."));
    }
}
