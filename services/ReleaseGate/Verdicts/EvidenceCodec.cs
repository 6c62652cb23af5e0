using System.Globalization;
using System.Text.Json.Nodes;
using ControlTower.ReleaseGate.Data;
using ControlTower.ReleaseGate.Evaluation;
using ControlTower.ReleaseGate.Evidence;

namespace ControlTower.ReleaseGate.Verdicts;

/// <summary>
/// Turns stored evidence back into the evaluator's items. The stored canonical JSON is the item's own, so the item
/// rebuilt from it has the same digest; that is checked, because a replay that quietly used other evidence would
/// prove nothing. A smoke run is re-parsed from its original report (the parsers are deterministic).
/// </summary>
public static class EvidenceCodec
{
    /// <summary>Times are kept to the microsecond, as PostgreSQL keeps them, so what is stored is what was evaluated.</summary>
    public static DateTimeOffset Microseconds(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }

    public static EvidenceItem ToItem(EvidenceRecord record)
    {
        var node = JsonNode.Parse(record.Canonical)!.AsObject();
        string Text(string name) => node[name]!.GetValue<string>();
        string? Maybe(string name) => node[name]?.GetValue<string>();
        var id = Text("id");
        var service = Text("service");
        var environment = Text("environment");
        var collectedAt = DateTimeOffset.Parse(Text("collectedAt"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        EvidenceItem item = record.Kind switch
        {
            "smokeRun" => new SmokeRunEvidence
            {
                Id = id, Service = service, Environment = environment, CollectedAt = collectedAt,
                Commit = Text("commit"), Version = Maybe("version"),
                Run = Reparse(record),
            },
            "truthObservation" => new TruthObservation
            {
                Id = id, Service = service, Environment = environment, CollectedAt = collectedAt,
                Replica = Text("replica"), Version = Maybe("version"), Commit = Maybe("commit"),
                ImageDigest = Maybe("imageDigest"), Error = Maybe("error"),
            },
            "approval" => new ApprovalEvidence
            {
                Id = id, Service = service, Environment = environment, CollectedAt = collectedAt,
                Approver = Text("approver"), Commit = Text("commit"), Approved = node["approved"]!.GetValue<bool>(), Comment = Maybe("comment"),
            },
            "waiver" => new Waiver
            {
                Id = id, Service = service, Environment = environment, CollectedAt = collectedAt,
                RuleId = Maybe("ruleId"), RuleKind = Maybe("ruleKind"), Reason = Text("reason"),
                RequestedBy = Text("requestedBy"), ApprovedBy = Text("approvedBy"),
                ExpiresAt = DateTimeOffset.Parse(Text("expiresAt"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
            },
            "metric" => new MetricSample
            {
                Id = id, Service = service, Environment = environment, CollectedAt = collectedAt,
                Metric = Text("metric"),
                Value = Maybe("value") is { } v ? decimal.Parse(v, NumberStyles.Number, CultureInfo.InvariantCulture) : null,
            },
            "findingsSnapshot" => new FindingsSnapshot
            {
                Id = id, Service = service, Environment = environment, CollectedAt = collectedAt,
                Scope = Text("scope"),
                Findings = [.. node["findings"]!.AsArray().Select(f => new OpenFinding(f!["id"]!.GetValue<string>(), f["control"]!.GetValue<string>(),
                    Enum.Parse<Policies.FindingSeverity>(f["severity"]!.GetValue<string>()), f["subject"]!.GetValue<string>()))],
            },
            _ => throw new InvalidOperationException($"Evidence {record.Id} has an unknown kind '{record.Kind}'."),
        };
        if (item.Digest != record.Digest)
        {
            throw new InvalidOperationException($"Evidence {record.Id} no longer rebuilds to its digest {record.Digest} (got {item.Digest}).");
        }
        return item;
    }

    private static SmokeRun Reparse(EvidenceRecord record)
    {
        var format = Enum.Parse<SmokeFormat>(record.SmokeFormat!);
        var parsed = SmokeReportParser.Parse(format, record.Original, tapSuite: record.TapSuite);
        return parsed.Run ?? throw new InvalidOperationException($"Evidence {record.Id}'s stored report no longer parses: {parsed.Error}");
    }

    /// <summary>The content key of posted JSON evidence: the item's canonical form without its id (and, when asked, its time).</summary>
    public static string ContentKey(EvidenceItem item, bool withTime)
    {
        var node = item.Canonical();
        node["id"] = "";
        if (!withTime)
        {
            node["collectedAt"] = "";
        }
        return CanonicalJson.Sha256(node);
    }
}
