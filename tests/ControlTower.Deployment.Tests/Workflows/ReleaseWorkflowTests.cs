using ControlTower.Deployment.Tests.Manifests;
using YamlDotNet.RepresentationModel;

namespace ControlTower.Deployment.Tests.Workflows;

/// <summary>
/// The release workflow cannot run here (no registry, no cluster), so what can be checked without them is: it builds
/// images, then deploys an overlay that exists, then calls the smoke workflow with exactly the inputs that workflow
/// declares — a renamed input or overlay fails here rather than in the first real release.
/// </summary>
public sealed class ReleaseWorkflowTests
{
    private static readonly string Workflows = Path.Combine(Repository.Root, ".github", "workflows");

    internal static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlMappingNode Release => Load(Path.Combine(Workflows, "release.yml"));

    private static YamlMappingNode Job(string name) => (YamlMappingNode)((YamlMappingNode)Release["jobs"])[name];

    private static IReadOnlyList<string> Needs(YamlMappingNode job) => job.Children.TryGetValue("needs", out var needs)
        ? needs is YamlSequenceNode list ? [.. list.Children.Select(n => n.ToString())] : [needs.ToString()]
        : [];

    [Fact]
    public void ImagesAreBuiltThenDeployedThenSmokeTested()
    {
        Assert.Equal(["images"], Needs(Job("deploy")));
        Assert.Equal(["images", "deploy"], Needs(Job("smoke")));
        var build = string.Join('\n', ((YamlSequenceNode)Job("images")["steps"]).Children.Cast<YamlMappingNode>()
            .Select(s => s.Children.TryGetValue("run", out var run) ? run.ToString() : ""));
        Assert.Contains("-t:PublishContainer", build, StringComparison.Ordinal);
        Assert.Contains("<ContainerRepository>", build, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryEnvironmentOnOfferHasAnOverlay()
    {
        var dispatch = (YamlMappingNode)((YamlMappingNode)Release["on"])["workflow_dispatch"];
        var environment = (YamlMappingNode)((YamlMappingNode)dispatch["inputs"])["environment"];
        var options = ((YamlSequenceNode)environment["options"]).Children.Select(o => o.ToString()).ToList();

        Assert.NotEmpty(options);
        Assert.Contains(environment["default"].ToString(), options);
        Assert.All(options, name => Assert.True(
            File.Exists(Path.Combine(Repository.Root, "deploy", "kubernetes", "overlays", name, "kustomization.yaml")),
            $"release.yml offers '{name}' but deploy/kubernetes/overlays/{name}/kustomization.yaml does not exist"));
        Assert.Contains("deploy/kubernetes/overlays/${{ inputs.environment || 'prod' }}",
            ((YamlMappingNode)Job("deploy")["env"])["OVERLAY"].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheSmokeWorkflowIsCalledWithExactlyTheInputsItDeclares()
    {
        var smoke = Job("smoke");
        var uses = smoke["uses"].ToString();
        Assert.StartsWith("./.github/workflows/", uses, StringComparison.Ordinal);
        var called = Load(Path.Combine(Repository.Root, uses[2..]));

        var trigger = Assert.IsType<YamlMappingNode>(((YamlMappingNode)called["on"])["workflow_call"]);
        var declared = ((YamlMappingNode)trigger["inputs"]).Children.ToDictionary(i => i.Key.ToString(), i => (YamlMappingNode)i.Value);
        var passed = ((YamlMappingNode)smoke["with"]).Children.Keys.Select(k => k.ToString()).ToHashSet();

        Assert.All(passed, input => Assert.True(declared.ContainsKey(input), $"release.yml passes '{input}', which {uses} does not declare"));
        Assert.All(declared.Where(d => d.Value.Children.TryGetValue("required", out var r) && r.ToString() == "true"),
            d => Assert.True(passed.Contains(d.Key), $"{uses} requires '{d.Key}', which release.yml does not pass"));
        Assert.Equal("inherit", smoke["secrets"].ToString());
    }

    [Fact]
    public void TheCalledSmokeJobRunsWhenCalledAndNotOnlyOnItsOwnTriggers()
    {
        var called = Load(Path.Combine(Workflows, "release-smoke-controltower.yml"));
        var condition = ((YamlMappingNode)((YamlMappingNode)called["jobs"])["smoke"])["if"].ToString();

        // A called workflow sees its caller's event name (push, workflow_dispatch), so its condition must not rest on it.
        Assert.DoesNotContain("github.event_name", condition, StringComparison.Ordinal);
        Assert.Contains("inputs.environment", condition, StringComparison.Ordinal);
    }
}

/// <summary>What the release workflow's kubectl steps select must be what the overlays render, or the deploy job waits on nothing.</summary>
public sealed class ReleaseWorkflowSelectorTests
{
    public static TheoryData<string> Overlays => ["dev", "prod"];

    private static string DeploySteps()
    {
        var workflow = ReleaseWorkflowTests.Load(Path.Combine(Repository.Root, ".github", "workflows", "release.yml"));
        var deploy = (YamlMappingNode)((YamlMappingNode)workflow["jobs"])["deploy"];
        return string.Join('\n', ((YamlSequenceNode)deploy["steps"]).Children.Cast<YamlMappingNode>()
            .Select(s => s.Children.TryGetValue("run", out var run) ? run.ToString() : ""));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void EveryDatabaseHasAMigrationJobTheWorkflowWaitsFor(string overlay)
    {
        Assert.Contains("wait --for=condition=complete job -l app.kubernetes.io/component=migration", DeploySteps(), StringComparison.Ordinal);
        var rendered = Manifests.Renderings.Render(overlay);

        var migrations = rendered.Where(o => o.Kind == "Job" && o.Doc.Map("metadata")?.Map("labels").Labels().GetValueOrDefault("app.kubernetes.io/component") == "migration")
            .Select(o => Manifests.Kustomize.Containers(o).Single().Str("image")!)
            .Select(image => Manifests.Kustomize.SplitImage(image).Name)
            .ToHashSet();

        Assert.Equal(Manifests.Contract.Services.Where(w => w.Database is not null).Select(w => w.ExpectedImage).ToHashSet(), migrations);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void EveryDeploymentIsOneTheWorkflowWaitsToRollOut(string overlay)
    {
        Assert.Contains("get deployment -l app.kubernetes.io/part-of=controltower", DeploySteps(), StringComparison.Ordinal);
        var rendered = Manifests.Renderings.Render(overlay);

        var deployments = rendered.Where(o => o.Kind == "Deployment").ToList();
        Assert.NotEmpty(deployments);
        Assert.All(deployments, d => Assert.Equal("controltower", d.Doc.Map("metadata")?.Map("labels").Labels().GetValueOrDefault("app.kubernetes.io/part-of")));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void TheNamespaceTheWorkflowReadsIsTheOneTheOverlayRendersInto(string overlay)
    {
        Assert.Contains("sed -n 's/^namespace: *//p' kustomization.yaml", DeploySteps(), StringComparison.Ordinal);
        var line = File.ReadLines(Path.Combine(Manifests.Contract.KubernetesRoot, "overlays", overlay, "kustomization.yaml"))
            .Single(l => l.StartsWith("namespace:", StringComparison.Ordinal));
        var namespaceName = line["namespace:".Length..].Trim();

        Assert.Matches("^[a-z0-9-]+$", namespaceName);
        Assert.All(Manifests.Renderings.Render(overlay).Where(o => o.Kind is "Deployment" or "Job"), o => Assert.Equal(namespaceName, o.Namespace));
    }
}
