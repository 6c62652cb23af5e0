namespace ControlTower.Deployment.Tests.Manifests;

/// <summary>The renderer on small kustomizations of its own: what it does, and that it refuses what it does not understand.</summary>
public sealed class KustomizeRendererTests : IDisposable
{
    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: app
        spec:
          replicas: 1
          selector:
            matchLabels:
              app.kubernetes.io/name: app
          template:
            metadata:
              labels:
                app.kubernetes.io/name: app
            spec:
              containers:
                - name: app
                  image: controltower/app
                  args: ["serve"]
                  env:
                    - name: A
                      value: "1"
                    - name: B
                      value: "2"
                  resources:
                    limits:
                      cpu: "1"
                - name: sidecar
                  image: example/sidecar:1
        """;

    private readonly string root = Directory.CreateTempSubdirectory("kustomize-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Write(string path, string text)
    {
        var full = Path.Combine(root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return Path.GetDirectoryName(full)!;
    }

    private string Base()
    {
        Write("base/deployment.yaml", Deployment);
        return Write("base/kustomization.yaml", "resources:\n  - deployment.yaml\n");
    }

    private string Overlay(string kustomization, params (string Path, string Text)[] files)
    {
        Base();
        foreach (var (path, text) in files)
        {
            Write($"overlay/{path}", text);
        }
        return Write("overlay/kustomization.yaml", "resources:\n  - ../base\n" + kustomization);
    }

    private static Dictionary<string, object?> App(IReadOnlyList<K8sObject> objects) =>
        Kustomize.Containers(objects.Single(o => o.Kind == "Deployment")).Single(c => c.Str("name") == "app");

    [Fact]
    public void APatchMergesContainersAndEnvByNameAndNullDeletesAField()
    {
        var dir = Overlay("patches:\n  - path: patch.yaml\n", ("patch.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: app
            spec:
              replicas: null
              template:
                spec:
                  containers:
                    - name: app
                      env:
                        - name: B
                          valueFrom:
                            secretKeyRef:
                              name: s
                              key: k
                        - name: C
                          value: "3"
                      resources:
                        requests:
                          cpu: 100m
            """));

        var objects = Kustomize.Build(dir);

        var app = App(objects);
        Assert.Equal(["A", "B", "C"], app.Maps("env").Select(e => e.Str("name")));
        var b = app.Maps("env").Single(e => e.Str("name") == "B");
        Assert.False(b.ContainsKey("value"));
        Assert.Equal("s", b.Map("valueFrom")?.Map("secretKeyRef")?.Str("name"));
        Assert.Equal("1", app.Map("resources")?.Map("limits")?.Str("cpu"));
        Assert.Equal("100m", app.Map("resources")?.Map("requests")?.Str("cpu"));
        Assert.Equal(2, Kustomize.Containers(objects.Single()).Count());
        Assert.False(objects.Single().Doc.Map("spec")!.ContainsKey("replicas"));
    }

    [Fact]
    public void NamespaceLabelsImagesReplicasAndComponentsApplyToWhatTheyShould()
    {
        Write("component/kustomization.yaml", """
            apiVersion: kustomize.config.k8s.io/v1alpha1
            kind: Component
            resources:
              - config.yaml
            patches:
              - path: env.yaml
            """);
        Write("component/config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  X: y\n");
        Write("component/env.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          env:\n            - name: FROM_COMPONENT\n              value: yes\n");
        var dir = Overlay("""
            namespace: ct
            components:
              - ../component
            labels:
              - pairs:
                  app.kubernetes.io/part-of: controltower
                includeTemplates: true
            images:
              - name: controltower/app
                newName: registry.example.com/controltower/app
                newTag: "1.2.3"
            replicas:
              - name: app
                count: 3
            """);

        var objects = Kustomize.Build(dir);

        Assert.All(objects, o => Assert.Equal("ct", o.Namespace));
        Assert.All(objects, o => Assert.Equal("controltower", o.Doc.At("metadata")?.Map("labels").Labels()["app.kubernetes.io/part-of"]));
        var deployment = objects.Single(o => o.Kind == "Deployment");
        Assert.Equal("controltower", ManifestRules.PodLabels(deployment)["app.kubernetes.io/part-of"]);
        Assert.DoesNotContain("app.kubernetes.io/part-of", deployment.Doc.At("spec", "selector")!.Map("matchLabels").Labels().Keys);
        Assert.Equal("registry.example.com/controltower/app:1.2.3", App(objects).Str("image"));
        Assert.Equal("example/sidecar:1", Kustomize.Containers(deployment).Last().Str("image"));
        Assert.Equal("3", deployment.Doc.At("spec")?.Str("replicas"));
        Assert.Contains(App(objects).Maps("env"), e => e.Str("name") == "FROM_COMPONENT");
        Assert.Contains(objects, o => o.Kind == "ConfigMap" && o.Name == "settings");
    }

    [Fact]
    public void APatchOfAResourceThatDoesNotExistIsAnError()
    {
        var dir = Overlay("patches:\n  - path: patch.yaml\n",
            ("patch.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: gone\nspec:\n  replicas: 2\n"));
        var error = Assert.Throws<KustomizeException>(() => Kustomize.Build(dir));
        Assert.Contains("Deployment/gone", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AResourceOrPatchFileThatDoesNotExistIsAnError()
    {
        Assert.Contains("missing.yaml", Assert.Throws<KustomizeException>(() => Kustomize.Build(Overlay("  - missing.yaml\n"))).Message, StringComparison.Ordinal);
        Assert.Contains("nowhere.yaml", Assert.Throws<KustomizeException>(() => Kustomize.Build(Overlay("patches:\n  - path: nowhere.yaml\n"))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("configMapGenerator:\n  - name: x\n    literals: [\"a=b\"]\n", "configMapGenerator")]
    [InlineData("commonLabels:\n  a: b\n", "commonLabels")]
    [InlineData("patchesStrategicMerge:\n  - p.yaml\n", "patchesStrategicMerge")]
    [InlineData("namePrefix: x-\n", "namePrefix")]
    [InlineData("labels:\n  - pairs:\n      a: b\n    includeSelectors: true\n", "selectors")]
    [InlineData("images:\n  - name: controltower/nothing\n    newTag: \"1\"\n", "controltower/nothing")]
    [InlineData("replicas:\n  - name: nothing\n    count: 2\n", "nothing")]
    [InlineData("patches:\n  - path: p.yaml\n    options:\n      allowNameChange: true\n", "options")]
    public void WhatTheRendererDoesNotUnderstandIsAnError(string kustomization, string named)
    {
        var dir = Overlay(kustomization, ("p.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n"));
        Assert.Contains(named, Assert.Throws<KustomizeException>(() => Kustomize.Build(dir)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spec:\n  template:\n    spec:\n      containers:\n        - name: app\n          args: [\"other\"]\n", "args")]
    [InlineData("spec:\n  template:\n    spec:\n      containers:\n        - $patch: delete\n          name: sidecar\n", "$patch")]
    [InlineData("spec:\n  template:\n    spec:\n      containers:\n        - image: no-name\n", "name")]
    public void APatchTheRendererCannotMergeFaithfullyIsAnError(string body, string named)
    {
        var dir = Overlay("patches:\n  - path: p.yaml\n", ("p.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n" + body));
        Assert.Contains(named, Assert.Throws<KustomizeException>(() => Kustomize.Build(dir)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APatchOfAListInACustomResourceIsAnError()
    {
        Write("base/cluster.yaml", "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pg\nspec:\n  instances: 3\n  managed:\n    roles:\n      - name: a\n");
        var dir = Overlay("  - ../base/cluster.yaml\npatches:\n  - path: p.yaml\n",
            ("p.yaml", "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pg\nspec:\n  managed:\n    roles:\n      - name: b\n"));
        Assert.Contains("custom resource Cluster/pg", Assert.Throws<KustomizeException>(() => Kustomize.Build(dir)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AResourceDefinedTwiceIsAnError()
    {
        var dir = Overlay("  - ../base/deployment.yaml\n");
        Assert.Contains("twice", Assert.Throws<KustomizeException>(() => Kustomize.Build(dir)).Message, StringComparison.Ordinal);
    }
}
