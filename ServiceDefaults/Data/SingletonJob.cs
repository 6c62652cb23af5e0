using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The lead of one periodic job among every replica that shares a PostgreSQL database: a session advisory lock on a
/// connection of its own. The replica that takes it keeps it round after round, until it stops or that connection
/// breaks; the others find it taken and sit their rounds out, and one of them takes over within a round of its loss.
/// For jobs that would otherwise run once per replica: announce the same thing N times, or keep state in memory that
/// a second runner would contradict. It is not a fence: after a broken connection the old leader may finish the round
/// in hand while a new one starts, so a job under it must still be safe to overlap now and then.
/// </summary>
/// <remarks>
/// The connection is unpooled, so closing it ends the session and frees the lock (a pooled one would go back to the pool
/// still holding it), and asks the server to probe it every few seconds, so the lock of a replica whose node vanished is
/// freed within about a minute rather than at the operating system's two-hour TCP keepalive. Session locks need a session:
/// behind PgBouncer in transaction mode point this at the server directly.
/// </remarks>
public sealed class SingletonJob : IAsyncDisposable
{
    // Mixed into the hash, so that a job's key is not that of a per-key transaction lock a service takes (those use seeds 0 and 1).
    internal const long Seed = 0x5349_4E47_4C45; // "SINGLE"

    private readonly string connectionString;
    private readonly ILogger logger;
    private readonly SemaphoreSlim gate = new(1, 1);
    private NpgsqlConnection? held;

    public SingletonJob(string connectionString, string name, ILogger logger)
    {
        Name = name;
        this.logger = logger;
        this.connectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // Who leads shows in pg_stat_activity.
            ApplicationName = ApplicationNameOf(name),
            Pooling = false,
            TcpKeepAlive = true,
            CommandTimeout = 15,
            Timeout = 15,
        }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>The <c>application_name</c> of the leader's session (PostgreSQL keeps 63 bytes of it).</summary>
    public static string ApplicationNameOf(string name) => Truncated("lead:" + name);

    internal static string Truncated(string applicationName) => applicationName.Length > 63 ? applicationName[..63] : applicationName;

    /// <summary>Whether this replica held the lead at its last <see cref="TryLeadAsync"/>.</summary>
    public bool IsLeader => held is not null;

    /// <summary>
    /// Whether this replica leads now: checks that the lead it holds is still alive, or tries to take a free one.
    /// Call it before every round. Throws when the database cannot be reached (then nobody can take over either).
    /// </summary>
    public async Task<bool> TryLeadAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (held is not null)
            {
                try
                {
                    await using var alive = new NpgsqlCommand("SELECT 1", held);
                    await alive.ExecuteScalarAsync(cancellationToken);
                    return true;
                }
                catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    logger.LogWarning(ex, "Lost the lead of {Job}: its database session ended; another replica may take it over", Name);
                    await ReleaseAsync();
                }
            }

            var candidate = new NpgsqlConnection(connectionString);
            try
            {
                await candidate.OpenAsync(cancellationToken);
                await using (var probe = new NpgsqlCommand(
                    "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 6", candidate))
                {
                    await probe.ExecuteNonQueryAsync(cancellationToken);
                }
                await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended(@name, @seed))", candidate);
                take.Parameters.AddWithValue("name", Name);
                take.Parameters.AddWithValue("seed", Seed);
                if (await take.ExecuteScalarAsync(cancellationToken) is true)
                {
                    held = candidate;
                    logger.LogInformation("This replica leads {Job}", Name);
                    return true;
                }
            }
            catch
            {
                await candidate.DisposeAsync();
                throw;
            }
            await candidate.DisposeAsync();
            return false;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task ReleaseAsync()
    {
        if (held is { } connection)
        {
            held = null;
            // Closing the unpooled connection ends the session, and the lock with it.
            await connection.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await gate.WaitAsync();
        try
        {
            await ReleaseAsync();
        }
        finally
        {
            gate.Release();
        }
    }
}

/// <summary>
/// A mutex across replicas for work outside the database that must not overlap (taking messages off a queue to look at
/// them, say): a session advisory lock, waited for, on a connection of its own that ends when the holder lets go.
/// </summary>
public static class DatabaseMutex
{
    /// <summary>Waits (up to <paramref name="wait"/>) until no other replica holds <paramref name="name"/>, and holds it until disposed.</summary>
    public static async Task<IAsyncDisposable> AcquireAsync(string connectionString, string name, TimeSpan wait, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString)
        {
            ApplicationName = SingletonJob.Truncated("lock:" + name),
            Pooling = false,
            Timeout = 15,
        }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var take = new NpgsqlCommand("SELECT pg_advisory_lock(hashtextextended(@name, @seed))", connection)
            {
                CommandTimeout = (int)Math.Ceiling(wait.TotalSeconds),
            };
            take.Parameters.AddWithValue("name", name);
            take.Parameters.AddWithValue("seed", SingletonJob.Seed);
            await take.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}

/// <summary>Makes <see cref="SingletonJob"/>s (and takes <see cref="DatabaseMutex"/>es) on one service database, named by its connection string key.</summary>
public sealed class SingletonJobs(IConfiguration configuration, ILoggerFactory loggers, string connectionName)
{
    private string ConnectionString => configuration.GetConnectionString(connectionName)
        ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not configured.");

    public SingletonJob Create(string name) => new(ConnectionString, name, loggers.CreateLogger<SingletonJob>());

    /// <inheritdoc cref="DatabaseMutex.AcquireAsync"/>
    public Task<IAsyncDisposable> LockAsync(string name, TimeSpan wait, CancellationToken cancellationToken) =>
        DatabaseMutex.AcquireAsync(ConnectionString, name, wait, cancellationToken);
}

public static class SingletonJobExtensions
{
    /// <summary>Lets the service's periodic jobs run on one replica at a time, leading through <paramref name="connectionName"/>'s database.</summary>
    public static TBuilder AddSingletonJobs<TBuilder>(this TBuilder builder, string connectionName) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton(services => new SingletonJobs(
            services.GetRequiredService<IConfiguration>(), services.GetRequiredService<ILoggerFactory>(), connectionName));
        return builder;
    }
}
