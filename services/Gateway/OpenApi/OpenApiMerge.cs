using System.Text.Json.Nodes;

namespace ControlTower.Gateway.OpenApi;

/// <summary>One service's document, or why there is none.</summary>
public sealed record SourceDocument(string Name, JsonObject? Document, string? Fault);

/// <summary>
/// Merges the gateway's own OpenAPI document with the services' into one document of the public surface: paths and tags
/// side by side, components renamed <c>{source}_{name}</c> (and their <c>$ref</c>s with them) where two sources mean
/// different things by one name, and a report of each source (<c>x-controltower-sources</c>), so a service that did not
/// answer shows as missing instead of failing the whole document. A plain class: no I/O.
/// </summary>
public static class OpenApiMerge
{
    public const string SourcesExtension = "x-controltower-sources";

    public static JsonObject Merge(JsonObject gateway, IReadOnlyList<SourceDocument> sources, JsonObject securitySchemes)
    {
        var merged = new JsonObject
        {
            ["openapi"] = gateway["openapi"]?.DeepClone() ?? "3.1.1",
            ["info"] = new JsonObject { ["title"] = "Control Tower", ["version"] = "v1" },
            ["paths"] = new JsonObject(),
            ["components"] = new JsonObject(),
            ["tags"] = new JsonArray(),
        };
        var report = new JsonArray();
        var missing = new List<string>();
        Add(merged, "gateway", gateway, report);
        foreach (var source in sources)
        {
            if (source.Document is null)
            {
                missing.Add($"{source.Name} ({source.Fault})");
                report.Add(new JsonObject { ["name"] = source.Name, ["status"] = "missing", ["fault"] = source.Fault });
                continue;
            }
            Add(merged, source.Name, source.Document, report);
        }

        var components = (JsonObject)merged["components"]!;
        components["securitySchemes"] = securitySchemes.DeepClone();
        merged["security"] = new JsonArray(securitySchemes.Select(s => (JsonNode)new JsonObject { [s.Key] = new JsonArray() }).ToArray());
        merged["info"]!["description"] = "Every public route of Control Tower through its gateway. Machines send an API key (X-Api-Key); "
            + "people a bearer token from the identity provider, or use the portal's session."
            + (missing.Count == 0 ? "" : " Not included, because their service did not give its document: " + string.Join("; ", missing) + ".");
        merged[SourcesExtension] = report;
        return merged;
    }

    private static void Add(JsonObject merged, string name, JsonObject document, JsonArray report)
    {
        document = (JsonObject)document.DeepClone();
        var components = (JsonObject)merged["components"]!;
        var renames = new Dictionary<string, string>(StringComparer.Ordinal);
        if (document["components"] is JsonObject own)
        {
            foreach (var (kind, entries) in own)
            {
                if (kind == "securitySchemes" || entries is not JsonObject named)
                {
                    continue;
                }
                var target = components[kind] as JsonObject ?? (JsonObject)(components[kind] = new JsonObject());
                foreach (var (entry, value) in named)
                {
                    if (target[entry] is { } existing && !JsonNode.DeepEquals(existing, value))
                    {
                        renames[$"#/components/{kind}/{entry}"] = $"#/components/{kind}/{name}_{entry}";
                    }
                }
            }
            Rewrite(document, renames);
            foreach (var (kind, entries) in (JsonObject)document["components"]!)
            {
                if (kind == "securitySchemes" || entries is not JsonObject named)
                {
                    continue;
                }
                var target = (JsonObject)components[kind]!;
                foreach (var (entry, value) in named.ToList())
                {
                    var key = renames.ContainsKey($"#/components/{kind}/{entry}") ? $"{name}_{entry}" : entry;
                    target[key] ??= value!.DeepClone();
                }
            }
        }

        var paths = (JsonObject)merged["paths"]!;
        var conflicts = new JsonArray();
        var count = 0;
        foreach (var (path, item) in document["paths"] as JsonObject ?? [])
        {
            if (paths.ContainsKey(path))
            {
                conflicts.Add(path);
                continue;
            }
            paths[path] = item!.DeepClone();
            count++;
        }
        var tags = (JsonArray)merged["tags"]!;
        foreach (var tag in document["tags"] as JsonArray ?? [])
        {
            if (tag is JsonObject t && !tags.Any(e => e?["name"]?.GetValue<string>() == t["name"]?.GetValue<string>()))
            {
                tags.Add(t.DeepClone());
            }
        }
        var line = new JsonObject { ["name"] = name, ["status"] = "included", ["paths"] = count };
        if (renames.Count > 0)
        {
            line["renamedComponents"] = new JsonArray(renames.Values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
        }
        if (conflicts.Count > 0)
        {
            line["conflictingPaths"] = conflicts;
        }
        report.Add(line);
    }

    private static void Rewrite(JsonNode? node, IReadOnlyDictionary<string, string> renames)
    {
        if (renames.Count == 0)
        {
            return;
        }
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (key == "$ref" && value is JsonValue reference && reference.TryGetValue<string>(out var target) && renames.TryGetValue(target, out var renamed))
                    {
                        obj[key] = renamed;
                    }
                    else
                    {
                        Rewrite(value, renames);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Rewrite(item, renames);
                }
                break;
        }
    }
}
