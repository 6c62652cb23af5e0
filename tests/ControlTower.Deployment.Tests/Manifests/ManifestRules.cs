using System.Text.RegularExpressions;

namespace ControlTower.Deployment.Tests.Manifests;

/// <summary>
/// The structural checks of rendered manifests. Each returns the problems it found (empty = fine), so that the tests
/// can show every fault at once and the negative tests can feed a broken manifest and see it reported.
/// </summary>
public static partial class ManifestRules
{
    private static readonly string[] Cpu = ["cpu", "memory"];

    public static IEnumerable<K8sObject> OfKind(this IEnumerable<K8sObject> objects, string kind) => objects.Where(o => o.Kind == kind);

    public static K8sObject? Find(this IEnumerable<K8sObject> objects, string kind, string name) =>
        objects.FirstOrDefault(o => o.Kind == kind && o.Name == name);

    public static Dictionary<string, string> PodLabels(K8sObject o) => o.Doc.At("spec", "template", "metadata")?.Map("labels").Labels() ?? [];

    private static bool Selects(Dictionary<string, string> selector, Dictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);

    /// <summary>Every contract workload: a Deployment with probes, port, resources and a locked-down container, and a Service in front.</summary>
    public static List<string> Workloads(IReadOnlyList<K8sObject> objects, IEnumerable<Workload> workloads)
    {
        var problems = new List<string>();
        foreach (var w in workloads)
        {
            if (objects.Find("Deployment", w.Name) is not { } deployment)
            {
                problems.Add($"{w}: no Deployment named {w.Name}.");
                continue;
            }
            var containers = Kustomize.Containers(deployment).ToList();
            if (containers.Count == 0)
            {
                problems.Add($"{deployment}: no containers.");
            }
            foreach (var c in containers)
            {
                problems.AddRange(Container(deployment, c, w.Http));
            }
            problems.AddRange(Pod(deployment, objects));
            if (w.Http)
            {
                var spread = Kustomize.PodSpec(deployment)?.Maps("topologySpreadConstraints").ToList() ?? [];
                if (spread.Count == 0)
                {
                    problems.Add($"{deployment}: no topologySpreadConstraints.");
                }
                problems.AddRange(spread.Where(t => !Selects(t.Map("labelSelector")?.Map("matchLabels").Labels() ?? [], PodLabels(deployment)))
                    .Select(t => $"{deployment}: the topology spread over {t.Str("topologyKey")} does not select its own pods."));
            }
            if (!w.Http)
            {
                if (objects.Find("Service", w.Name) is { } service)
                {
                    problems.Add($"{service}: {w.Name} serves no HTTP, so it should have no Service.");
                }
                continue;
            }
            if (objects.Find("Service", w.Name) is not { } svc)
            {
                problems.Add($"{w}: no Service named {w.Name}.");
                continue;
            }
            var selector = svc.Doc.At("spec")?.Map("selector").Labels() ?? [];
            if (!Selects(selector, PodLabels(deployment)))
            {
                problems.Add($"{svc}: its selector does not match the pods of Deployment {w.Name}.");
            }
            if ((svc.Doc.At("spec")?.Str("type") ?? "ClusterIP") != "ClusterIP")
            {
                problems.Add($"{svc}: type {svc.Doc.At("spec")?.Str("type")}; only the Ingress may expose a service.");
            }
            var ports = svc.Doc.At("spec")?.Maps("ports").ToList() ?? [];
            if (!ports.Any(p => p.Str("port") == "80" && p.Str("name") == "http" && p.Str("targetPort") is "http" or "8080"))
            {
                problems.Add($"{svc}: no port 80 named http targeting the container's http port.");
            }
        }
        return problems;
    }

    /// <summary>A container of a Deployment: probes (when it serves HTTP), the http port, resources and its security context.</summary>
    public static IEnumerable<string> Container(K8sObject owner, Dictionary<string, object?> c, bool http)
    {
        var at = $"{owner} container {c.Str("name")}";
        if (http)
        {
            if (!c.Maps("ports").Any(p => p.Str("name") == "http" && p.Str("containerPort") == "8080"))
            {
                yield return $"{at}: no containerPort 8080 named http.";
            }
            foreach (var (probe, path) in new[] { ("startupProbe", "/health"), ("readinessProbe", "/health"), ("livenessProbe", "/alive") })
            {
                var get = c.Map(probe)?.Map("httpGet");
                if (get is null || get.Str("path") != path || get.Str("port") is not ("http" or "8080"))
                {
                    yield return $"{at}: {probe} must be an HTTP GET of {path} on port http.";
                }
            }
        }
        foreach (var problem in Resources(at, c).Concat(SecurityContext(owner, at, c)))
        {
            yield return problem;
        }
    }

    private static IEnumerable<string> Resources(string at, Dictionary<string, object?> c)
    {
        foreach (var bound in new[] { "requests", "limits" })
        {
            foreach (var resource in Cpu)
            {
                if (string.IsNullOrWhiteSpace(c.Map("resources")?.Map(bound)?.Str(resource)))
                {
                    yield return $"{at}: no {bound}.{resource}.";
                }
            }
        }
    }

    private static IEnumerable<string> SecurityContext(K8sObject owner, string at, Dictionary<string, object?> c)
    {
        var pod = Kustomize.PodSpec(owner)?.Map("securityContext") ?? [];
        var sc = c.Map("securityContext") ?? [];
        string? Effective(string key) => sc.Str(key) ?? pod.Str(key);
        if (Effective("runAsNonRoot") != "true")
        {
            yield return $"{at}: runAsNonRoot is not true.";
        }
        if (sc.Str("readOnlyRootFilesystem") != "true")
        {
            yield return $"{at}: readOnlyRootFilesystem is not true.";
        }
        if (sc.Str("allowPrivilegeEscalation") != "false")
        {
            yield return $"{at}: allowPrivilegeEscalation is not false.";
        }
        if (!(sc.Map("capabilities")?.List("drop") ?? []).OfType<string>().Contains("ALL"))
        {
            yield return $"{at}: capabilities do not drop ALL.";
        }
        if ((sc.Map("seccompProfile") ?? pod.Map("seccompProfile"))?.Str("type") != "RuntimeDefault")
        {
            yield return $"{at}: seccompProfile is not RuntimeDefault.";
        }
        // A read-only root needs somewhere to write: .NET's diagnostics socket and temporary files go to /tmp.
        var tmp = c.Maps("volumeMounts").FirstOrDefault(m => m.Str("mountPath") == "/tmp");
        var volume = tmp is null ? null : Kustomize.PodSpec(owner)?.Maps("volumes").FirstOrDefault(v => v.Str("name") == tmp.Str("name"));
        if (volume?.ContainsKey("emptyDir") != true)
        {
            yield return $"{at}: no emptyDir volume mounted at /tmp.";
        }
    }

    /// <summary>The pod around the containers: its own service account (without a token) and, for Deployments, a selector that matches it.</summary>
    public static IEnumerable<string> Pod(K8sObject owner, IReadOnlyList<K8sObject> objects)
    {
        var spec = Kustomize.PodSpec(owner) ?? [];
        if (spec.Str("automountServiceAccountToken") != "false")
        {
            yield return $"{owner}: the pod does not set automountServiceAccountToken: false.";
        }
        var account = spec.Str("serviceAccountName");
        if (account is null || objects.Find("ServiceAccount", account) is not { } sa)
        {
            yield return $"{owner}: its service account {account ?? "(default)"} is not one of the manifests'.";
        }
        else if (sa.Doc.Str("automountServiceAccountToken") != "false")
        {
            yield return $"{sa}: automountServiceAccountToken is not false.";
        }
        if (owner.Kind == "Deployment" && !Selects(owner.Doc.At("spec", "selector")?.Map("matchLabels").Labels() ?? [], PodLabels(owner)))
        {
            yield return $"{owner}: spec.selector.matchLabels does not match its pod template's labels.";
        }
    }

    /// <summary>Selectors that must find their pods: Services, PodDisruptionBudgets and HPAs; and no Service may select a migration pod.</summary>
    public static List<string> Selectors(IReadOnlyList<K8sObject> objects)
    {
        var problems = new List<string>();
        var deployments = objects.OfKind("Deployment").ToList();
        foreach (var o in objects.Where(o => o.Kind is "Service" or "PodDisruptionBudget"))
        {
            var selector = o.Kind == "Service"
                ? o.Doc.At("spec")?.Map("selector").Labels() ?? []
                : o.Doc.At("spec", "selector")?.Map("matchLabels").Labels() ?? [];
            if (!deployments.Any(d => Selects(selector, PodLabels(d))))
            {
                problems.Add($"{o}: selects no Deployment's pods.");
            }
            if (o.Kind == "Service" && objects.OfKind("Job").FirstOrDefault(j => Selects(selector, PodLabels(j))) is { } job)
            {
                problems.Add($"{o}: also selects the pods of {job}, which serve nothing.");
            }
        }
        foreach (var hpa in objects.OfKind("HorizontalPodAutoscaler"))
        {
            var target = hpa.Doc.At("spec", "scaleTargetRef");
            if (target?.Str("kind") != "Deployment" || objects.Find("Deployment", target.Str("name") ?? "") is null)
            {
                problems.Add($"{hpa}: scales {target?.Str("kind")}/{target?.Str("name")}, which is not one of the Deployments.");
            }
        }
        return problems;
    }

    /// <summary>Every Deployment and Job runs the image of the project the contract maps its name to (whatever the registry and tag).</summary>
    public static List<string> Images(IReadOnlyList<K8sObject> objects, IReadOnlyList<Workload> workloads)
    {
        var problems = new List<string>();
        foreach (var o in objects.Where(o => o.Kind is "Deployment" or "Job"))
        {
            var name = o.Kind == "Job" && o.Name.EndsWith("-migrate", StringComparison.Ordinal) ? o.Name[..^"-migrate".Length] : o.Name;
            if (workloads.FirstOrDefault(w => w.Name == name) is not { } w)
            {
                problems.Add($"{o}: not a workload of the contract.");
                continue;
            }
            foreach (var c in Kustomize.Containers(o))
            {
                var (image, _) = Kustomize.SplitImage(c.Str("image") ?? "");
                if (image != w.ExpectedImage && !image.EndsWith("/" + w.ExpectedImage, StringComparison.Ordinal))
                {
                    problems.Add($"{o} container {c.Str("name")}: image {c.Str("image")}, expected {w.ExpectedImage} (from {w.Project}).");
                }
            }
        }
        return problems;
    }

    /// <summary>A migration Job per database: the service's image with the argument migrate, its connection string, and bounded retries.</summary>
    public static List<string> Migrations(IReadOnlyList<K8sObject> objects, IEnumerable<Workload> workloads)
    {
        var problems = new List<string>();
        foreach (var w in workloads.Where(w => w.Database is not null))
        {
            if (objects.Find("Job", $"{w.Name}-migrate") is not { } job)
            {
                problems.Add($"{w}: no migration Job {w.Name}-migrate.");
                continue;
            }
            var spec = job.Doc.Map("spec") ?? [];
            if (spec.Str("backoffLimit") is null || spec.Str("ttlSecondsAfterFinished") is null)
            {
                problems.Add($"{job}: needs backoffLimit and ttlSecondsAfterFinished.");
            }
            if (job.Doc.At("metadata")?.Map("labels").Labels().GetValueOrDefault("app.kubernetes.io/component") != "migration"
                || PodLabels(job).GetValueOrDefault("app.kubernetes.io/component") != "migration")
            {
                problems.Add($"{job}: the Job and its pods must be labelled app.kubernetes.io/component: migration.");
            }
            if (Kustomize.PodSpec(job)?.Str("restartPolicy") is not ("Never" or "OnFailure"))
            {
                problems.Add($"{job}: restartPolicy must be Never or OnFailure.");
            }
            var containers = Kustomize.Containers(job).ToList();
            if (containers.Count != 1 || containers[0].List("args") is not ["migrate"])
            {
                problems.Add($"{job}: must run one container with args [\"migrate\"].");
            }
            var deploymentImage = objects.Find("Deployment", w.Name) is { } d ? Kustomize.Containers(d).FirstOrDefault()?.Str("image") : null;
            foreach (var c in containers)
            {
                if (c.Str("image") != deploymentImage)
                {
                    problems.Add($"{job}: image {c.Str("image")} is not the Deployment's {deploymentImage}.");
                }
                problems.AddRange(Resources($"{job} container {c.Str("name")}", c));
                problems.AddRange(SecurityContext(job, $"{job} container {c.Str("name")}", c));
            }
            problems.AddRange(Pod(job, objects));
        }
        return problems;
    }

    public static Dictionary<string, Dictionary<string, object?>> Env(Dictionary<string, object?> container) =>
        container.Maps("env").Where(e => e.Str("name") is not null).ToDictionary(e => e.Str("name")!, e => e);

    /// <summary>
    /// What each service must be told: connection strings for its database and the bus, the internal token, the Production
    /// environment; and every <c>$(VAR)</c> must name a variable defined before it, or Kubernetes leaves it as literal text.
    /// </summary>
    public static List<string> Configuration(IReadOnlyList<K8sObject> objects, IEnumerable<Workload> workloads)
    {
        var problems = new List<string>();
        foreach (var w in workloads)
        {
            if (objects.Find("Deployment", w.Name) is not { } deployment)
            {
                continue;
            }
            var c = Kustomize.Containers(deployment).FirstOrDefault() ?? [];
            var env = Env(c);
            var required = new List<string>();
            if (w.Database is not null)
            {
                required.Add($"ConnectionStrings__{w.Database}");
            }
            if (w.Bus)
            {
                required.Add("ConnectionStrings__messaging");
            }
            if (w.Name is not ("web" or "demo-source"))
            {
                required.Add("ControlTower__InternalToken");
            }
            problems.AddRange(required.Where(r => !env.ContainsKey(r)).Select(r => $"{deployment}: no {r}."));
            if (!c.Maps("envFrom").Any(f => f.Map("configMapRef")?.Str("name") == "controltower-otel")
                || env.GetValueOrDefault("OTEL_SERVICE_NAME")?.Str("value") != w.Name)
            {
                problems.Add($"{deployment}: telemetry needs envFrom the ConfigMap controltower-otel and OTEL_SERVICE_NAME={w.Name}.");
            }
            if (w.Database is not null && objects.Find("Job", $"{w.Name}-migrate") is { } job
                && !Env(Kustomize.Containers(job).FirstOrDefault() ?? []).ContainsKey($"ConnectionStrings__{w.Database}"))
            {
                problems.Add($"{job}: no ConnectionStrings__{w.Database}.");
            }
        }
        foreach (var o in objects.Where(o => o.Kind is "Deployment" or "Job"))
        {
            var configMaps = (Kustomize.PodSpec(o)?.Maps("volumes") ?? []).Select(v => v.Map("configMap")).OfType<Dictionary<string, object?>>()
                .Concat(Kustomize.Containers(o).SelectMany(c => c.Maps("envFrom")).Select(f => f.Map("configMapRef")).OfType<Dictionary<string, object?>>());
            foreach (var missing in configMaps.Where(m => m.Str("optional") != "true" && objects.Find("ConfigMap", m.Str("name") ?? "") is null))
            {
                problems.Add($"{o}: reads the ConfigMap {missing.Str("name")}, which the manifests do not define (and it is not optional).");
            }
            foreach (var c in Kustomize.Containers(o))
            {
                var env = c.Maps("env").ToList();
                if (env.FirstOrDefault(e => e.Str("name") == "ASPNETCORE_ENVIRONMENT")?.Str("value") != "Production")
                {
                    problems.Add($"{o} container {c.Str("name")}: ASPNETCORE_ENVIRONMENT must be Production (Development signs anyone in).");
                }
                var names = env.Select(e => e.Str("name")).ToList();
                if (names.Count != names.Distinct().Count())
                {
                    problems.Add($"{o} container {c.Str("name")}: an environment variable is defined twice.");
                }
                for (var i = 0; i < env.Count; i++)
                {
                    foreach (Match m in VariableReference().Matches(env[i].Str("value") ?? ""))
                    {
                        if (!names.Take(i).Contains(m.Groups[1].Value))
                        {
                            problems.Add($"{o} container {c.Str("name")}: {env[i].Str("name")} refers to $({m.Groups[1].Value}), which is not defined before it.");
                        }
                    }
                }
            }
        }
        return problems;
    }

    /// <summary>
    /// No secret in the repository: no Secret with data, no secret-looking environment variable or ConfigMap key with a
    /// literal value, no password in a literal connection string, and every Secret referenced is one the README tells
    /// the operator to create (or names as the operator's).
    /// </summary>
    public static List<string> Secrets(IReadOnlyList<K8sObject> objects, IReadOnlySet<string> documented)
    {
        var problems = new List<string>();
        foreach (var secret in objects.OfKind("Secret"))
        {
            problems.Add($"{secret}: a Secret in the manifests; Secrets are created by the operator (README), never kept in the repository.");
        }
        foreach (var map in objects.OfKind("ConfigMap"))
        {
            foreach (var key in (map.Doc.Map("data") ?? []).Keys.Where(k => SecretName().IsMatch(k) && !NotSecret().IsMatch(k)))
            {
                problems.Add($"{map}: the key {key} looks like a secret; keep it in a Secret.");
            }
        }
        var tlsSecrets = objects.OfKind("Ingress").SelectMany(i => (i.Doc.Map("spec")?.Maps("tls") ?? []).Select(t => (Owner: i, Secret: t.Str("secretName"))));
        var roleSecrets = objects.OfKind("Cluster").SelectMany(c => (c.Doc.At("spec", "managed")?.Maps("roles") ?? [])
            .Select(r => (Owner: c, Secret: r.Map("passwordSecret")?.Str("name"))));
        foreach (var (owner, name) in tlsSecrets.Concat(roleSecrets).Where(s => s.Secret is not null && !documented.Contains(s.Secret)))
        {
            problems.Add($"{owner}: uses the Secret {name}, which the README does not document.");
        }
        foreach (var o in objects)
        {
            foreach (var c in Kustomize.Containers(o))
            {
                foreach (var e in c.Maps("env"))
                {
                    var name = e.Str("name") ?? "";
                    var value = e.Str("value");
                    if (value is not null && SecretName().IsMatch(name) && !NotSecret().IsMatch(name))
                    {
                        problems.Add($"{o} container {c.Str("name")}: {name} has a literal value; take it from a Secret.");
                    }
                    if (value is not null && LiteralPassword().IsMatch(value))
                    {
                        problems.Add($"{o} container {c.Str("name")}: {name} holds a password in plain text.");
                    }
                    if (e.Map("valueFrom")?.Map("secretKeyRef") is { } reference && !documented.Contains(reference.Str("name") ?? ""))
                    {
                        problems.Add($"{o} container {c.Str("name")}: {name} reads the Secret {reference.Str("name")}, which the README does not document.");
                    }
                }
                foreach (var from in c.Maps("envFrom").Where(f => f.ContainsKey("secretRef")))
                {
                    problems.Add($"{o} container {c.Str("name")}: envFrom a whole Secret ({from.Map("secretRef")?.Str("name")}); name each key instead.");
                }
            }
        }
        return problems;
    }

    /// <summary>
    /// Only the gateway and the portal are reachable from outside the namespace: the only Ingress backends, the only pods
    /// a NetworkPolicy opens to other namespaces or addresses; and a default-deny policy covers everything else.
    /// </summary>
    public static List<string> Exposure(IReadOnlyList<K8sObject> objects)
    {
        string[] publicNames = ["gateway", "web"];
        var problems = new List<string>();
        foreach (var ingress in objects.OfKind("Ingress"))
        {
            var backends = (ingress.Doc.Map("spec")?.Maps("rules") ?? [])
                .SelectMany(r => r.Map("http")?.Maps("paths") ?? [])
                .Select(p => p.At("backend", "service")?.Str("name"))
                .Append(ingress.Doc.At("spec", "defaultBackend", "service")?.Str("name"))
                .OfType<string>();
            problems.AddRange(backends.Where(b => !publicNames.Contains(b)).Select(b => $"{ingress}: routes to {b}; only the gateway and the portal are public."));
        }
        var policies = objects.OfKind("NetworkPolicy").ToList();
        if (!policies.Any(p => p.Doc.Map("spec") is { } s && (s.Map("podSelector") ?? []).Count == 0
                && (s.List("policyTypes") ?? []).Contains("Ingress") && s.List("ingress") is null or []))
        {
            problems.Add("No default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress], no ingress rules).");
        }
        var deployments = objects.OfKind("Deployment").ToList();
        foreach (var policy in policies)
        {
            var selector = policy.Doc.At("spec", "podSelector")?.Map("matchLabels").Labels() ?? [];
            var selected = deployments.Where(d => selector.Count == 0 || Selects(selector, PodLabels(d))).Select(d => d.Name).ToList();
            var opensOutward = (policy.Doc.Map("spec")?.Maps("ingress") ?? []).Any(rule =>
                rule.List("from") is null or [] || rule.Maps("from").Any(peer => peer.ContainsKey("namespaceSelector") || peer.ContainsKey("ipBlock")));
            foreach (var name in selected.Where(n => opensOutward && !publicNames.Contains(n)))
            {
                problems.Add($"{policy}: lets traffic from outside the namespace reach {name}; only the gateway and the portal may be.");
            }
        }
        foreach (var name in publicNames)
        {
            var reachable = policies.Any(p =>
                Selects(p.Doc.At("spec", "podSelector")?.Map("matchLabels").Labels() ?? [], PodLabels(objects.Find("Deployment", name)!))
                && (p.Doc.Map("spec")?.Maps("ingress") ?? []).Any(rule => rule.Maps("from").Any(peer =>
                    peer.At("namespaceSelector", "matchLabels")?.Labels().GetValueOrDefault("kubernetes.io/metadata.name") == "ingress-nginx")));
            if (objects.Find("Deployment", name) is not null && !reachable)
            {
                problems.Add($"{name}: no NetworkPolicy lets the ingress controller reach it.");
            }
        }
        return problems;
    }

    /// <summary>The fewest replicas a Deployment runs with: its HPA's minimum, else its replicas (1 when unset).</summary>
    public static int MinimumReplicas(IReadOnlyList<K8sObject> objects, K8sObject deployment) =>
        objects.OfKind("HorizontalPodAutoscaler").FirstOrDefault(h => h.Doc.At("spec", "scaleTargetRef")?.Str("name") == deployment.Name) is { } hpa
            ? int.Parse(hpa.Doc.At("spec")?.Str("minReplicas") ?? "1", System.Globalization.CultureInfo.InvariantCulture)
            : int.Parse(deployment.Doc.At("spec")?.Str("replicas") ?? "1", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every Deployment that runs two or more pods has a PodDisruptionBudget that keeps at least one.</summary>
    public static List<string> DisruptionBudgets(IReadOnlyList<K8sObject> objects)
    {
        var problems = new List<string>();
        foreach (var d in objects.OfKind("Deployment").Where(d => MinimumReplicas(objects, d) >= 2))
        {
            var budgets = objects.OfKind("PodDisruptionBudget")
                .Where(p => Selects(p.Doc.At("spec", "selector")?.Map("matchLabels").Labels() ?? [], PodLabels(d))).ToList();
            var replicas = MinimumReplicas(objects, d);
            if (!budgets.Any(p => KeepsOne(p.Doc.Map("spec") ?? [], replicas)))
            {
                problems.Add($"{d}: runs {replicas} or more pods but no PodDisruptionBudget keeps at least one of them.");
            }
        }
        foreach (var p in objects.OfKind("PodDisruptionBudget"))
        {
            var spec = p.Doc.Map("spec") ?? [];
            if (spec.ContainsKey("minAvailable") == spec.ContainsKey("maxUnavailable"))
            {
                problems.Add($"{p}: needs exactly one of minAvailable and maxUnavailable.");
            }
        }
        return problems;
    }

    private static bool KeepsOne(Dictionary<string, object?> spec, int replicas) =>
        spec.Str("minAvailable") is { } min ? min is not ("0" or "0%")
        : int.TryParse(spec.Str("maxUnavailable"), System.Globalization.CultureInfo.InvariantCulture, out var max) && max < replicas;

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex VariableReference();

    [GeneratedRegex("password|secret|token|key", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    // Not secrets though their names say key: a bootstrap API key's name and scopes (the key itself comes from a Secret).
    [GeneratedRegex(@"^Gateway__ApiKeys__Keys__\d+__(Name|Scopes__\d+)$")]
    private static partial Regex NotSecret();

    // A connection string whose password is written out rather than expanded from a Secret-backed variable.
    [GeneratedRegex(@"(?i)(password|pwd)=(?!\$\()[^;]+|://[^:/@\s]+:(?!\$\()[^@\s]+@")]
    private static partial Regex LiteralPassword();
}
