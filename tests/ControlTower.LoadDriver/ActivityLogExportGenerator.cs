using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace ControlTower.LoadDriver;

/// <summary>
/// Writes Azure Activity Log exports (<c>{"records":[...]}</c>, as diagnostic settings deliver them) of plausible
/// Administrative records, about 1.3 KB a record: a weighted mix of ARM operations across 20 subscriptions and six
/// regions, users and service principals, some failures, and the case variants real exports have. Every record has
/// a fresh <c>correlationId</c>, so no two are the same and the collector never drops one as a repeat (the export
/// form has no id; the collector keys it on its content). One instance per worker.
/// </summary>
public sealed class ActivityLogExportGenerator(Random random)
{
    private const string Tenant = "aaaabbbb-0000-cccc-1111-dddd2222eeee";
    private static readonly string[] Subscriptions = MakeSubscriptions();
    private static readonly string[] Locations = ["westeurope", "northeurope", "eastus", "eastus2", "uksouth", "global"];
    private static readonly string[] Failures = ["Conflict", "Forbidden", "BadRequest", "AuthorizationFailed"];

    private sealed record Operation(string Name, string ResourceType, int Weight);

    private static readonly Operation[] Operations =
    [
        new("Microsoft.Compute/virtualMachines/write", "Microsoft.Compute/virtualMachines", 12),
        new("Microsoft.Network/networkSecurityGroups/securityRules/write", "Microsoft.Network/networkSecurityGroups", 8),
        new("Microsoft.Storage/storageAccounts/listKeys/action", "Microsoft.Storage/storageAccounts", 10),
        new("Microsoft.Storage/storageAccounts/write", "Microsoft.Storage/storageAccounts", 6),
        new("Microsoft.KeyVault/vaults/write", "Microsoft.KeyVault/vaults", 4),
        new("Microsoft.Resources/deployments/write", "Microsoft.Resources/deployments", 10),
        new("Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments", 3),
        new("MICROSOFT.AUTHORIZATION/LOCKS/DELETE", "Microsoft.Authorization/locks", 1),
        new("microsoft.insights/diagnosticSettings/delete", "microsoft.insights/diagnosticSettings", 1),
        new("Microsoft.Authorization/policyAssignments/write", "Microsoft.Authorization/policyAssignments", 2),
    ];

    private static readonly int TotalWeight = Operations.Sum(o => o.Weight);

    private readonly ArrayBufferWriter<byte> buffer = new(1 << 20);

    /// <summary>An export of <paramref name="records"/> records, as UTF-8 JSON. The array is the caller's.</summary>
    public byte[] NextExport(int records)
    {
        buffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(buffer))
        {
            var now = DateTimeOffset.UtcNow;
            json.WriteStartObject();
            json.WriteStartArray("records");
            for (var i = 0; i < records; i++)
            {
                WriteRecord(json, now);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private void WriteRecord(Utf8JsonWriter json, DateTimeOffset now)
    {
        var operation = Pick();
        var subscription = Subscriptions[random.Next(Subscriptions.Length)];
        var group = $"rg-{random.Next(30):D2}";
        var name = $"res-{random.Next(1000):D3}";
        var resourceId = $"/subscriptions/{subscription}/resourceGroups/{group}/providers/{operation.ResourceType}/{name}";
        var failed = random.NextDouble() < 0.06;
        var user = random.Next(10) < 6;

        json.WriteStartObject();
        json.WriteString("time", now.AddMilliseconds(-random.Next(0, 300_000)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        json.WriteString("resourceId", random.Next(5) == 0 ? resourceId.ToUpperInvariant() : resourceId);
        json.WriteString("operationName", operation.Name);
        json.WriteString("category", random.Next(4) switch { 0 => "Write", 1 => "Action", _ => "Administrative" });
        json.WriteString("resultType", failed ? "Failure" : random.Next(2) == 0 ? "Success" : "Succeeded");
        json.WriteString("resultSignature", failed ? Failures[random.Next(Failures.Length)] : "Succeeded.OK");
        json.WriteNumber("durationMs", random.Next(20, 4000));
        json.WriteString("callerIpAddress", $"203.0.113.{random.Next(1, 255)}");
        json.WriteString("correlationId", Guid.NewGuid().ToString());
        json.WriteStartObject("identity");
        json.WriteStartObject("authorization");
        json.WriteString("scope", resourceId);
        json.WriteString("action", operation.Name);
        json.WriteStartObject("evidence");
        json.WriteString("role", user ? "Owner" : "Contributor");
        json.WriteString("roleAssignmentScope", $"/subscriptions/{subscription}");
        json.WriteString("principalType", user ? "User" : "ServicePrincipal");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartObject("claims");
        json.WriteString("aud", "https://management.core.windows.net/");
        json.WriteString("iss", $"https://sts.windows.net/{Tenant}/");
        json.WriteString("http://schemas.microsoft.com/identity/claims/tenantid", Tenant);
        if (user)
        {
            json.WriteString("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", $"person{random.Next(200):D3}@contoso.com");
            json.WriteString("http://schemas.microsoft.com/claims/authnmethodsreferences", random.Next(10) == 0 ? "pwd" : "pwd,mfa");
            json.WriteString("appid", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c");
        }
        else
        {
            json.WriteString("appid", "00001111-aaaa-2222-bbbb-3333cccc4444");
        }
        json.WriteString("http://schemas.microsoft.com/identity/claims/objectidentifier", Guid.NewGuid().ToString());
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteString("level", failed ? "Error" : random.Next(2) == 0 ? "Information" : "Informational");
        json.WriteString("location", Locations[random.Next(Locations.Length)]);
        json.WriteString("tenantId", Tenant);
        json.WriteStartObject("properties");
        json.WriteString("statusCode", failed ? "Conflict" : "OK");
        json.WriteString("serviceRequestId", Guid.NewGuid().ToString());
        json.WriteString("eventCategory", "Administrative");
        json.WriteString("entity", resourceId);
        json.WriteString("hierarchy", $"{Tenant}/mg-contoso-platform/{subscription}");
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private Operation Pick()
    {
        var roll = random.Next(TotalWeight);
        foreach (var operation in Operations)
        {
            if ((roll -= operation.Weight) < 0)
            {
                return operation;
            }
        }
        return Operations[0];
    }

    private static string[] MakeSubscriptions()
    {
        var random = new Random(20_26);
        return Enumerable.Range(0, 20).Select(_ => NewGuid(random).ToString()).ToArray();
    }

    private static Guid NewGuid(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }
}
