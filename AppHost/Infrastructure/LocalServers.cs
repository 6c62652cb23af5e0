using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using RabbitMQ.Client;

namespace ControlTower.AppHost.Infrastructure;

/// <summary>
/// Runs PostgreSQL and RabbitMQ from the OS packages as Aspire executable resources (through
/// <c>deploy/local/*.sh</c>, the same scripts the test fixture uses), with data and generated passwords under
/// <c>Infrastructure:DataPath</c> (default <c>.data/</c> in the repository, git-ignored), on free loopback ports
/// unless <c>Infrastructure:PostgresPort</c> / <c>Infrastructure:RabbitMqPort</c> are set. Health checks
/// connect for real, so services that wait for them start only once the servers answer.
/// </summary>
internal static class LocalServers
{
    public static ControlTowerInfrastructure Add(IDistributedApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var repository = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var dataRoot = Path.GetFullPath(config["Infrastructure:DataPath"] ?? Path.Combine(repository, ".data"));
        var ephemeral = config.GetValue("Infrastructure:Ephemeral", false);

        // PostgreSQL
        var pgDir = PrepareDirectory(dataRoot, "postgres");
        var pgPassword = ReadOrCreatePassword(pgDir);
        var pgPort = Port(config, "Infrastructure:PostgresPort");
        var pgArgs = new List<string> { Path.Combine(repository, "deploy/local/postgres.sh"), pgDir, pgPort.ToString() };
        if (ephemeral)
        {
            pgArgs.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
        }
        // Server settings for profiling, e.g. Infrastructure:PostgresSettings:0=shared_preload_libraries=pg_stat_statements
        // (./ct bench --pg-statements passes that one).
        foreach (var setting in config.GetSection("Infrastructure:PostgresSettings").GetChildren())
        {
            if (setting.Value is { Length: > 0 } value)
            {
                pgArgs.AddRange(["-c", value]);
            }
        }
        var postgres = builder.AddExecutable("postgres", "bash", pgDir, [.. pgArgs])
            .WithEndpoint(name: "tcp", port: pgPort, targetPort: pgPort, scheme: "tcp", isProxied: false)
            .WithHealthCheck("postgres-ready");
        var pgPasswordParameter = builder.AddParameter("postgres-password", pgPassword, secret: true);
        var adminConnection = $"Host=127.0.0.1;Port={pgPort};Username=postgres;Password={pgPassword};Database=postgres;Timeout=3";
        builder.Services.AddHealthChecks().AddAsyncCheck("postgres-ready", async ct =>
        {
            await using var connection = new NpgsqlConnection(adminConnection);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(ct);
            return HealthCheckResult.Healthy();
        });

        // RabbitMQ
        var mqDir = PrepareDirectory(dataRoot, "rabbitmq");
        var mqPassword = ReadOrCreatePassword(mqDir);
        var mqPort = Port(config, "Infrastructure:RabbitMqPort");
        var mqDistPort = HostTools.FreePort();
        var management = config.GetValue("Infrastructure:RabbitMqManagement", true);
        var mqArgs = new List<string> { Path.Combine(repository, "deploy/local/rabbitmq.sh"), mqDir, mqPort.ToString(), mqDistPort.ToString() };
        var rabbit = builder.AddExecutable("rabbitmq", "bash", mqDir, [.. mqArgs])
            .WithEndpoint(name: "tcp", port: mqPort, targetPort: mqPort, scheme: "amqp", isProxied: false)
            .WithHealthCheck("rabbitmq-ready");
        // Each work queue's cap (deploy/local/rabbitmq.sh sets it as a policy; 1 GiB unless configured): past it the
        // collectors answer 503 with Retry-After. The backpressure test sets a small one.
        if (config["Infrastructure:QueueMaxBytes"] is { Length: > 0 } queueMaxBytes)
        {
            rabbit.WithEnvironment("QUEUE_MAX_BYTES", long.Parse(queueMaxBytes, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        EndpointReference? managementEndpoint = null;
        if (management)
        {
            var mgmtPort = Port(config, "Infrastructure:RabbitMqManagementPort");
            rabbit.WithArgs(mgmtPort.ToString())
                .WithHttpEndpoint(name: "management", port: mgmtPort, targetPort: mgmtPort, isProxied: false);
            managementEndpoint = rabbit.GetEndpoint("management");
        }
        var mqPasswordParameter = builder.AddParameter("rabbitmq-password", mqPassword, secret: true);
        var factory = new ConnectionFactory
        {
            HostName = "127.0.0.1", Port = mqPort, UserName = "controltower", Password = mqPassword,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(3),
        };
        builder.Services.AddHealthChecks().AddAsyncCheck("rabbitmq-ready", async ct =>
        {
            await using var connection = await factory.CreateConnectionAsync(ct);
            return HealthCheckResult.Healthy();
        });

        var messaging = builder.AddConnectionString(InfrastructureExtensions.MessagingName,
            ReferenceExpression.Create($"amqp://controltower:{mqPasswordParameter.Resource}@127.0.0.1:{mqPort.ToString()}"));

        ServerConnection Database(string name) => new(
            builder.AddConnectionString(name, ReferenceExpression.Create(
                $"Host=127.0.0.1;Port={pgPort.ToString()};Username=postgres;Password={pgPasswordParameter.Resource};Database={name}")),
            postgres);

        return new(
            new(messaging, rabbit),
            Database(InfrastructureExtensions.DatabaseNames[0]),
            Database(InfrastructureExtensions.DatabaseNames[1]),
            Database(InfrastructureExtensions.DatabaseNames[2]),
            Database(InfrastructureExtensions.DatabaseNames[3]),
            Database(InfrastructureExtensions.DatabaseNames[4]))
        {
            MessagingManagement = managementEndpoint,
        };
    }

    private static string PrepareDirectory(string root, string name)
    {
        HostTools.MakeSearchable(root);
        var path = Path.Combine(root, name);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string ReadOrCreatePassword(string directory)
    {
        var file = Path.Combine(directory, "password");
        if (File.Exists(file) && new FileInfo(file).Length > 0)
        {
            return File.ReadAllText(file).Trim();
        }
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        File.WriteAllText(file, password + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return password;
    }

    private static int Port(IConfiguration config, string key) =>
        config.GetValue<int?>(key) is int port && port > 0 ? port : HostTools.FreePort();
}
