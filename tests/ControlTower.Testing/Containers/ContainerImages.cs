namespace ControlTower.Testing.Containers;

/// <summary>One image of the deployment contract: which project builds it and what it runs.</summary>
/// <param name="Name">The Kubernetes name, and the image's name after <c>controltower/</c>.</param>
/// <param name="Project">The project, relative to the repository root.</param>
/// <param name="UsesBus">Whether it needs <c>ConnectionStrings__messaging</c> to start.</param>
public sealed record ContainerImage(string Name, string Project, bool UsesBus)
{
    public string Repository => "controltower/" + Name;

    /// <summary>ControlTower.X.dll: the project's assembly, which the entry point runs.</summary>
    public string AssemblyFile => Path.GetFileNameWithoutExtension(Project) + ".dll";

    /// <summary>The SDK writes a plain (uncompressed) tar in the `docker save` layout, which `docker load` and `podman load` take.</summary>
    public string ArchiveFile => Name + ".tar";
}

/// <summary>The images of the deployment contract (issue #9), one per service and the portal.</summary>
public static class ContainerImages
{
    public static IReadOnlyList<ContainerImage> All { get; } =
    [
        new("operations", "services/Operations/ControlTower.Operations.csproj", UsesBus: true),
        new("governance", "services/Governance/ControlTower.Governance.csproj", UsesBus: true),
        new("releasegate", "services/ReleaseGate/ControlTower.ReleaseGate.csproj", UsesBus: true),
        new("collector-aws", "services/Collector.Aws/ControlTower.Collector.Aws.csproj", UsesBus: true),
        new("collector-azure", "services/Collector.Azure/ControlTower.Collector.Azure.csproj", UsesBus: true),
        new("gateway", "services/Gateway/ControlTower.Gateway.csproj", UsesBus: true),
        new("web", "web/ControlTower.Web.csproj", UsesBus: false),
        new("demo-source", "services/DemoSource/ControlTower.DemoSource.csproj", UsesBus: false),
    ];

    public static ContainerImage Named(string name) =>
        All.SingleOrDefault(image => image.Name == name) ?? throw new ArgumentException($"No image named {name}.", nameof(name));
}
