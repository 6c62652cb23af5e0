using System.Text.Json;
using ControlTower.Collector.Ingestion;
using ControlTower.Contracts.Alerts;

namespace ControlTower.Collector.Azure.Parsing;

/// <summary>
/// Turns Azure Monitor action-group webhooks in the common alert schema (<c>schemaId</c>
/// <c>azureMonitorCommonAlertSchema</c>: <c>data.essentials</c>, <c>data.alertContext</c>) into
/// <see cref="MonitorAlert"/>, fired or resolved. The alert context, which varies by monitoring service, stays in
/// the raw payload.
/// </summary>
public static class CommonAlertNormalizer
{
    public const string SchemaId = "azureMonitorCommonAlertSchema";

    /// <summary>One payload (as an action group posts it) or an array of them.</summary>
    public static IReadOnlyList<JsonElement>? Select(JsonElement root) => root.ValueKind switch
    {
        JsonValueKind.Object when root.TryGetProperty("schemaId", out _) || root.TryGetProperty("data", out _) => [root],
        JsonValueKind.Array => root.EnumerateArray().ToList(),
        _ => null,
    };

    public static string Key(MonitorAlert alert) => $"{alert.AlertId}|{alert.Condition}";

    public static bool TryNormalize(JsonElement payload, int index, AzureContext context, out MonitorAlert alert, out RecordError error)
    {
        alert = null!;
        error = null!;
        if (payload.ValueKind != JsonValueKind.Object)
        {
            error = new RecordError(index, "$", $"an alert must be a JSON object, not {payload.ValueKind}");
            return false;
        }
        var schema = AzureFields.Text(payload, "schemaId");
        if (!string.Equals(schema, SchemaId, StringComparison.OrdinalIgnoreCase))
        {
            error = new RecordError(index, "schemaId",
                $"schemaId '{schema ?? "(none)"}' is not {SchemaId}: enable the common alert schema on the action group's webhook");
            return false;
        }
        var essentials = AzureFields.Object(AzureFields.Object(payload, "data"), "essentials");
        if (essentials.ValueKind != JsonValueKind.Object)
        {
            error = new RecordError(index, "data.essentials", "'data.essentials' is missing or not an object");
            return false;
        }
        var alertId = AzureFields.Text(essentials, "alertId");
        var rule = AzureFields.Text(essentials, "alertRule");
        var missing = alertId is null ? "alertId" : rule is null ? "alertRule" : null;
        if (missing is not null)
        {
            error = new RecordError(index, "data.essentials." + missing, $"'{missing}' is missing or not a non-empty string");
            return false;
        }
        var conditionText = AzureFields.Text(essentials, "monitorCondition");
        if (!Enum.TryParse<AlertCondition>(conditionText, ignoreCase: true, out var condition) || !Enum.IsDefined(condition))
        {
            error = new RecordError(index, "data.essentials.monitorCondition",
                $"monitorCondition '{conditionText ?? "(none)"}' is neither Fired nor Resolved");
            return false;
        }

        List<string>? anomalies = null;
        DateTimeOffset firedAt;
        if (essentials.TryGetProperty("firedDateTime", out var fired) && SourceTime.TryRead(fired, out var parsed))
        {
            firedAt = parsed;
        }
        else
        {
            firedAt = context.ReceivedAt;
            (anomalies ??= []).Add("firedDateTime missing or not a time; received time used");
        }
        DateTimeOffset? resolvedAt = essentials.TryGetProperty("resolvedDateTime", out var resolved) && SourceTime.TryRead(resolved, out var parsedResolved)
            ? parsedResolved
            : null;
        if (condition == AlertCondition.Resolved && resolvedAt is null)
        {
            (anomalies ??= []).Add("a resolved alert without resolvedDateTime");
        }

        var targets = Strings(essentials, "alertTargetIDs");
        var account = AzureFields.Subscription(targets.FirstOrDefault()) ?? AzureFields.Subscription(alertId);
        if (account is null)
        {
            (anomalies ??= []).Add("no subscription in the alert's targets or id");
        }
        alert = new MonitorAlert
        {
            Provider = AzureFields.Provider,
            AlertId = alertId!,
            Condition = condition,
            Rule = rule!,
            RuleId = AzureFields.Text(essentials, "alertRuleID") ?? AzureFields.Text(essentials, "alertRuleId"),
            Severity = AzureFields.Text(essentials, "severity"),
            SignalType = AzureFields.Text(essentials, "signalType"),
            MonitoringService = AzureFields.Text(essentials, "monitoringService"),
            Account = account ?? AzureFields.UnknownAccount,
            ResourceGroup = AzureFields.Text(essentials, "targetResourceGroup") ?? AzureFields.ResourceGroup(targets.FirstOrDefault()),
            ResourceType = AzureFields.Text(essentials, "targetResourceType") ?? AzureFields.ResourceType(targets.FirstOrDefault()),
            Targets = targets,
            ConfigurationItems = Strings(essentials, "configurationItems"),
            OriginAlertId = AzureFields.Text(essentials, "originAlertId"),
            FiredAt = firedAt,
            ResolvedAt = resolvedAt,
            Description = AzureFields.Text(essentials, "description"),
            InvestigationLink = AzureFields.Text(essentials, "investigationLink"),
            Anomalies = (IReadOnlyList<string>?)anomalies ?? [],
            Raw = RawRecords.Of(payload, context.Source),
        };
        return true;
    }

    private static List<string> Strings(JsonElement element, string name) =>
        element.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(AzureFields.Text).OfType<string>().ToList()
            : [];
}
