namespace ControlTower.Deployment.Tests.Manifests;

/// <summary>The rendered base and overlays against the deployment contract (issue #9).</summary>
public sealed class ManifestTests
{
    private static void NoProblems(IEnumerable<string> problems)
    {
        var list = problems.ToList();
        Assert.True(list.Count == 0, $"{list.Count} problem(s):{Environment.NewLine}{string.Join(Environment.NewLine, list)}");
    }

    [Theory]
    [MemberData(nameof(Renderings.All), MemberType = typeof(Renderings))]
    public void EveryWorkloadHasAHardenedProbedDeploymentWithLimitsAndAServiceOnPort80(string rendering) =>
        NoProblems(ManifestRules.Workloads(Renderings.Render(rendering), Renderings.Expected(rendering)));

    [Theory]
    [MemberData(nameof(Renderings.All), MemberType = typeof(Renderings))]
    public void EverySelectorFindsItsPodsAndNoServiceSelectsAMigration(string rendering) =>
        NoProblems(ManifestRules.Selectors(Renderings.Render(rendering)));

    [Theory]
    [MemberData(nameof(Renderings.All), MemberType = typeof(Renderings))]
    public void EveryImageIsTheContainerRepositoryOfItsProject(string rendering) =>
        NoProblems(ManifestRules.Images(Renderings.Render(rendering), Contract.Workloads));

    [Theory]
    [MemberData(nameof(Renderings.All), MemberType = typeof(Renderings))]
    public void EveryDatabaseHasAMigrationJobRunningItsServiceImageWithMigrate(string rendering) =>
        NoProblems(ManifestRules.Migrations(Renderings.Render(rendering), Renderings.Expected(rendering)));

    [Theory]
    [MemberData(nameof(Renderings.All), MemberType = typeof(Renderings))]
    public void NoSecretIsInTheManifestsAndEverySecretReadIsDocumented(string rendering) =>
        NoProblems(ManifestRules.Secrets(Renderings.Render(rendering), Renderings.DocumentedSecrets()));

    [Theory]
    [MemberData(nameof(Renderings.All), MemberType = typeof(Renderings))]
    public void OnlyTheGatewayAndThePortalAreReachableFromOutsideTheNamespace(string rendering) =>
        NoProblems(ManifestRules.Exposure(Renderings.Render(rendering)));

    [Theory]
    [MemberData(nameof(Renderings.All), MemberType = typeof(Renderings))]
    public void EveryDeploymentThatRunsTwoPodsKeepsOneThroughADisruption(string rendering) =>
        NoProblems(ManifestRules.DisruptionBudgets(Renderings.Render(rendering)));

    [Theory]
    [MemberData(nameof(Renderings.Overlays), MemberType = typeof(Renderings))]
    public void EveryServiceAndJobIsGivenItsConnectionStringsTokenAndProductionEnvironment(string rendering) =>
        NoProblems(ManifestRules.Configuration(Renderings.Render(rendering), Renderings.Expected(rendering)));

    [Theory]
    [MemberData(nameof(Renderings.Overlays), MemberType = typeof(Renderings))]
    public void EveryNamespacedObjectLandsInTheOverlaysNamespace(string rendering)
    {
        var objects = Renderings.Render(rendering);
        var ns = Assert.Single(objects.OfKind("Namespace")).Name;
        Assert.Equal(rendering == Renderings.Dev ? "controltower-dev" : "controltower", ns);
        Assert.All(objects.Where(o => o.Kind != "Namespace"), o => Assert.Equal(ns, o.Namespace));
    }

    [Theory]
    [MemberData(nameof(Renderings.Overlays), MemberType = typeof(Renderings))]
    public void EveryOverlayPinsATagOnEveryImage(string rendering)
    {
        var images = Renderings.Render(rendering).SelectMany(Kustomize.Containers).Select(c => c.Str("image") ?? "").ToList();
        Assert.NotEmpty(images);
        Assert.All(images, image => Assert.NotNull(Kustomize.SplitImage(image).TagOrDigest));
        if (rendering == Renderings.Prod)
        {
            Assert.All(images, image => Assert.DoesNotContain(":latest", image, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void ProdAutoscalesTheGatewayCollectorsAndPortalFromTwoPods()
    {
        var objects = Renderings.Render(Renderings.Prod);
        foreach (var name in new[] { "gateway", "collector-aws", "collector-azure", "web" })
        {
            var hpa = objects.Find("HorizontalPodAutoscaler", name);
            Assert.True(hpa is not null, $"no HorizontalPodAutoscaler for {name}");
            Assert.Equal("autoscaling/v2", hpa.Doc.Str("apiVersion"));
            Assert.True(int.Parse(hpa.Doc.At("spec")!.Str("minReplicas")!, System.Globalization.CultureInfo.InvariantCulture) >= 2, $"{name}: minReplicas < 2");
        }
        Assert.All(objects.OfKind("Deployment"), d => Assert.True(ManifestRules.MinimumReplicas(objects, d) >= 2, $"{d} runs fewer than two pods"));
    }

    [Fact]
    public void ProdRunsThreePostgresInstancesThreeBrokersAndExportsTelemetry()
    {
        var objects = Renderings.Render(Renderings.Prod);
        Assert.Equal("3", objects.Find("Cluster", "controltower-pg")?.Doc.At("spec")?.Str("instances"));
        Assert.Equal("3", objects.Find("RabbitmqCluster", "controltower-rabbitmq")?.Doc.At("spec")?.Str("replicas"));
        Assert.False(string.IsNullOrWhiteSpace(objects.Find("ConfigMap", "controltower-otel")?.Doc.Map("data")?.Str("OTEL_EXPORTER_OTLP_ENDPOINT")));
        Assert.Null(objects.Find("Deployment", "demo-source"));
        Assert.All(objects.OfKind("PodDisruptionBudget"), p => Assert.Equal("1", p.Doc.At("spec")?.Str("minAvailable")));
    }

    [Fact]
    public void DevRunsOneOfEverythingWithTheDemoSource()
    {
        var objects = Renderings.Render(Renderings.Dev);
        Assert.NotNull(objects.Find("Deployment", "demo-source"));
        Assert.Equal("1", objects.Find("Cluster", "controltower-pg")?.Doc.At("spec")?.Str("instances"));
        Assert.Equal("1", objects.Find("RabbitmqCluster", "controltower-rabbitmq")?.Doc.At("spec")?.Str("replicas"));
        Assert.All(objects.OfKind("Deployment"), d => Assert.Equal(1, ManifestRules.MinimumReplicas(objects, d)));
        Assert.All(objects.OfKind("HorizontalPodAutoscaler"), h => Assert.Equal("1", h.Doc.At("spec")?.Str("minReplicas")));
        // The demo source pushes with a key the gateway must know.
        var gatewayEnv = ManifestRules.Env(Kustomize.Containers(objects.Find("Deployment", "gateway")!).Single());
        Assert.Equal("demo-source", gatewayEnv.Values.SingleOrDefault(e => e.Map("valueFrom")?.Map("secretKeyRef")?.Str("key") == "demo-source")?.Map("valueFrom")?.Map("secretKeyRef")?.Str("key"));
    }

    [Fact]
    public void CloudNativePgHasADatabaseOwnedByEachServicesRoleWithADocumentedPasswordSecret()
    {
        var objects = Renderings.Render(Renderings.Prod);
        var cluster = objects.Find("Cluster", "controltower-pg")!;
        var roles = cluster.Doc.At("spec", "managed")!.Maps("roles").ToDictionary(r => r.Str("name")!, r => r.Map("passwordSecret")?.Str("name"));
        var documented = Renderings.DocumentedSecrets();
        foreach (var w in Contract.Workloads.Where(w => w.Database is not null))
        {
            var database = objects.OfKind("Database").SingleOrDefault(d => d.Doc.At("spec")?.Str("name") == w.Database);
            Assert.True(database is not null, $"no Database {w.Database}");
            var owner = database.Doc.At("spec")!.Str("owner")!;
            Assert.Equal("controltower-pg", database.Doc.At("spec", "cluster")?.Str("name"));
            Assert.True(roles.TryGetValue(owner, out var secret) && secret is not null && documented.Contains(secret), $"{w.Database}: owner {owner} is not a managed role with a documented password Secret");
            var connection = ManifestRules.Env(Kustomize.Containers(objects.Find("Deployment", w.Name)!).Single())[$"ConnectionStrings__{w.Database}"].Str("value");
            Assert.Contains($"Database={w.Database};", connection, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ManagedServicesTakeEveryConnectionStringFromOneSecretAndRunNoOperatorResources()
    {
        var objects = Renderings.Render(Renderings.Managed);
        Assert.DoesNotContain(objects, o => o.Kind is "Cluster" or "RabbitmqCluster" or "Database");
        var connectionStrings = objects.SelectMany(Kustomize.Containers).SelectMany(c => c.Maps("env"))
            .Where(e => e.Str("name")!.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(connectionStrings);
        Assert.All(connectionStrings, e =>
        {
            var reference = e.Map("valueFrom")?.Map("secretKeyRef");
            Assert.Equal("controltower-connections", reference?.Str("name"));
            Assert.Equal(e.Str("name")!["ConnectionStrings__".Length..], reference?.Str("key"));
        });
    }

    [Fact]
    public void EverySecretTheReadmeDocumentsIsUsedByARendering()
    {
        var used = Renderings.All.Select(r => (string)r.Data).SelectMany(Renderings.Render).SelectMany(o =>
            Kustomize.Containers(o).SelectMany(c => c.Maps("env")).Select(e => e.Map("valueFrom")?.Map("secretKeyRef")?.Str("name"))
                .Concat((o.Doc.Map("spec")?.Maps("tls") ?? []).Select(t => t.Str("secretName")))
                .Concat((o.Doc.At("spec", "managed")?.Maps("roles") ?? []).Select(r => r.Map("passwordSecret")?.Str("name"))))
            .OfType<string>().ToHashSet();
        Assert.NotEmpty(Renderings.DocumentedSecrets());
        Assert.All(Renderings.DocumentedSecrets(), secret => Assert.Contains(secret, used));
    }
}
