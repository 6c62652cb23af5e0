using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Microsoft.Extensions.Hosting;

public static class DatabaseExtensions
{
    /// <summary>
    /// A stateful service's own PostgreSQL database, the same way everywhere: the Aspire Npgsql EF Core
    /// component (connection string <paramref name="connectionName"/>, pooling, health check, telemetry),
    /// snake_case names so hand-written SQL reads naturally, and migrations applied at start-up in Development.
    /// </summary>
    public static TBuilder AddServiceDatabase<TBuilder, TContext>(this TBuilder builder, string connectionName)
        where TBuilder : IHostApplicationBuilder
        where TContext : DbContext
    {
        builder.AddNpgsqlDbContext<TContext>(connectionName, configureDbContextOptions: ConfigureConventions);
        builder.AddMigrationOnStartup<TBuilder, TContext>();
        return builder;
    }

    internal static void ConfigureConventions(DbContextOptionsBuilder options) => options.UseSnakeCaseNamingConvention();
}

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build a service's model without a running database; each service
/// derives one line from it.
/// </summary>
public abstract class ServiceDesignTimeDbContextFactory<TContext> : IDesignTimeDbContextFactory<TContext> where TContext : DbContext
{
    public TContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<TContext>().UseNpgsql($"Host=localhost;Database={typeof(TContext).Name}");
        DatabaseExtensions.ConfigureConventions(options);
        return (TContext)Activator.CreateInstance(typeof(TContext), options.Options)!;
    }
}
