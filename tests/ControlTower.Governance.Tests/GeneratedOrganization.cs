using System.Text;
using System.Text.Json.Nodes;

namespace ControlTower.Governance.Tests;

/// <summary>
/// A generated AWS organisation (root r-gen1, OUs two levels deep, accounts spread over the OUs, one SCP on the
/// root) with the Azure side of tests/TestData/azure/governance-baseline.yaml: as a baseline file, and as the
/// inventory snapshot that matches it. Its ids are its own, so sample events published by other tests never touch it.
/// </summary>
internal sealed class GeneratedOrganization
{
    public const string Root = "r-gen1";
    public const string PolicyId = "p-gen00000001";
    public const string PolicyDocument = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}""";

    public GeneratedOrganization(int ous, int accounts)
    {
        var top = Math.Max(1, ous / 50);
        Ous = [.. Enumerable.Range(0, ous).Select(i => (Id: $"ou-gen1-{i:D8}", Name: $"ou-{i}", ParentId: i < top ? Root : $"ou-gen1-{(i - top) % top:D8}"))];
        var leaves = Ous.Skip(top).Select(o => o.Id).DefaultIfEmpty(Ous[0].Id).ToList();
        Accounts = [.. Enumerable.Range(0, accounts).Select(i => (Id: $"9{i:D11}", Name: $"account-{i}", ParentId: i == 0 ? Root : leaves[i % leaves.Count]))];
    }

    public List<(string Id, string Name, string ParentId)> Ous { get; }

    public List<(string Id, string Name, string ParentId)> Accounts { get; }

    /// <summary>The baseline, written to a temporary file the caller deletes.</summary>
    public string WriteBaseline()
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("version: 1").AppendLine("aws:").AppendLine("  organization:").AppendLine("    id: o-generated001")
            .AppendLine($"    root: {Root}").AppendLine($"    managementAccount: \"{Accounts[0].Id}\"").AppendLine("  organizationalUnits:");
        foreach (var ou in Ous.Where(o => o.ParentId == Root))
        {
            yaml.AppendLine($"    - id: {ou.Id}").AppendLine($"      name: {ou.Name}");
            var children = Ous.Where(o => o.ParentId == ou.Id).ToList();
            if (children.Count > 0)
            {
                yaml.AppendLine("      children:");
                foreach (var child in children)
                {
                    yaml.AppendLine($"        - id: {child.Id}").AppendLine($"          name: {child.Name}");
                }
            }
        }
        yaml.AppendLine("  accounts:");
        foreach (var (account, index) in Accounts.Select((a, i) => (a, i)))
        {
            yaml.AppendLine($"    - id: \"{account.Id}\"").AppendLine($"      name: {account.Name}")
                .AppendLine($"      role: {(index == 0 ? "management" : "workload")}").AppendLine($"      ou: {account.ParentId}");
        }
        yaml.AppendLine("  policies:").AppendLine($"    - id: {PolicyId}").AppendLine("      name: deny-leave")
            .AppendLine($"      document: '{PolicyDocument}'").AppendLine($"      attach: [{Root}]");
        var azure = File.ReadAllText(AzureSamples.BaselinePath);
        yaml.Append(azure[azure.IndexOf("azure:", StringComparison.Ordinal)..]);
        var path = Path.Combine(Path.GetTempPath(), $"generated-baseline-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml.ToString());
        return path;
    }

    /// <summary>The snapshot of the organisation and the Azure estate exactly as the baseline describes them.</summary>
    public JsonObject Snapshot(string takenAt) => new()
    {
        ["takenAt"] = takenAt,
        ["aws"] = new JsonObject
        {
            ["root"] = new JsonObject { ["id"] = Root },
            ["organizationalUnits"] = new JsonArray([.. Ous.Select(o => (JsonNode)new JsonObject { ["id"] = o.Id, ["name"] = o.Name, ["parentId"] = o.ParentId })]),
            ["accounts"] = new JsonArray([.. Accounts.Select(a => (JsonNode)new JsonObject
            {
                ["id"] = a.Id, ["name"] = a.Name, ["parentId"] = a.ParentId, ["status"] = "ACTIVE",
            })]),
            ["policies"] = new JsonArray(new JsonObject
            {
                ["id"] = PolicyId, ["name"] = "deny-leave", ["type"] = "SERVICE_CONTROL_POLICY", ["content"] = PolicyDocument, ["targets"] = new JsonArray(Root),
            }),
            ["settings"] = new JsonObject { ["enabledPolicyTypes"] = new JsonArray("SERVICE_CONTROL_POLICY"), ["trustedServices"] = new JsonArray() },
        },
        ["azure"] = new JsonObject
        {
            ["managementGroups"] = new JsonArray(
                Group("ct-root", "Control Tower test root", null), Group("ct-platform", "Platform", "ct-root"), Group("ct-landingzones", "Landing zones", "ct-root"),
                Group("ct-corp", "Corp", "ct-landingzones"), Group("ct-sandbox", "Sandbox", "ct-root")),
            ["subscriptions"] = new JsonArray(
                new JsonObject { ["id"] = AzureSamples.CorpSubscription, ["name"] = "corp-core", ["managementGroupId"] = "ct-corp" },
                new JsonObject { ["id"] = AzureSamples.PlatformSubscription, ["name"] = "platform-management", ["managementGroupId"] = "ct-platform" }),
            ["policyAssignments"] = new JsonArray(
                Assignment($"/subscriptions/{AzureSamples.CorpSubscription}/resourceGroups/rg-prod-core", "deny-public-storage",
                    "/providers/Microsoft.Authorization/policyDefinitions/34c877ad-507e-4c82-993e-3452a6e0ad3c", "Deny"),
                Assignment("/providers/Microsoft.Management/managementGroups/ct-landingzones", "deny-public-ip",
                    "/providers/Microsoft.Authorization/policyDefinitions/6c112d4e-5bc7-47ae-a041-ea2d9dccd749", "Deny"),
                Assignment("/providers/Microsoft.Management/managementGroups/ct-root", "audit-diagnostics",
                    "/providers/Microsoft.Authorization/policySetDefinitions/diagnostics", "AuditIfNotExists")),
            ["policyExemptions"] = new JsonArray(),
        },
    };

    private static JsonObject Group(string id, string name, string? parent) => new() { ["id"] = id, ["name"] = name, ["parentId"] = parent };

    public static JsonObject Assignment(string scope, string name, string definition, string effect) => new()
    {
        ["id"] = $"{scope}/providers/Microsoft.Authorization/policyAssignments/{name}",
        ["policyDefinitionId"] = definition,
        ["enforcementMode"] = "Default",
        ["effect"] = effect,
    };
}
