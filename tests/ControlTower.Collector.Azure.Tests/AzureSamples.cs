using System.Text.Json;
using System.Text.Json.Nodes;
using ControlTower.Testing;

namespace ControlTower.Collector.Azure.Tests;

/// <summary>The Azure samples under tests/TestData/azure, and small records built after them.</summary>
public static class AzureSamples
{
    public const string Subscription = "11112222-bbbb-3333-cccc-4444dddd5555";
    public const string Tenant = "aaaabbbb-0000-cccc-1111-dddd2222eeee";

    public static string Text(string file) => File.ReadAllText(Repository.TestData("azure/" + file));

    public static List<string> Lines(string file) => File.ReadAllLines(Repository.TestData("azure/" + file)).Where(l => l.Trim().Length > 0).ToList();

    public static JsonElement Json(string file) => JsonDocument.Parse(Text(file)).RootElement;

    /// <summary>The Activity Log corpus as diagnostic settings export it: <c>{"records":[...]}</c>, each line's bytes unchanged.</summary>
    public static string ActivityLogExport() => "{\"records\":[" + string.Join(",", Lines("activity-log-records.jsonl")) + "]}";

    /// <summary>An Event Grid resource event (ResourceWriteSuccess) with a fresh id.</summary>
    public static JsonObject ResourceEvent(string? id = null, string type = "Microsoft.Resources.ResourceWriteSuccess") => new()
    {
        ["id"] = id ?? Guid.NewGuid().ToString(),
        ["topic"] = $"/subscriptions/{Subscription}",
        ["subject"] = $"/subscriptions/{Subscription}/resourceGroups/rg-test/providers/Microsoft.KeyVault/vaults/kv-test",
        ["eventType"] = type,
        ["eventTime"] = "2026-11-28T10:00:00.1234567Z",
        ["dataVersion"] = "2",
        ["metadataVersion"] = "1",
        ["data"] = new JsonObject
        {
            ["operationName"] = "Microsoft.KeyVault/vaults/write",
            ["resourceProvider"] = "Microsoft.KeyVault",
            ["resourceUri"] = $"/subscriptions/{Subscription}/resourceGroups/rg-test/providers/Microsoft.KeyVault/vaults/kv-test",
            ["status"] = "Succeeded",
            ["subscriptionId"] = Subscription,
            ["tenantId"] = Tenant,
            ["correlationId"] = Guid.NewGuid().ToString(),
        },
    };

    /// <summary>The same event in the CloudEvents 1.0 schema.</summary>
    public static JsonObject CloudEvent(string? id = null)
    {
        var grid = ResourceEvent(id);
        return new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = grid["id"]!.DeepClone(),
            ["type"] = grid["eventType"]!.DeepClone(),
            ["source"] = grid["topic"]!.DeepClone(),
            ["subject"] = grid["subject"]!.DeepClone(),
            ["time"] = grid["eventTime"]!.DeepClone(),
            ["data"] = grid["data"]!.DeepClone(),
        };
    }

    /// <summary>An Activity Log record in the export form with its own <c>eventDataId</c>-less identity made unique by a marker.</summary>
    public static JsonObject ActivityRecord(string? marker = null) => new()
    {
        ["time"] = "2026-11-28T10:00:00.0000000Z",
        ["resourceId"] = $"/SUBSCRIPTIONS/{Subscription.ToUpperInvariant()}/RESOURCEGROUPS/RG-TEST/PROVIDERS/MICROSOFT.AUTHORIZATION/LOCKS/{marker ?? Guid.NewGuid().ToString("N")}",
        ["operationName"] = "MICROSOFT.AUTHORIZATION/LOCKS/DELETE",
        ["category"] = "Write",
        ["resultType"] = "Success",
        ["resultSignature"] = "Succeeded.OK",
        ["callerIpAddress"] = "203.0.113.9",
        ["correlationId"] = Guid.NewGuid().ToString(),
        ["level"] = "Information",
        ["location"] = "global",
        ["tenantId"] = Tenant,
        ["identity"] = new JsonObject
        {
            ["authorization"] = new JsonObject
            {
                ["scope"] = $"/subscriptions/{Subscription}/resourceGroups/rg-test",
                ["action"] = "Microsoft.Authorization/locks/delete",
                ["evidence"] = new JsonObject { ["role"] = "Owner", ["principalType"] = "User", ["principalId"] = "0000aaaa" },
            },
            ["claims"] = new JsonObject
            {
                ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"] = "avery.admin@contoso.com",
                ["http://schemas.microsoft.com/identity/claims/objectidentifier"] = "cccccccc-2222-3333-4444-dddddddddddd",
                ["http://schemas.microsoft.com/claims/authnmethodsreferences"] = "pwd",
                ["appid"] = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
            },
        },
    };

    /// <summary>A common-alert-schema payload after the fired sample, with a fresh alert id.</summary>
    public static JsonObject Alert(string condition = "Fired", string? alertId = null)
    {
        var alert = JsonNode.Parse(Text("common-alert-fired.json"))!.AsObject();
        var essentials = alert["data"]!["essentials"]!.AsObject();
        essentials["alertId"] = alertId ?? $"/subscriptions/{Subscription}/providers/Microsoft.AlertsManagement/alerts/{Guid.NewGuid()}";
        essentials["monitorCondition"] = condition;
        if (condition == "Resolved")
        {
            essentials["resolvedDateTime"] = "2026-11-28T13:30:00.000Z";
        }
        return alert;
    }
}
