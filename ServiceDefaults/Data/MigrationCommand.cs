using System.Runtime.InteropServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A service's <c>migrate</c> command: <c>dotnet ControlTower.X.dll migrate</c> applies the pending migrations of the
/// service's database and exits, 0 when the schema is current and 1 when it could not be brought there. It needs only
/// the database's connection string (<c>ConnectionStrings__&lt;name&gt;</c>), so a Kubernetes Job can run it from the
/// service's own image before (or while) a release's replicas start; they wait for it (see <see cref="MigrationExtensions"/>).
/// Running it twice, or while another copy runs, is safe: a second run finds nothing pending, and EF Core's
/// migration lock keeps two copies from applying the same migration at once.
/// </summary>
public static class MigrationCommand
{
    public const string Verb = "migrate";

    public static bool IsRequested(string[] args) => args is [Verb, ..];

    public static async Task<int> RunAsync<TContext>(string[] args, string connectionName) where TContext : DbContext
    {
        var builder = Host.CreateApplicationBuilder(args[1..]);
        builder.Logging.ClearProviders().AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; });
        var configured = !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(connectionName));
        if (configured)
        {
            builder.AddNpgsqlDbContext<TContext>(connectionName, configureDbContextOptions: DatabaseExtensions.ConfigureConventions);
        }
        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ControlTower.Migrate");
        if (!configured)
        {
            logger.LogError("ConnectionStrings:{Name} is not configured (environment variable ConnectionStrings__{Name}): nothing to migrate",
                connectionName, connectionName);
            return 1;
        }
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
        try
        {
            await using var scope = host.Services.CreateAsyncScope();
            var applied = await scope.ServiceProvider.GetRequiredService<TContext>().ApplyPendingMigrationsAsync(logger, stop.Token);
            logger.LogInformation("{Context}: {Count} migration(s) applied; the schema is current", typeof(TContext).Name, applied);
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            logger.LogError("Migrating {Context} was stopped; the migration in progress was rolled back, run the command again", typeof(TContext).Name);
            return 1;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Migrating {Context} failed", typeof(TContext).Name);
            return 1;
        }
    }
}
