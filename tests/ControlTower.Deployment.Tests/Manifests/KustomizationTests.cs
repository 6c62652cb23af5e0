namespace ControlTower.Deployment.Tests.Manifests;

/// <summary>The kustomizations themselves: every file they name exists, every file is named, and every one renders.</summary>
public sealed class KustomizationTests
{
    private static IEnumerable<string> KustomizationDirectories() =>
        Directory.EnumerateFiles(Contract.KubernetesRoot, "kustomization.yaml", SearchOption.AllDirectories).Select(Path.GetDirectoryName).OfType<string>();

    [Fact]
    public void EveryFileOrFolderAKustomizationNamesExists()
    {
        var missing = KustomizationDirectories()
            .SelectMany(d => Kustomize.NamedPaths(d).Select(p => (Kustomization: d, Path: p)))
            .Where(n => !File.Exists(n.Path) && !Directory.Exists(n.Path))
            .Select(n => $"{Path.GetRelativePath(Contract.KubernetesRoot, n.Kustomization)} names {Path.GetRelativePath(Contract.KubernetesRoot, n.Path)}")
            .ToList();
        Assert.True(missing.Count == 0, string.Join(Environment.NewLine, missing));
    }

    [Fact]
    public void EveryManifestFileIsNamedByAKustomization()
    {
        var named = KustomizationDirectories().SelectMany(Kustomize.NamedPaths).ToHashSet();
        var orphans = Directory.EnumerateFiles(Contract.KubernetesRoot, "*.yaml", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "kustomization.yaml" && !named.Contains(f))
            .Select(f => Path.GetRelativePath(Contract.KubernetesRoot, f))
            .ToList();
        Assert.True(orphans.Count == 0, "Not named by any kustomization, so never applied: " + string.Join(", ", orphans));
    }

    [Fact]
    public void EveryComponentIsUsedByAnOverlayOrTheManagedRendering()
    {
        var components = Directory.EnumerateDirectories(Path.Combine(Contract.KubernetesRoot, "components")).Select(Path.GetFileName).ToList();
        Assert.Equal(["cloudnative-pg", "demo-source", "external-services", "rabbitmq-operator"], components.Order());
        var used = new[] { "dev", "prod" }.SelectMany(o => Kustomize.NamedPaths(Path.Combine(Contract.KubernetesRoot, "overlays", o))).Select(Path.GetFileName)
            .Append("external-services").ToHashSet();
        Assert.All(components, c => Assert.Contains(c, used));
    }

    [Theory]
    [MemberData(nameof(Renderings.All), MemberType = typeof(Renderings))]
    public void EveryRenderingBuildsWithEveryPatchFindingItsTarget(string rendering) =>
        // The renderer throws on a missing file, a patch without a target and any field it does not understand.
        Assert.NotEmpty(Renderings.Render(rendering));
}
