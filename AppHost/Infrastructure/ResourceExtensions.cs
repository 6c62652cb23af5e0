namespace ControlTower.AppHost.Infrastructure;

internal static class ResourceExtensions
{
    /// <summary>A secret parameter generated on first run and persisted in the AppHost's user secrets.</summary>
    public static IResourceBuilder<ParameterResource> AddGeneratedSecret(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = 40, Special = false }, secret: true, persist: true);

    /// <summary>
    /// What every Control Tower service gets: the gateway's internal token, and a health check on its
    /// <c>/health</c> endpoint so that <c>WaitFor</c> waits for migrations and the bus, not only the process.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceDefaults(
        this IResourceBuilder<ProjectResource> project, IResourceBuilder<ParameterResource> internalToken) =>
        project.WithEnvironment("ControlTower__InternalToken", internalToken).WithHttpHealthCheck("/health");

    public static IResourceBuilder<ProjectResource> WithMessaging(this IResourceBuilder<ProjectResource> project, ControlTowerInfrastructure infrastructure) =>
        project.WithServer(infrastructure.Messaging);

    /// <summary>Where the RabbitMQ management API is, when the AppHost runs it, so the dead-letter monitor finds every error queue.</summary>
    public static IResourceBuilder<ProjectResource> WithDeadLetterMonitoring(this IResourceBuilder<ProjectResource> project, ControlTowerInfrastructure infrastructure) =>
        infrastructure.MessagingManagement is { } management ? project.WithEnvironment("Operations__DeadLetters__ManagementUrl", management) : project;

    public static IResourceBuilder<ProjectResource> WithDatabase(this IResourceBuilder<ProjectResource> project, ServerConnection database) =>
        project.WithServer(database);

    /// <summary>Gives the gateway a bootstrap API key with its scopes (Gateway:ApiKeys:Keys:N).</summary>
    public static IResourceBuilder<ProjectResource> WithApiKey(
        this IResourceBuilder<ProjectResource> gateway, int index, string name, IResourceBuilder<ParameterResource> key, params string[] scopes)
    {
        var prefix = $"Gateway__ApiKeys__Keys__{index}__";
        gateway.WithEnvironment(prefix + "Name", name).WithEnvironment(prefix + "Key", key);
        for (var i = 0; i < scopes.Length; i++)
        {
            gateway.WithEnvironment($"{prefix}Scopes__{i}", scopes[i]);
        }
        return gateway;
    }

    private static IResourceBuilder<ProjectResource> WithServer(this IResourceBuilder<ProjectResource> project, ServerConnection connection)
    {
        project.WithReference(connection.Connection);
        if (connection.WaitTarget is { } server)
        {
            project.WaitFor(server);
        }
        return project;
    }
}
