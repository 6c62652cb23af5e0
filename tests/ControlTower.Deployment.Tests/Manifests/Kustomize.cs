using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace ControlTower.Deployment.Tests.Manifests;

/// <summary>A kustomization the renderer will not build: a missing file, a patch with no target, or a field it does not know.</summary>
public sealed class KustomizeException(string message) : Exception(message);

/// <summary>One rendered Kubernetes object, as plain maps (string keys), lists and string scalars.</summary>
public sealed record K8sObject(Dictionary<string, object?> Doc, string Source)
{
    public string Kind => Doc.Str("kind") ?? "";

    public string Name => Doc.Map("metadata")?.Str("name") ?? "";

    public string? Namespace => Doc.Map("metadata")?.Str("namespace");

    public override string ToString() => $"{Kind}/{Name} ({Source})";
}

/// <summary>
/// A small Kustomize for exactly the subset deploy/kubernetes uses, since no kustomize or kubectl binary is here.
/// It refuses anything else loudly (a field, a patch directive, a list it cannot merge), so that a later change
/// cannot slip past the manifest checks by using a feature the checks never render. Where kustomize would be
/// lenient it is stricter: an <c>images</c> or <c>replicas</c> entry that matches nothing is an error.
/// Supported: resources (files and directories), components, namespace, labels (without selectors), images,
/// replicas, and patches (strategic merge, one document each, by the patch's own kind and name or a
/// kind/name target; lists merged by name for containers, initContainers, env and volumes, and by mountPath for
/// volumeMounts; null deletes a field; a custom resource's lists are not patched at all).
/// </summary>
public static class Kustomize
{
    private static readonly string[] KustomizationFileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

    private static readonly HashSet<string> KnownFields =
        ["apiVersion", "kind", "resources", "components", "namespace", "labels", "images", "replicas", "patches"];

    private static readonly HashSet<string> ClusterScoped =
        ["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass"];

    private static readonly Dictionary<string, string> ListMergeKeys = new(StringComparer.Ordinal)
    {
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["env"] = "name",
        ["volumes"] = "name",
        ["volumeMounts"] = "mountPath",
    };

    private static readonly HashSet<string> PodTemplateKinds = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"];

    private static readonly HashSet<string> BuiltInKinds =
    [
        "Namespace", "ServiceAccount", "ConfigMap", "Secret", "Service", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob",
        "Ingress", "NetworkPolicy", "PodDisruptionBudget", "HorizontalPodAutoscaler",
    ];

    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    /// <summary>Renders the kustomization in <paramref name="directory"/>, as <c>kustomize build</c> would.</summary>
    public static IReadOnlyList<K8sObject> Build(string directory) => Build(directory, LoadKustomization(directory, "Kustomization"));

    /// <summary>Renders a kustomization given as a map, resolving its paths against <paramref name="directory"/>.</summary>
    public static IReadOnlyList<K8sObject> Build(string directory, Dictionary<string, object?> kustomization) =>
        Apply(Path.GetFullPath(directory), kustomization, [], isComponent: false);

    /// <summary>The files and folders a kustomization names (resources, components, patch paths), resolved; for the existence checks.</summary>
    public static IEnumerable<string> NamedPaths(string directory)
    {
        var k = LoadKustomization(directory, kind: null);
        foreach (var entry in k.List("resources") ?? [])
        {
            yield return Path.GetFullPath(Path.Combine(directory, AsString(entry, "resources")));
        }
        foreach (var entry in k.List("components") ?? [])
        {
            yield return Path.GetFullPath(Path.Combine(directory, AsString(entry, "components")));
        }
        foreach (var entry in k.List("patches") ?? [])
        {
            if (entry is Dictionary<string, object?> patch && patch.Str("path") is { } path)
            {
                yield return Path.GetFullPath(Path.Combine(directory, path));
            }
        }
    }

    public static string? KustomizationFile(string directory) =>
        KustomizationFileNames.Select(n => Path.Combine(directory, n)).FirstOrDefault(File.Exists);

    private static Dictionary<string, object?> LoadKustomization(string directory, string? kind)
    {
        var file = KustomizationFile(directory) ?? throw new KustomizeException($"{directory} has no kustomization.yaml.");
        var docs = LoadDocuments(file);
        if (docs.Count != 1)
        {
            throw new KustomizeException($"{file} must hold one document, not {docs.Count}.");
        }
        var k = docs[0];
        if (kind is not null && (k.Str("kind") ?? "Kustomization") != kind)
        {
            throw new KustomizeException($"{file} is a {k.Str("kind")}, where a {kind} was expected.");
        }
        return k;
    }

    private static List<K8sObject> Apply(string directory, Dictionary<string, object?> k, List<K8sObject> incoming, bool isComponent)
    {
        foreach (var field in k.Keys.Where(f => !KnownFields.Contains(f)))
        {
            throw new KustomizeException($"The kustomization in {directory} uses '{field}', which this renderer does not understand; "
                + "teach Kustomize.cs what it means before using it, or the manifest checks would not see its effect.");
        }
        var objects = isComponent ? incoming : [];
        foreach (var entry in k.List("resources") ?? [])
        {
            var path = Path.GetFullPath(Path.Combine(directory, AsString(entry, "resources")));
            if (Directory.Exists(path))
            {
                AddAll(objects, Build(path));
            }
            else if (File.Exists(path))
            {
                AddAll(objects, LoadDocuments(path).Select(d => new K8sObject(d, Relative(path))));
            }
            else
            {
                throw new KustomizeException($"The kustomization in {directory} names the resource {entry}, which does not exist.");
            }
        }
        foreach (var entry in k.List("components") ?? [])
        {
            var path = Path.GetFullPath(Path.Combine(directory, AsString(entry, "components")));
            if (!Directory.Exists(path))
            {
                throw new KustomizeException($"The kustomization in {directory} names the component {entry}, which does not exist.");
            }
            objects = Apply(path, LoadKustomization(path, "Component"), objects, isComponent: true);
        }
        foreach (var entry in k.List("patches") ?? [])
        {
            ApplyPatch(directory, entry, objects);
        }
        if (k.Str("namespace") is { } ns)
        {
            foreach (var o in objects.Where(o => !ClusterScoped.Contains(o.Kind)))
            {
                o.Doc.Map("metadata")!["namespace"] = ns;
            }
        }
        foreach (var entry in k.List("labels") ?? [])
        {
            ApplyLabels(directory, entry, objects);
        }
        foreach (var entry in k.List("images") ?? [])
        {
            ApplyImage(directory, entry, objects);
        }
        foreach (var entry in k.List("replicas") ?? [])
        {
            var r = Fields(entry, directory, "replicas", "name", "count");
            var name = r.Str("name");
            var targets = objects.Where(o => o.Name == name && o.Kind is "Deployment" or "StatefulSet" or "ReplicaSet").ToList();
            if (targets.Count == 0)
            {
                throw new KustomizeException($"The kustomization in {directory} sets replicas of {name}, which no Deployment has.");
            }
            targets.ForEach(t => t.Doc.Map("spec")!["replicas"] = r.Str("count"));
        }
        return objects;
    }

    private static void AddAll(List<K8sObject> objects, IEnumerable<K8sObject> added)
    {
        foreach (var o in added)
        {
            if (objects.Any(x => x.Kind == o.Kind && x.Name == o.Name && x.Namespace == o.Namespace))
            {
                throw new KustomizeException($"{o} is defined twice.");
            }
            objects.Add(o);
        }
    }

    private static void ApplyPatch(string directory, object? entry, List<K8sObject> objects)
    {
        var p = Fields(entry, directory, "patches", "path", "patch", "target");
        Dictionary<string, object?> patch;
        string source;
        if (p.Str("path") is { } path)
        {
            var file = Path.GetFullPath(Path.Combine(directory, path));
            if (!File.Exists(file))
            {
                throw new KustomizeException($"The kustomization in {directory} names the patch {path}, which does not exist.");
            }
            var docs = LoadDocuments(file);
            if (docs.Count != 1)
            {
                throw new KustomizeException($"The patch {Relative(file)} holds {docs.Count} documents; this renderer takes one per file.");
            }
            (patch, source) = (docs[0], Relative(file));
        }
        else if (p.Str("patch") is { } inline)
        {
            var docs = Parse(inline, $"inline patch in {directory}");
            if (docs.Count != 1)
            {
                throw new KustomizeException($"An inline patch in {directory} holds {docs.Count} documents; this renderer takes one.");
            }
            (patch, source) = (docs[0], $"inline patch in {Relative(directory)}");
        }
        else
        {
            throw new KustomizeException($"A patch in {directory} has neither path nor patch.");
        }
        if (patch.ContainsKey("op") || patch.Count == 0)
        {
            throw new KustomizeException($"{source} is not a strategic-merge patch (JSON 6902 patches are not supported).");
        }
        string? kind = patch.Str("kind"), name = patch.Map("metadata")?.Str("name");
        if (p.Map("target") is { } target)
        {
            foreach (var field in target.Keys.Where(f => f is not ("kind" or "name")))
            {
                throw new KustomizeException($"The target of {source} uses '{field}'; only kind and name are supported.");
            }
            (kind, name) = (target.Str("kind") ?? kind, target.Str("name") ?? name);
        }
        var targets = objects.Where(o => o.Kind == kind && o.Name == name).ToList();
        if (targets.Count == 0)
        {
            throw new KustomizeException($"{source} patches {kind}/{name}, which no resource of this kustomization is.");
        }
        foreach (var t in targets)
        {
            var body = Clone(patch);
            body.Remove("apiVersion");
            body.Remove("kind");
            if (body.Map("metadata") is { } metadata)
            {
                metadata.Remove("name");
            }
            if (!BuiltInKinds.Contains(t.Kind) && ContainsList(body))
            {
                // Without the type's schema kustomize guesses list merge keys; this renderer will not guess along.
                throw new KustomizeException($"{source} changes a list of the custom resource {t.Kind}/{t.Name}; only maps and scalars are supported there.");
            }
            Merge(t.Doc, body, $"{source} -> {t.Kind}/{t.Name}");
        }
    }

    /// <summary>Strategic merge, for the lists and directives this repository's patches use; anything else throws.</summary>
    internal static void Merge(Dictionary<string, object?> target, Dictionary<string, object?> patch, string where)
    {
        foreach (var (key, value) in patch)
        {
            if (key.StartsWith('$'))
            {
                throw new KustomizeException($"{where}: the directive {key} is not supported.");
            }
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is Dictionary<string, object?> map && target.GetValueOrDefault(key) is Dictionary<string, object?> existing)
            {
                Merge(existing, map, $"{where}.{key}");
            }
            else if (value is List<object?> list && target.GetValueOrDefault(key) is List<object?> existingList)
            {
                if (!ListMergeKeys.TryGetValue(key, out var mergeKey))
                {
                    throw new KustomizeException($"{where}: the patch changes the list '{key}', whose merge semantics this renderer does not implement.");
                }
                MergeList(existingList, list, mergeKey, $"{where}.{key}");
            }
            else
            {
                target[key] = CloneValue(value);
            }
        }
    }

    private static bool ContainsList(object? value) => value switch
    {
        List<object?> => true,
        Dictionary<string, object?> map => map.Values.Any(ContainsList),
        _ => false,
    };

    private static void MergeList(List<object?> target, List<object?> patch, string mergeKey, string where)
    {
        foreach (var item in patch)
        {
            if (item is not Dictionary<string, object?> map || map.Str(mergeKey) is not { } key)
            {
                throw new KustomizeException($"{where}: every item needs a '{mergeKey}'.");
            }
            if (target.OfType<Dictionary<string, object?>>().FirstOrDefault(t => t.Str(mergeKey) == key) is { } existing)
            {
                // A replaced env value must not keep the valueFrom of the original (or the other way round).
                if (mergeKey == "name" && where.EndsWith(".env", StringComparison.Ordinal))
                {
                    existing.Remove("value");
                    existing.Remove("valueFrom");
                }
                Merge(existing, map, $"{where}[{key}]");
            }
            else
            {
                target.Add(Clone(map));
            }
        }
    }

    private static void ApplyLabels(string directory, object? entry, List<K8sObject> objects)
    {
        var l = Fields(entry, directory, "labels", "pairs", "includeSelectors", "includeTemplates");
        if (l.Str("includeSelectors") == "true")
        {
            throw new KustomizeException($"The kustomization in {directory} adds labels to selectors; this renderer does not (selectors are immutable: keep them in the manifests).");
        }
        var pairs = l.Map("pairs") ?? throw new KustomizeException($"A labels entry in {directory} has no pairs.");
        var templates = l.Str("includeTemplates") == "true";
        foreach (var o in objects)
        {
            AddLabels(o.Doc.Map("metadata")!, pairs);
            if (templates && PodTemplateKinds.Contains(o.Kind) && o.Doc.Map("spec")?.Map("template") is { } template)
            {
                template.TryAdd("metadata", new Dictionary<string, object?>());
                AddLabels(template.Map("metadata")!, pairs);
            }
        }

        static void AddLabels(Dictionary<string, object?> metadata, Dictionary<string, object?> pairs)
        {
            metadata.TryAdd("labels", new Dictionary<string, object?>());
            foreach (var (key, value) in pairs)
            {
                metadata.Map("labels")![key] = value;
            }
        }
    }

    private static void ApplyImage(string directory, object? entry, List<K8sObject> objects)
    {
        var i = Fields(entry, directory, "images", "name", "newName", "newTag", "digest");
        var name = i.Str("name") ?? throw new KustomizeException($"An images entry in {directory} has no name.");
        var matched = false;
        foreach (var container in objects.SelectMany(Containers))
        {
            var (imageName, tag) = SplitImage(container.Str("image") ?? "");
            if (imageName != name)
            {
                continue;
            }
            matched = true;
            var newName = i.Str("newName") ?? imageName;
            container["image"] = i.Str("digest") is { } digest ? $"{newName}@{digest}"
                : i.Str("newTag") is { } newTag ? $"{newName}:{newTag}"
                : tag is null ? newName : $"{newName}{tag}";
        }
        if (!matched)
        {
            throw new KustomizeException($"The kustomization in {directory} sets the image {name}, which no container uses.");
        }
    }

    /// <summary>An image reference split into its name and its ":tag" or "@digest" (null when it has neither).</summary>
    public static (string Name, string? TagOrDigest) SplitImage(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return (image[..at], image[at..]);
        }
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? (image[..colon], image[colon..]) : (image, null);
    }

    /// <summary>The containers and init containers of an object's pod template, if it has one.</summary>
    public static IEnumerable<Dictionary<string, object?>> Containers(K8sObject o) =>
        PodSpec(o) is { } spec
            ? (spec.List("initContainers") ?? []).Concat(spec.List("containers") ?? []).OfType<Dictionary<string, object?>>()
            : [];

    public static Dictionary<string, object?>? PodSpec(K8sObject o) => o.Doc.Map("spec")?.Map("template")?.Map("spec");

    private static Dictionary<string, object?> Fields(object? entry, string directory, string field, params string[] allowed)
    {
        if (entry is not Dictionary<string, object?> map)
        {
            throw new KustomizeException($"A {field} entry in {directory} is not a map.");
        }
        foreach (var key in map.Keys.Where(k => !allowed.Contains(k)))
        {
            throw new KustomizeException($"A {field} entry in {directory} uses '{key}', which this renderer does not understand.");
        }
        return map;
    }

    private static string AsString(object? entry, string field) =>
        entry as string ?? throw new KustomizeException($"A {field} entry is not a path: {entry}.");

    private static string Relative(string path) => Path.GetRelativePath(Repository.Root, path);

    public static List<Dictionary<string, object?>> LoadDocuments(string file) => Parse(File.ReadAllText(file), Relative(file));

    public static List<Dictionary<string, object?>> Parse(string yaml, string source)
    {
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        var docs = new List<Dictionary<string, object?>>();
        while (parser.Accept<DocumentStart>(out _))
        {
            switch (Normalise(Deserializer.Deserialize<object?>(parser)))
            {
                case null:
                    break;
                case Dictionary<string, object?> map:
                    docs.Add(map);
                    break;
                default:
                    throw new KustomizeException($"{source} holds a document that is not a map.");
            }
        }
        return docs;
    }

    private static object? Normalise(object? value) => value switch
    {
        IDictionary<object, object?> map => map.ToDictionary(e => e.Key.ToString()!, e => Normalise(e.Value), StringComparer.Ordinal),
        IList<object?> list => list.Select(Normalise).ToList(),
        _ => value,
    };

    private static Dictionary<string, object?> Clone(Dictionary<string, object?> map) => (Dictionary<string, object?>)CloneValue(map)!;

    private static object? CloneValue(object? value) => value switch
    {
        Dictionary<string, object?> map => map.ToDictionary(e => e.Key, e => CloneValue(e.Value), StringComparer.Ordinal),
        List<object?> list => list.Select(CloneValue).ToList(),
        _ => value,
    };
}

/// <summary>Reading the plain maps the renderer produces.</summary>
public static class YamlMaps
{
    public static Dictionary<string, object?>? Map(this Dictionary<string, object?> map, string key) =>
        map.GetValueOrDefault(key) as Dictionary<string, object?>;

    public static List<object?>? List(this Dictionary<string, object?> map, string key) => map.GetValueOrDefault(key) as List<object?>;

    public static string? Str(this Dictionary<string, object?> map, string key) => map.GetValueOrDefault(key) as string;

    public static IEnumerable<Dictionary<string, object?>> Maps(this Dictionary<string, object?> map, string key) =>
        map.List(key)?.OfType<Dictionary<string, object?>>() ?? [];

    /// <summary>Follows a path of map keys, e.g. <c>At("spec", "template", "metadata")</c>.</summary>
    public static Dictionary<string, object?>? At(this Dictionary<string, object?> map, params string[] keys)
    {
        Dictionary<string, object?>? current = map;
        foreach (var key in keys)
        {
            current = current?.Map(key);
        }
        return current;
    }

    public static Dictionary<string, string> Labels(this Dictionary<string, object?>? map) =>
        map?.Where(e => e.Value is string).ToDictionary(e => e.Key, e => (string)e.Value!) ?? [];
}
