using System.Text.RegularExpressions;

namespace ControlTower.Deployment.Tests.Manifests;

/// <summary>The renderings under test, built afresh per call so that a test may change its copy.</summary>
public static partial class Renderings
{
    public const string Base = "base";
    public const string Dev = "dev";
    public const string Prod = "prod";

    /// <summary>Prod's base with the external-services component instead of the operators (README, "Managed PostgreSQL and RabbitMQ instead").</summary>
    public const string Managed = "managed";

    public static TheoryData<string> All => [Base, Dev, Prod, Managed];

    public static TheoryData<string> Overlays => [Dev, Prod, Managed];

    public static IReadOnlyList<K8sObject> Render(string name) => name switch
    {
        Base => Kustomize.Build(Path.Combine(Contract.KubernetesRoot, "base")),
        Dev => Kustomize.Build(Path.Combine(Contract.KubernetesRoot, "overlays", "dev")),
        Prod => Kustomize.Build(Path.Combine(Contract.KubernetesRoot, "overlays", "prod")),
        Managed => Kustomize.Build(Path.Combine(Contract.KubernetesRoot, "overlays", "prod"), new()
        {
            ["apiVersion"] = "kustomize.config.k8s.io/v1beta1",
            ["kind"] = "Kustomization",
            ["namespace"] = "controltower",
            ["resources"] = new List<object?> { "namespace.yaml", "../../base" },
            ["components"] = new List<object?> { "../../components/external-services" },
            ["images"] = Contract.Services.Select(w => (object?)new Dictionary<string, object?> { ["name"] = w.Image, ["newTag"] = "1.0.0" }).ToList(),
        }),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>The workloads a rendering must run: every service, and the demo source in dev only.</summary>
    public static Workload[] Expected(string name) => name == Dev ? Contract.Workloads : [.. Contract.Services];

    /// <summary>The Secrets the README tells an operator to create (or names as an operator's): the first cell of each row of its Secrets table.</summary>
    public static IReadOnlySet<string> DocumentedSecrets()
    {
        var readme = File.ReadAllLines(Path.Combine(Contract.KubernetesRoot, "README.md"));
        var section = readme.SkipWhile(l => l != "## Secrets to create").Skip(1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal));
        return section.Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .SelectMany(l => Backticked().Matches(l.Split('|')[1]).Select(m => m.Groups[1].Value))
            .ToHashSet();
    }

    [GeneratedRegex("`([a-z0-9-]+)`")]
    private static partial Regex Backticked();
}
