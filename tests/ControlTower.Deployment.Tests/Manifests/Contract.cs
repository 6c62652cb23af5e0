using System.Xml.Linq;

namespace ControlTower.Deployment.Tests.Manifests;

/// <summary>One row of the deployment contract (issue #9): a project, its image, its Kubernetes name, database and bus.</summary>
public sealed record Workload(string Name, string Project, string Image, string? Database, bool Bus, bool Http = true)
{
    /// <summary>
    /// The image the manifests must use: the project's <c>ContainerRepository</c> when its csproj declares one (the
    /// images build sets it), else the contract's name. Where both exist they must agree, which <see cref="ContractTests"/> checks.
    /// </summary>
    public string ExpectedImage => CsprojContainerRepository() ?? Image;

    public string CsprojPath => Path.Combine(Repository.Root, Project);

    public string? CsprojContainerRepository() =>
        XDocument.Load(CsprojPath).Descendants("ContainerRepository").Select(e => e.Value.Trim()).FirstOrDefault(v => v.Length > 0);

    public override string ToString() => Name;
}

public static class Contract
{
    public static readonly Workload[] Workloads =
    [
        new("operations", "services/Operations/ControlTower.Operations.csproj", "controltower/operations", "operationsdb", Bus: true),
        new("governance", "services/Governance/ControlTower.Governance.csproj", "controltower/governance", "governancedb", Bus: true),
        new("releasegate", "services/ReleaseGate/ControlTower.ReleaseGate.csproj", "controltower/releasegate", "releasegatedb", Bus: true),
        new("collector-aws", "services/Collector.Aws/ControlTower.Collector.Aws.csproj", "controltower/collector-aws", null, Bus: true),
        new("collector-azure", "services/Collector.Azure/ControlTower.Collector.Azure.csproj", "controltower/collector-azure", null, Bus: true),
        new("gateway", "services/Gateway/ControlTower.Gateway.csproj", "controltower/gateway", "gatewaydb", Bus: true),
        new("web", "web/ControlTower.Web.csproj", "controltower/web", "portaldb", Bus: false),
        // A worker (Microsoft.NET.Sdk.Worker) with no HTTP endpoint: no Service, no HTTP probes. Dev overlay only.
        new("demo-source", "services/DemoSource/ControlTower.DemoSource.csproj", "controltower/demo-source", null, Bus: false, Http: false),
    ];

    /// <summary>The services in every overlay (all but the demo source).</summary>
    public static IEnumerable<Workload> Services => Workloads.Where(w => w.Name != "demo-source");

    public static Workload DemoSource => Workloads.Single(w => w.Name == "demo-source");

    public static string KubernetesRoot => Path.Combine(Repository.Root, "deploy", "kubernetes");
}
