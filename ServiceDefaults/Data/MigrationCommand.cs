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

    /// <param name="configure">Registrations the step after the migrations needs (the gateway's and the portal's key ring).</param>
    /// <param name="afterMigrations">Runs once the schema is current, before the command reports success.</param>
    public static async Task<int> RunAsync<TContext>(
        string[] args,
        string connectionName,
        Action<IHostApplicationBuilder>? configure = null,
        Func<IServiceProvider, ILogger, CancellationToken, Task>? afterMigrations = null) where TContext : DbContext
    {
        var builder = Host.CreateApplicationBuilder(args[1..]);
        builder.Logging.ClearProviders().AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; });
        // One line per migration is the progress; every SQL command of a partition rewrite would bury it.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Warning);
        var configured = !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(connectionName));
        if (configured)
        {
            builder.AddNpgsqlDbContext<TContext>(connectionName, configureDbContextOptions: DatabaseExtensions.ConfigureConventions);
            configure?.Invoke(builder);
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
            if (afterMigrations is not null)
            {
                await afterMigrations(host.Services, logger, stop.Token);
            }
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

    /// <summary>
    /// Makes sure the data-protection key ring stored in the database has a key before any replica starts. Replicas that
    /// start together on an empty ring each create a key of their own, and for up to a day one may then fail to read
    /// what another protected (dotnet/aspnetcore#52561): a sign-in cookie, a webhook signing secret. One key made here,
    /// by the one migration job, is the key they all find.
    /// </summary>
    public static Task EnsureDataProtectionKeyAsync(IServiceProvider services, ILogger logger, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = services.GetRequiredService<Microsoft.AspNetCore.DataProtection.KeyManagement.IKeyManager>();
        var now = DateTimeOffset.UtcNow;
        // A key that is usable now and for a while yet; the default ring renews keys two days before they expire.
        if (keys.GetAllKeys().Any(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now.AddDays(2)))
        {
            logger.LogInformation("The data-protection key ring already has a current key");
            return Task.CompletedTask;
        }
        var key = keys.CreateNewKey(now, now.AddDays(90));
        logger.LogInformation("Created data-protection key {KeyId}, valid until {Expires:yyyy-MM-dd}", key.KeyId, key.ExpirationDate);
        return Task.CompletedTask;
    }
}
