using Microsoft.Extensions.Configuration;

namespace ControlTower.AppHost.Infrastructure;

/// <summary>A connection string resource and, when the AppHost runs the server, the resource to wait for.</summary>
internal sealed record ServerConnection(
    IResourceBuilder<IResourceWithConnectionString> Connection,
    IResourceBuilder<IResource>? WaitTarget);

internal sealed record ControlTowerInfrastructure(
    ServerConnection Messaging,
    ServerConnection OperationsDb,
    ServerConnection GovernanceDb,
    ServerConnection ReleaseGateDb,
    ServerConnection GatewayDb,
    ServerConnection PortalDb)
{
    /// <summary>The RabbitMQ management API where the AppHost runs the broker with it; it lists the error queues.</summary>
    public EndpointReference? MessagingManagement { get; init; }
}

internal static class InfrastructureExtensions
{
    public const string MessagingName = "messaging";
    public static readonly string[] DatabaseNames = ["operationsdb", "governancedb", "releasegatedb", "gatewaydb", "portaldb"];

    /// <summary>
    /// PostgreSQL (one database per stateful service) and RabbitMQ, chosen by <c>Infrastructure:Mode</c>:
    /// <c>external</c> uses the configured connection strings and starts nothing; <c>containers</c> uses the
    /// Aspire hosting integrations; <c>local</c> runs the OS-packaged servers as executable resources.
    /// <c>auto</c> (the default) is external when every connection string is configured, else containers
    /// when a container runtime answers, else local.
    /// </summary>
    public static ControlTowerInfrastructure AddControlTowerInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var mode = builder.Configuration["Infrastructure:Mode"] ?? "auto";
        if (mode == "auto")
        {
            mode = AllConnectionStringsConfigured(builder.Configuration) ? "external"
                : HostTools.ContainerRuntimeAnswers() ? "containers"
                : "local";
        }

        return mode switch
        {
            "external" => External(builder),
            "containers" => Containers(builder),
            "local" => LocalServers.Add(builder),
            _ => throw new InvalidOperationException($"Infrastructure:Mode '{mode}' is not one of auto, external, containers, local."),
        };
    }

    private static bool AllConnectionStringsConfigured(IConfiguration configuration) =>
        DatabaseNames.Append(MessagingName).All(name => !string.IsNullOrWhiteSpace(configuration.GetConnectionString(name)));

    private static ControlTowerInfrastructure External(IDistributedApplicationBuilder builder)
    {
        ServerConnection Configured(string name) => new(builder.AddConnectionString(name), null);
        return new(Configured(MessagingName), Configured(DatabaseNames[0]), Configured(DatabaseNames[1]), Configured(DatabaseNames[2]),
            Configured(DatabaseNames[3]), Configured(DatabaseNames[4]));
    }

    private static ControlTowerInfrastructure Containers(IDistributedApplicationBuilder builder)
    {
        var postgres = builder.AddPostgres("postgres").WithDataVolume("controltower-postgres");
        var rabbit = builder.AddRabbitMQ(MessagingName).WithDataVolume("controltower-rabbitmq").WithManagementPlugin();
        ServerConnection Database(string name)
        {
            var database = postgres.AddDatabase(name);
            return new(database, database);
        }
        return new(new(rabbit, rabbit), Database(DatabaseNames[0]), Database(DatabaseNames[1]), Database(DatabaseNames[2]),
            Database(DatabaseNames[3]), Database(DatabaseNames[4]))
        {
            MessagingManagement = rabbit.GetEndpoint("management"),
        };
    }
}
