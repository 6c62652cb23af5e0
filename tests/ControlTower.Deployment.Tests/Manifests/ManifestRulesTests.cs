namespace ControlTower.Deployment.Tests.Manifests;

/// <summary>
/// The checks can fail: each test breaks one thing in a fresh rendering of prod (which passes every check as it is)
/// and expects the rule to name it.
/// </summary>
public sealed class ManifestRulesTests
{
    private readonly List<K8sObject> prod = [.. Renderings.Render(Renderings.Prod)];

    private Dictionary<string, object?> Container(string deployment) =>
        Kustomize.Containers(prod.Find("Deployment", deployment)!).First();

    private Dictionary<string, object?> EnvVar(string deployment, string name) =>
        Container(deployment).Maps("env").Single(e => e.Str("name") == name);

    private static void Reports(List<string> problems, string expected) =>
        Assert.True(problems.Any(p => p.Contains(expected, StringComparison.Ordinal)),
            $"Expected a problem containing '{expected}'; got:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}");

    private List<string> Workloads() => ManifestRules.Workloads(prod, [.. Contract.Services]);

    [Fact]
    public void TheUnbrokenRenderingHasNoProblems()
    {
        Assert.Empty(Workloads());
        Assert.Empty(ManifestRules.Secrets(prod, Renderings.DocumentedSecrets()));
        Assert.Empty(ManifestRules.Exposure(prod));
        Assert.Empty(ManifestRules.Configuration(prod, [.. Contract.Services]));
    }

    [Fact]
    public void ADeploymentWithoutLimitsIsReported()
    {
        Container("gateway").Map("resources")!.Remove("limits");
        Reports(Workloads(), "Deployment/gateway (deploy/kubernetes/base/gateway/deployment.yaml) container gateway: no limits.cpu.");
        Reports(Workloads(), "container gateway: no limits.memory.");
    }

    [Fact]
    public void AProbeOnTheWrongPathIsReported()
    {
        Container("operations").Map("livenessProbe")!.Map("httpGet")!["path"] = "/health";
        Reports(Workloads(), "container operations: livenessProbe must be an HTTP GET of /alive");
    }

    [Fact]
    public void AContainerThatMayWriteItsRootOrEscalateIsReported()
    {
        Container("web").Map("securityContext")!["readOnlyRootFilesystem"] = "false";
        Container("web").Map("securityContext")!.Remove("allowPrivilegeEscalation");
        Reports(Workloads(), "container web: readOnlyRootFilesystem is not true.");
        Reports(Workloads(), "container web: allowPrivilegeEscalation is not false.");
    }

    [Fact]
    public void AServiceThatMissesItsPodsIsReported()
    {
        prod.Find("Service", "governance")!.Doc.Map("spec")!.Map("selector")!["app.kubernetes.io/name"] = "governanse";
        Reports(Workloads(), "Service/governance");
        Reports(ManifestRules.Selectors(prod), "Service/governance");
    }

    [Fact]
    public void AServiceThatAlsoSelectsTheMigrationPodsIsReported()
    {
        prod.Find("Service", "gateway")!.Doc.Map("spec")!.Map("selector")!.Remove("app.kubernetes.io/component");
        Reports(ManifestRules.Selectors(prod), "also selects the pods of Job/gateway-migrate");
    }

    [Fact]
    public void AnImageOfAnotherProjectIsReported()
    {
        Container("collector-aws")["image"] = "controltower/collector-azure:1.0.0";
        Reports(ManifestRules.Images(prod, Contract.Workloads), "expected controltower/collector-aws");
    }

    [Fact]
    public void AMigrationJobThatDoesNotMigrateIsReported()
    {
        Kustomize.Containers(prod.Find("Job", "releasegate-migrate")!).Single()["args"] = new List<object?> { "serve" };
        prod.Remove(prod.Find("Job", "web-migrate")!);
        var problems = ManifestRules.Migrations(prod, [.. Contract.Services]);
        Reports(problems, "Job/releasegate-migrate");
        Reports(problems, "web: no migration Job web-migrate.");
    }

    [Fact]
    public void ALiteralSecretIsReported()
    {
        var token = EnvVar("operations", "ControlTower__InternalToken");
        token.Remove("valueFrom");
        token["value"] = "hunter2hunter2hunter2hunter2";
        EnvVar("gateway", "ConnectionStrings__gatewaydb")["value"] = "Host=pg;Database=gatewaydb;Username=gateway;Password=hunter2";
        prod.Add(new K8sObject(Kustomize.Parse("apiVersion: v1\nkind: Secret\nmetadata:\n  name: oops\nstringData:\n  token: abc\n", "test")[0], "test"));
        var problems = ManifestRules.Secrets(prod, Renderings.DocumentedSecrets());
        Reports(problems, "ControlTower__InternalToken has a literal value");
        Reports(problems, "ConnectionStrings__gatewaydb holds a password in plain text");
        Reports(problems, "Secret/oops");
    }

    [Fact]
    public void ASecretTheReadmeDoesNotDocumentIsReported()
    {
        EnvVar("operations", "ControlTower__InternalToken").Map("valueFrom")!.Map("secretKeyRef")!["name"] = "some-other-secret";
        prod.Find("Ingress", "web")!.Doc.Map("spec")!.Maps("tls").Single()["secretName"] = "portal-certificate";
        var problems = ManifestRules.Secrets(prod, Renderings.DocumentedSecrets());
        Reports(problems, "reads the Secret some-other-secret, which the README does not document");
        Reports(problems, "Ingress/web (deploy/kubernetes/base/web/ingress.yaml): uses the Secret portal-certificate, which the README does not document.");
    }

    [Fact]
    public void AnIngressToAnInternalServiceOrAPolicyOpeningItIsReported()
    {
        var ingress = prod.Find("Ingress", "gateway")!;
        ingress.Doc.Map("spec")!.Maps("rules").Single().Map("http")!.Maps("paths").Single().At("backend", "service")!["name"] = "operations";
        var policy = prod.Find("NetworkPolicy", "operations-ingress")!;
        policy.Doc.Map("spec")!.Maps("ingress").Single().Maps("from").Single()["namespaceSelector"] = new Dictionary<string, object?>();
        var problems = ManifestRules.Exposure(prod);
        Reports(problems, "Ingress/gateway");
        Reports(problems, "NetworkPolicy/operations-ingress");
    }

    [Fact]
    public void NoDefaultDenyIsReported()
    {
        prod.Remove(prod.Find("NetworkPolicy", "default-deny-ingress")!);
        Reports(ManifestRules.Exposure(prod), "No default-deny NetworkPolicy");
    }

    [Fact]
    public void AVariableReferencedBeforeItIsDefinedIsReported()
    {
        var env = Container("governance").List("env")!;
        var password = env.OfType<Dictionary<string, object?>>().Single(e => e.Str("name") == "PG_PASSWORD");
        env.Remove(password);
        env.Add(password);
        Reports(ManifestRules.Configuration(prod, [.. Contract.Services]), "refers to $(PG_PASSWORD), which is not defined before it");
    }

    [Fact]
    public void AMissingConnectionStringOrDevelopmentEnvironmentIsReported()
    {
        Container("collector-azure").List("env")!.Remove(EnvVar("collector-azure", "ConnectionStrings__messaging"));
        EnvVar("web", "ASPNETCORE_ENVIRONMENT")["value"] = "Development";
        var problems = ManifestRules.Configuration(prod, [.. Contract.Services]);
        Reports(problems, "Deployment/collector-azure (deploy/kubernetes/base/collector-azure/deployment.yaml): no ConnectionStrings__messaging.");
        Reports(problems, "container web: ASPNETCORE_ENVIRONMENT must be Production");
    }

    [Fact]
    public void AMultiReplicaDeploymentWithoutABudgetIsReported()
    {
        prod.Remove(prod.Find("PodDisruptionBudget", "collector-aws")!);
        Reports(ManifestRules.DisruptionBudgets(prod), "Deployment/collector-aws");
    }

    [Fact]
    public void ASpreadThatMissesItsPodsOrAMissingConfigMapIsReported()
    {
        var spread = Kustomize.PodSpec(prod.Find("Deployment", "releasegate")!)!.Maps("topologySpreadConstraints").First();
        spread.Map("labelSelector")!.Map("matchLabels")!["app.kubernetes.io/name"] = "release-gate";
        prod.Remove(prod.Find("ConfigMap", "controltower-messaging")!);
        Reports(Workloads(), "Deployment/releasegate (deploy/kubernetes/base/releasegate/deployment.yaml): the topology spread over topology.kubernetes.io/zone does not select its own pods.");
        Reports(ManifestRules.Configuration(prod, [.. Contract.Services]), "reads the ConfigMap controltower-messaging, which the manifests do not define");
    }
}
