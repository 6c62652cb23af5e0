using System.Formats.Tar;
using System.Text.Json;
using System.Text.RegularExpressions;
using ControlTower.Testing.Containers;

namespace ControlTower.Deployment.Tests.Images;

/// <summary>
/// What every image of the contract must be, read from its archive: non-root (uid 1654), port 8080, the contract's entry
/// point in /app, its own assembly and settings in the app layer, and no secrets. Returns the problems, one sentence each.
/// </summary>
/// <remarks>
/// Secrets: an image is pulled by anyone who can list the registry or a node, so it must hold none. Refused under /app:
/// user-secrets files (secrets.json), key and certificate stores (.pfx .p12 .key .pem .snk, SSH keys), .env files; in any
/// appsettings*.json (Development too: it ships beside the rest) a non-empty value under ConnectionStrings, under a
/// name that says password, secret, token, credential or key, or a value carrying a password (Password=..., user:pass@).
/// Anywhere in the image: a user-secrets folder. Names and shapes are checked, not entropy: configuration that needs a
/// secret reads it from the environment (a Kubernetes Secret), so a secret-shaped name with a value is always a mistake.
/// </remarks>
public static partial class ImageChecks
{
    public const string AppUid = "1654";

    public static IReadOnlyList<string> Problems(ImageArchive archive, ContainerImage expected, bool expectAppSettings)
    {
        var problems = new List<string>();
        var user = archive.User ?? "";
        if (user.Split(':')[0] != AppUid)
        {
            problems.Add($"runs as user \"{user}\" (root when empty), not the non-root {AppUid}");
        }
        if (!archive.ExposedPorts.Contains("8080/tcp"))
        {
            problems.Add($"exposes [{string.Join(", ", archive.ExposedPorts)}], not 8080/tcp");
        }
        if (archive.EnvValue("ASPNETCORE_HTTP_PORTS") != "8080")
        {
            problems.Add($"sets ASPNETCORE_HTTP_PORTS={archive.EnvValue("ASPNETCORE_HTTP_PORTS")}, not 8080");
        }
        string[] command = ["dotnet", "/app/" + expected.AssemblyFile];
        if (!archive.Entrypoint.Concat(archive.Cmd).SequenceEqual(command))
        {
            problems.Add($"runs [{string.Join(' ', archive.Entrypoint.Concat(archive.Cmd))}], not [{string.Join(' ', command)}]");
        }
        if (archive.WorkingDir?.TrimEnd('/') != "/app")
        {
            problems.Add($"works in \"{archive.WorkingDir}\", not /app");
        }

        var entries = Enumerable.Range(0, archive.LayerCount).SelectMany(archive.LayerEntries).ToList();
        var app = entries.Where(entry => entry.Path.StartsWith("app/", StringComparison.Ordinal) && entry.Type != TarEntryType.Directory).ToList();
        foreach (var required in expectAppSettings ? [expected.AssemblyFile, "appsettings.json"] : new[] { expected.AssemblyFile })
        {
            if (!app.Any(entry => entry.Path == "app/" + required))
            {
                problems.Add($"has no /app/{required}");
            }
        }
        foreach (var entry in entries.Where(entry => entry.Path.Contains("microsoft/usersecrets", StringComparison.OrdinalIgnoreCase)))
        {
            problems.Add($"holds user secrets: /{entry.Path}");
        }
        foreach (var entry in app.Where(entry => SecretFile().IsMatch(Path.GetFileName(entry.Path))))
        {
            problems.Add($"holds a secret or key file: /{entry.Path}");
        }
        foreach (var settings in app.Where(entry => SettingsFile().IsMatch(Path.GetFileName(entry.Path))))
        {
            var text = archive.ReadText(settings.Path) ?? "";
            try
            {
                using var json = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                problems.AddRange(SecretValues(json.RootElement, "", underConnectionStrings: false).Select(path => $"/{settings.Path} sets a secret-looking value at {path}"));
            }
            catch (JsonException ex)
            {
                problems.Add($"/{settings.Path} is not JSON: {ex.Message}");
            }
        }
        return problems;
    }

    private static IEnumerable<string> SecretValues(JsonElement element, string path, bool underConnectionStrings)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var child = path.Length == 0 ? property.Name : path + ":" + property.Name;
                    if (property.Value.ValueKind == JsonValueKind.String)
                    {
                        var value = property.Value.GetString() ?? "";
                        if (value.Length > 0 && (underConnectionStrings || SecretName().IsMatch(property.Name) || SecretValue().IsMatch(value)))
                        {
                            yield return child;
                        }
                        continue;
                    }
                    foreach (var found in SecretValues(property.Value, child,
                        underConnectionStrings || property.Name.Equals("ConnectionStrings", StringComparison.OrdinalIgnoreCase)))
                    {
                        yield return found;
                    }
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    var child = path + ":" + index++;
                    if (item.ValueKind == JsonValueKind.String && (underConnectionStrings || SecretValue().IsMatch(item.GetString() ?? "")))
                    {
                        yield return child;
                    }
                    foreach (var found in SecretValues(item, child, underConnectionStrings))
                    {
                        yield return found;
                    }
                }
                break;
        }
    }

    [GeneratedRegex(@"^(secrets\.json|\.env(\..*)?|id_(rsa|dsa|ecdsa|ed25519)(\.pub)?|.*\.(pfx|p12|key|pem|snk|jks|keystore))$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretFile();

    [GeneratedRegex(@"^appsettings(\..+)?\.json$", RegexOptions.IgnoreCase)]
    private static partial Regex SettingsFile();

    [GeneratedRegex(@"(password|passwd|pwd|secret|token|credential|key)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"(password|pwd)\s*=\s*[^;\s]+|://[^/\s:@]+:[^/\s@]+@", RegexOptions.IgnoreCase)]
    private static partial Regex SecretValue();
}
