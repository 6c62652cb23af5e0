using System.Security.Cryptography;
using ControlTower.AppHost.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Testcontainers.RabbitMq;

namespace ControlTower.Testing.Infrastructure;

/// <summary>
/// A real RabbitMQ broker for integration tests: <c>CONTROLTOWER_TEST_RABBITMQ</c> (an amqp:// URI) if set;
/// else a Testcontainers container where a container runtime answers; else the OS-packaged broker started
/// on free loopback ports in a temporary folder. The management API is on where the fixture runs the broker
/// (<c>CONTROLTOWER_TEST_RABBITMQ_MANAGEMENT</c>, an http:// URL, names an external one).
/// </summary>
public sealed class RabbitMqServer : IAsyncDisposable
{
    public const string EnvironmentVariable = "CONTROLTOWER_TEST_RABBITMQ";
    public const string ManagementEnvironmentVariable = "CONTROLTOWER_TEST_RABBITMQ_MANAGEMENT";
    private const int ContainerManagementPort = 15672;

    private readonly IAsyncDisposable? owned;

    private RabbitMqServer(string connectionString, string kind, IAsyncDisposable? owned, string? managementUrl = null)
    {
        ConnectionString = connectionString;
        Kind = kind;
        this.owned = owned;
        ManagementUrl = managementUrl;
    }

    /// <summary>amqp://user:password@host:port</summary>
    public string ConnectionString { get; }

    public string Kind { get; }

    /// <summary>http://host:port/ of the management API (same credentials as <see cref="ConnectionString"/>), or null when there is none.</summary>
    public string? ManagementUrl { get; }

    public Task<IConnection> ConnectAsync(CancellationToken cancellationToken) =>
        new ConnectionFactory { Uri = new Uri(ConnectionString) }.CreateConnectionAsync(cancellationToken);

    public static async Task<RabbitMqServer> StartAsync(CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } external)
        {
            return new RabbitMqServer(external, "external", null,
                Environment.GetEnvironmentVariable(ManagementEnvironmentVariable) is { Length: > 0 } management ? management : null);
        }
        if (HostTools.ContainerRuntimeAnswers())
        {
            var container = new RabbitMqBuilder("rabbitmq:3.13-management-alpine").WithPortBinding(ContainerManagementPort, true).Build();
            await container.StartAsync(cancellationToken);
            return new RabbitMqServer(container.GetConnectionString(), "container", container,
                $"http://{container.Hostname}:{container.GetMappedPublicPort(ContainerManagementPort)}/");
        }
        return await StartLocalAsync(cancellationToken);
    }

    /// <summary>
    /// A free port is only free until someone binds it: test projects start their servers side by side, and another one
    /// can take the port between our check and the server's bind. The server then fails at once saying so; it is
    /// started again on another port.
    /// </summary>
    private static async Task<RabbitMqServer> StartLocalAsync(CancellationToken cancellationToken)
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

    private static async Task<RabbitMqServer> StartLocalOnceAsync(CancellationToken cancellationToken)
    {
        var root = Path.Combine(Path.GetTempPath(), "controltower-tests");
        HostTools.MakeSearchable(root);
        var directory = Path.Combine(root, "rabbitmq-" + Guid.NewGuid().ToString("N")[..12]);
        HostTools.MakeSearchable(directory);
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await File.WriteAllTextAsync(Path.Combine(directory, "password"), password + "\n", cancellationToken);

        var port = HostTools.FreePort();
        var managementPort = HostTools.FreePort();
        var process = LocalServerProcess.Start("rabbitmq.sh", directory, port.ToString(), HostTools.FreePort().ToString(), managementPort.ToString());
        var uri = $"amqp://controltower:{password}@127.0.0.1:{port}";
        var factory = new ConnectionFactory { Uri = new Uri(uri), RequestedConnectionTimeout = TimeSpan.FromSeconds(3) };

        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            try
            {
                await using var connection = await factory.CreateConnectionAsync(cancellationToken);
                return new RabbitMqServer(uri, "local", process, $"http://127.0.0.1:{managementPort}/");
            }
            catch (BrokerUnreachableException) when (!process.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500, cancellationToken);
            }
            catch (BrokerUnreachableException ex)
            {
                var output = process.RecentOutput;
                await process.DisposeAsync();
                throw new InvalidOperationException($"RabbitMQ did not start on port {port}:\n{output}", ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (owned is not null)
        {
            await owned.DisposeAsync();
        }
    }
}
