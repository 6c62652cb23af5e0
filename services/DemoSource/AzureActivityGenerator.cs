using System.Globalization;
using static ControlTower.DemoSource.DemoLandscape;

namespace ControlTower.DemoSource;

/// <summary>
/// Azure Activity Log records as a diagnostic setting exports them (<c>{"records":[...]}</c>) for the baseline's two
/// subscriptions: routine writes and actions, some refused, now and then a resource lock deleted (a guardrail);
/// and every so often the corp-payments subscription moved from its management group into Sandbox, then moved
/// back some minutes later (drift that opens and closes). Deterministic for a seed.
/// </summary>
public sealed class AzureActivityGenerator
{
    private sealed record Operation(string Name, string ResourceGroup, string Resource, int Weight);

    private static readonly Operation[] Operations =
    [
        new("Microsoft.Compute/virtualMachines/write", "rg-payments-app", "providers/Microsoft.Compute/virtualMachines/vm-payments-api-01", 6),
        new("Microsoft.Compute/virtualMachines/restart/action", "rg-payments-app", "providers/Microsoft.Compute/virtualMachines/vm-payments-api-02", 4),
        new("Microsoft.Web/sites/config/write", "rg-web-shop", "providers/Microsoft.Web/sites/app-web-shop", 5),
        new("Microsoft.Web/sites/restart/action", "rg-web-shop", "providers/Microsoft.Web/sites/app-web-shop", 3),
        new("Microsoft.Storage/storageAccounts/write", "rg-payments-data", "providers/Microsoft.Storage/storageAccounts/stpaymentsledger", 3),
        new("Microsoft.Sql/servers/databases/write", "rg-payments-data", "providers/Microsoft.Sql/servers/sql-ledger/databases/ledger", 3),
        new("Microsoft.Network/networkSecurityGroups/securityRules/write", "rg-network", "providers/Microsoft.Network/networkSecurityGroups/nsg-app/securityRules/allow-https", 2),
        new("Microsoft.KeyVault/vaults/write", "rg-payments-app", "providers/Microsoft.KeyVault/vaults/kv-payments", 2),
        new("Microsoft.Authorization/locks/delete", "rg-payments-data", "providers/Microsoft.Authorization/locks/do-not-delete", 1),
    ];

    private static readonly int TotalWeight = Operations.Sum(o => o.Weight);

    private static readonly (string Upn, string Name, string Principal)[] People =
    [
        ("avery.admin@example.com", "Avery Admin", "User"),
        ("kim.payments@example.com", "Kim Payments", "User"),
        ("github-actions-deployer", "github-actions-deployer", "ServicePrincipal"),
    ];

    private readonly Random random;
    private readonly IncidentSchedule<string> schedule;

    public AzureActivityGenerator(Random random, IncidentFeedOptions options)
    {
        this.random = random;
        schedule = new IncidentSchedule<string>(random, options.IncidentEvery, options.RestoreAfter);
    }

    /// <summary>What to send at <paramref name="now"/>: one to three routine records, the move back when due, a move out when due.</summary>
    public List<DemoEvent> Next(DateTimeOffset now)
    {
        var events = new List<DemoEvent>();
        foreach (var group in schedule.DueEndings(now))
        {
            events.Add(new($"restore: corp-payments moved back into {group}", PlaceSubscription(now, CorpPaymentsSubscription, group)));
        }
        if (schedule.StartDue(now))
        {
            events.Add(new($"drift: corp-payments moved from {CorpGroup} into {SandboxGroup}", PlaceSubscription(now, CorpPaymentsSubscription, SandboxGroup)));
            schedule.EndLater(now, CorpGroup);
        }
        var count = random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            events.Add(Routine(now));
        }
        return events;
    }

    private DemoEvent Routine(DateTimeOffset now)
    {
        var operation = Pick();
        var subscription = Subscriptions[random.Next(Subscriptions.Length)];
        var resourceId = $"/subscriptions/{subscription}/resourceGroups/{operation.ResourceGroup}/{operation.Resource}";
        var failed = random.NextDouble() < 0.08;
        var record = Record(now.AddMilliseconds(-random.Next(0, 4000)), resourceId, operation.Name, failed);
        var verb = failed ? "refused" : "succeeded";
        return new($"{operation.Name} {verb} in {(subscription == CorpPaymentsSubscription ? "corp-payments" : "management")}", record);
    }

    private Dictionary<string, object?> PlaceSubscription(DateTimeOffset now, string subscription, string group) =>
        Record(now, $"/providers/Microsoft.Management/managementGroups/{group}/subscriptions/{subscription}",
            "Microsoft.Management/managementGroups/subscriptions/write", failed: false);

    private Dictionary<string, object?> Record(DateTimeOffset time, string resourceId, string operation, bool failed)
    {
        var person = People[random.Next(People.Length)];
        return new()
        {
            ["time"] = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            ["resourceId"] = resourceId,
            ["operationName"] = operation,
            ["category"] = "Administrative",
            ["resultType"] = failed ? "Failure" : "Success",
            ["resultSignature"] = failed ? "Forbidden" : "Succeeded.OK",
            ["durationMs"] = random.Next(40, 2400).ToString(CultureInfo.InvariantCulture),
            ["callerIpAddress"] = $"203.0.113.{random.Next(1, 255)}",
            ["correlationId"] = NewGuid(random).ToString(),
            ["identity"] = new Dictionary<string, object?>
            {
                ["authorization"] = new Dictionary<string, object?>
                {
                    ["scope"] = resourceId,
                    ["action"] = operation,
                    ["evidence"] = new Dictionary<string, object?> { ["role"] = "Contributor", ["principalType"] = person.Principal },
                },
                ["claims"] = new Dictionary<string, object?>
                {
                    ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"] = person.Upn,
                    ["name"] = person.Name,
                    ["http://schemas.microsoft.com/identity/claims/tenantid"] = AzureTenant,
                    ["ipaddr"] = "203.0.113.24",
                },
            },
            ["level"] = failed ? "Error" : "Information",
            ["location"] = "global",
            ["tenantId"] = AzureTenant,
            ["properties"] = new Dictionary<string, object?>
            {
                ["eventCategory"] = "Administrative",
                ["entity"] = resourceId,
                ["message"] = operation,
                ["statusCode"] = failed ? "Forbidden" : "OK",
            },
        };
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
}
