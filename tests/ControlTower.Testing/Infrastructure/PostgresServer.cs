using System.Security.Cryptography;
using ControlTower.AppHost.Infrastructure;
using Npgsql;
using Testcontainers.PostgreSql;

namespace ControlTower.Testing.Infrastructure;

/// <summary>
/// A real PostgreSQL server for integration tests: <c>CONTROLTOWER_TEST_POSTGRES</c> (an admin connection
/// string) if set; else a Testcontainers container where a container runtime answers; else the OS-packaged
/// server started on a free loopback port in a temporary folder. Each test gets its own database.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string EnvironmentVariable = "CONTROLTOWER_TEST_POSTGRES";

    private readonly IAsyncDisposable? owned;

    private PostgresServer(string adminConnectionString, string kind, IAsyncDisposable? owned)
    {
        AdminConnectionString = adminConnectionString;
        Kind = kind;
        this.owned = owned;
    }

    public string AdminConnectionString { get; }

    /// <summary>external, container or local: where the server came from.</summary>
    public string Kind { get; }

    /// <summary>A connection string to a database of its own, not yet created (EF migrations create it).</summary>
    public string NewDatabase(string prefix) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString)
        {
            Database = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant(),
        }.ConnectionString;

    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } external)
        {
            return new PostgresServer(external, "external", null);
        }
        if (HostTools.ContainerRuntimeAnswers())
        {
            var container = new PostgreSqlBuilder("postgres:15-alpine").Build();
            await container.StartAsync(cancellationToken);
            return new PostgresServer(container.GetConnectionString(), "container", container);
        }
        return await StartLocalAsync(cancellationToken);
    }

    /// <summary>
    /// A free port is only free until someone binds it: test projects start their servers side by side, and another one
    /// can take the port between our check and the server's bind. The server then fails at once saying so; it is
    /// started again on another port.
    /// </summary>
    private static async Task<PostgresServer> StartLocalAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartLocalOnceAsync(cancellationToken);
            }
            catch (InvalidOperationException ex) when (attempt < 4 && PortTaken(ex.Message))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
            }
        }
    }

    internal static bool PortTaken(string output) =>
        output.Contains("already in use", StringComparison.OrdinalIgnoreCase) || output.Contains("eaddrinuse", StringComparison.OrdinalIgnoreCase);

    private static async Task<PostgresServer> StartLocalOnceAsync(CancellationToken cancellationToken)
    {
        var root = Path.Combine(Path.GetTempPath(), "controltower-tests");
        HostTools.MakeSearchable(root);
        var directory = Path.Combine(root, "postgres-" + Guid.NewGuid().ToString("N")[..12]);
        HostTools.MakeSearchable(directory);
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await File.WriteAllTextAsync(Path.Combine(directory, "password"), password + "\n", cancellationToken);

        var port = HostTools.FreePort();
        var process = LocalServerProcess.Start("postgres.sh", directory, port.ToString(),
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
        var connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Password={password};Database=postgres;Timeout=5";

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellationToken);
                return new PostgresServer(connectionString, "local", process);
            }
            catch (NpgsqlException) when (!process.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250, cancellationToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException)
            {
                var output = process.RecentOutput;
                await process.DisposeAsync();
                throw new InvalidOperationException($"PostgreSQL did not start on port {port}:\n{output}", ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (owned is not null)
        {
            await owned.DisposeAsync();
        }
    }
}
