using System.Globalization;
using static ControlTower.DemoSource.DemoLandscape;

namespace ControlTower.DemoSource;

/// <summary>
/// Azure Monitor alerts in the common alert schema, as an action group's webhook posts them: every so often one
/// fires on a resource of the baseline's subscriptions, and some minutes later the same alert resolves.
/// Deterministic for a seed.
/// </summary>
public sealed class AzureAlertGenerator
{
    private sealed record Rule(string Name, string Severity, string SignalType, string Subscription, string ResourceGroup, string ResourceType,
        string Resource, string Description, string Service);

    private sealed record Fired(Rule Rule, string AlertId, DateTimeOffset FiredAt);

    private static readonly Rule[] Rules =
    [
        new("vm-payments-api-01-high-cpu", "Sev2", "Metric", CorpPaymentsSubscription, "rg-payments-app", "microsoft.compute/virtualmachines",
            "microsoft.compute/virtualmachines/vm-payments-api-01", "Average CPU on vm-payments-api-01 above 85% for 5 minutes", "payments-api"),
        new("sql-ledger-dtu", "Sev2", "Metric", CorpPaymentsSubscription, "rg-payments-data", "microsoft.sql/servers/databases",
            "microsoft.sql/servers/sql-ledger/databases/ledger", "DTU consumption of the ledger database above 90% for 10 minutes", "ledger"),
        new("app-web-shop-http-5xx", "Sev1", "Metric", CorpPaymentsSubscription, "rg-web-shop", "microsoft.web/sites",
            "microsoft.web/sites/app-web-shop", "More than 50 HTTP 5xx answers from web-shop in 5 minutes", "web-shop"),
        new("law-platform-ingestion-cap", "Sev3", "Log", ManagementSubscription, "rg-platform-logs", "microsoft.operationalinsights/workspaces",
            "microsoft.operationalinsights/workspaces/law-platform", "The platform Log Analytics workspace reached 80% of its daily cap", "platform-logging"),
    ];

    private readonly Random random;
    private readonly IncidentSchedule<Fired> schedule;

    public AzureAlertGenerator(Random random, IncidentFeedOptions options)
    {
        this.random = random;
        schedule = new IncidentSchedule<Fired>(random, options.IncidentEvery, options.RestoreAfter);
    }

    /// <summary>What to post at <paramref name="now"/>: the resolutions due, then a new alert when one is due (one payload each).</summary>
    public List<DemoEvent> Next(DateTimeOffset now)
    {
        var payloads = schedule.DueEndings(now)
            .Select(fired => new DemoEvent($"resolved: {fired.Rule.Name}", Payload(fired, now))).ToList();
        if (schedule.StartDue(now))
        {
            var open = schedule.Pending.Select(f => f.Rule.Name).ToHashSet(StringComparer.Ordinal);
            var candidates = Rules.Where(r => !open.Contains(r.Name)).ToList();
            if (candidates.Count > 0)
            {
                var rule = candidates[random.Next(candidates.Count)];
                var fired = new Fired(rule, $"/subscriptions/{rule.Subscription}/providers/Microsoft.AlertsManagement/alerts/{NewGuid(random)}", now);
                payloads.Add(new($"fired: {rule.Name} ({rule.Severity})", Payload(fired, resolvedAt: null)));
                schedule.EndLater(now, fired);
            }
        }
        return payloads;
    }

    private static Dictionary<string, object?> Payload(Fired fired, DateTimeOffset? resolvedAt)
    {
        var rule = fired.Rule;
        var target = $"/subscriptions/{rule.Subscription}/resourcegroups/{rule.ResourceGroup}/providers/{rule.Resource}";
        var essentials = new Dictionary<string, object?>
        {
            ["alertId"] = fired.AlertId,
            ["alertRule"] = rule.Name,
            ["alertRuleID"] = $"/subscriptions/{rule.Subscription}/resourceGroups/{rule.ResourceGroup}/providers/microsoft.insights/metricAlerts/{rule.Name}",
            ["severity"] = rule.Severity,
            ["signalType"] = rule.SignalType,
            ["monitorCondition"] = resolvedAt is null ? "Fired" : "Resolved",
            ["monitoringService"] = rule.SignalType == "Log" ? "Log Analytics" : "Platform",
            ["alertTargetIDs"] = new[] { target },
            ["targetResourceGroup"] = rule.ResourceGroup,
            ["targetResourceType"] = rule.ResourceType,
            ["configurationItems"] = new[] { rule.Resource.Split('/')[^1] },
            ["originAlertId"] = $"{rule.Subscription}_{rule.ResourceGroup}_microsoft.insights_metricAlerts_{rule.Name}",
            ["firedDateTime"] = Time(fired.FiredAt),
            ["description"] = rule.Description,
            ["essentialsVersion"] = "1.0",
            ["alertContextVersion"] = "1.0",
        };
        if (resolvedAt is { } resolved)
        {
            essentials["resolvedDateTime"] = Time(resolved);
        }
        return new()
        {
            ["schemaId"] = "azureMonitorCommonAlertSchema",
            ["data"] = new Dictionary<string, object?>
            {
                ["essentials"] = essentials,
                ["alertContext"] = new Dictionary<string, object?> { ["conditionType"] = "SingleResourceMultipleMetricCriteria" },
                ["customProperties"] = new Dictionary<string, object?> { ["service"] = rule.Service },
            },
        };
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
