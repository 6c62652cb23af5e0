using System.Text.Json.Nodes;
using ControlTower.ReleaseGate.Evaluation;

namespace ControlTower.ReleaseGate.Policies;

/// <summary>
/// A policy pinned for evaluation: the parsed policy plus the SHA-256 of its canonical form. The hash is taken over
/// the meaning (defaults made explicit, keys ordered, numbers normalised), so re-serialising the YAML, reordering its
/// keys or writing <c>0.950</c> for <c>0.95</c> leaves it unchanged; changing any rule changes it.
/// </summary>
public sealed record GatePolicySnapshot
{
    /// <summary>Bumped whenever the evaluator's semantics change, so old verdicts replay against the version they used.</summary>
    public const string EvaluatorVersion = "gate-evaluator/1";

    public required GatePolicy Policy { get; init; }
    public required string Hash { get; init; }

    public static GatePolicySnapshot Create(GatePolicy policy) => new() { Policy = policy, Hash = CanonicalJson.Sha256(Canonical(policy)) };

    public static JsonObject Canonical(GatePolicy policy) => new()
    {
        ["policy"] = policy.Id,
        ["version"] = policy.Version,
        ["service"] = policy.Service,
        ["environment"] = policy.Environment,
        // Calendars are looked up by name, so their order carries no meaning; rule order is the report order.
        ["calendars"] = new JsonArray([.. policy.Calendars.OrderBy(c => c.Name, StringComparer.Ordinal).Select(Canonical)]),
        ["rules"] = new JsonArray([.. policy.Rules.Select(Canonical)]),
    };

    private static JsonNode Canonical(FreezeCalendar calendar) => new JsonObject
    {
        ["name"] = calendar.Name,
        ["timeZone"] = calendar.TimeZone,
        ["windows"] = new JsonArray([.. calendar.Windows.Select(w => (JsonNode)new JsonObject
        {
            ["cron"] = w.Cron,
            ["duration"] = w.Duration is { } d ? CanonicalJson.Duration(d) : null,
            ["from"] = w.From?.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            ["to"] = w.To?.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            ["reason"] = w.Reason,
        })]),
    };

    private static JsonNode Canonical(GateRule rule)
    {
        var node = new JsonObject
        {
            ["id"] = rule.Id,
            ["kind"] = rule.Kind,
            ["severity"] = rule.Severity.ToString(),
            ["noData"] = rule.NoData.ToString(),
        };
        switch (rule)
        {
            case SmokePassRateRule r:
                node["minPassRate"] = CanonicalJson.Decimal(r.MinPassRate);
                node["maxAge"] = CanonicalJson.Duration(r.MaxAge);
                break;
            case RequiredSuitesRule r:
                node["suites"] = new JsonArray([.. r.Suites.Select(s => (JsonNode)s)]);
                node["maxAge"] = CanonicalJson.Duration(r.MaxAge);
                break;
            case DeploymentTruthRule r:
                node["checkVersion"] = r.CheckVersion;
                node["checkCommit"] = r.CheckCommit;
                node["checkDigest"] = r.CheckDigest;
                node["minReplicas"] = r.MinReplicas;
                node["maxAge"] = CanonicalJson.Duration(r.MaxAge);
                break;
            case OpenFindingsRule r:
                node["maxSeverity"] = r.MaxAllowed.ToString();
                node["maxAge"] = CanonicalJson.Duration(r.MaxAge);
                break;
            case FreezeWindowRule r:
                node["calendars"] = new JsonArray([.. r.Calendars.Select(s => (JsonNode)s)]);
                break;
            case ApprovalRule r:
                node["count"] = r.Count;
                break;
            case MetricThresholdRule r:
                node["metric"] = r.Metric;
                node["operator"] = r.Comparison.ToString();
                node["value"] = CanonicalJson.Decimal(r.Threshold);
                node["maxAge"] = CanonicalJson.Duration(r.MaxAge);
                break;
            default:
                throw new InvalidOperationException($"No canonical form for rule kind {rule.Kind}.");
        }
        return node;
    }
}

/// <summary>Picks the policy for a service and environment: exact match, then service, then environment, then the default (<c>*</c>/<c>*</c>).</summary>
public static class GatePolicyCatalog
{
    public static GatePolicySnapshot? Select(IEnumerable<GatePolicySnapshot> policies, string service, string environment) =>
        policies
            .Where(p => p.Policy.Service is var s && (s == "*" || s == service))
            .Where(p => p.Policy.Environment is var e && (e == "*" || e == environment))
            .OrderByDescending(p => (p.Policy.Service == service ? 2 : 0) + (p.Policy.Environment == environment ? 1 : 0))
            .ThenByDescending(p => p.Policy.Version)
            .ThenBy(p => p.Policy.Id, StringComparer.Ordinal)
            .FirstOrDefault();
}
