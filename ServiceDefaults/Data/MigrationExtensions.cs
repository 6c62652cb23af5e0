using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

public static class MigrationExtensions
{
    /// <summary>
    /// Applies the context's EF Core migrations when the host starts, before the bus and the endpoints run,
    /// in Development or when <c>ControlTower:MigrateOnStartup</c> is true. Elsewhere a migration job owns it.
    /// A <c>migrations</c> health check reports whether the schema is in place.
    /// </summary>
    public static TBuilder AddMigrationOnStartup<TBuilder, TContext>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
        where TContext : DbContext
    {
        var enabled = builder.Environment.IsDevelopment()
            || builder.Configuration.GetValue<bool>("ControlTower:MigrateOnStartup");
        if (!enabled)
        {
            return builder;
        }

        builder.Services.AddSingleton<MigrationState<TContext>>();
        // Registered before the bus so its hosted service starts only once the schema exists.
        builder.Services.AddHostedService<MigrationHostedService<TContext>>();
        builder.Services.AddHealthChecks().AddCheck<MigrationHealthCheck<TContext>>("migrations");
        return builder;
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
            var context = scope.ServiceProvider.GetRequiredService<TContext>();
            var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            logger.LogInformation("Applying {Count} migration(s) to {Context}", pending.Count, typeof(TContext).Name);
            // A migration that rewrites a big table (Operations' move of activity to daily partitions copies every row)
            // takes as long as the data does: no command timeout, and one log line per migration so the wait shows.
            context.Database.SetCommandTimeout(0);
            var migrator = context.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>();
            for (var i = 0; i < pending.Count; i++)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                logger.LogInformation("Migration {Index}/{Count} of {Context}: {Migration}…", i + 1, pending.Count, typeof(TContext).Name, pending[i]);
                await migrator.MigrateAsync(pending[i], cancellationToken);
                logger.LogInformation("Migration {Migration} applied in {Seconds:0.0} s", pending[i],
                    System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
            state.Applied = true;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    internal sealed class MigrationHealthCheck<TContext>(MigrationState<TContext> state) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(state.Applied
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("Database migrations have not been applied yet."));
    }
}
