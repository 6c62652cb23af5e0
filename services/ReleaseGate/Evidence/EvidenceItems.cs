using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ControlTower.ReleaseGate.Evaluation;
using ControlTower.ReleaseGate.Policies;

namespace ControlTower.ReleaseGate.Evidence;

/// <summary>
/// One immutable piece of evidence, collected before evaluation. Its <see cref="Digest"/> is the SHA-256 of its
/// canonical JSON, which is what a verdict's digest pins. <see cref="Service"/> and <see cref="Environment"/> say
/// what it is about; rules only look at evidence for the release's own service and environment.
/// </summary>
public abstract record EvidenceItem
{
    public required string Id { get; init; }
    public required string Service { get; init; }
    public required string Environment { get; init; }
    public required DateTimeOffset CollectedAt { get; init; }
    public abstract string Kind { get; }

    /// <remarks>
    /// Remembered per instance (items are immutable; <c>with</c> makes a new instance, which hashes afresh), as the
    /// service stores it beside the item at ingestion rather than hashing every item on every evaluation.
    /// </remarks>
    public string Digest => Digests.GetValue(this, item => new StrongBox<string>(CanonicalJson.Sha256(item.Canonical()))).Value!;

    private static readonly ConditionalWeakTable<EvidenceItem, StrongBox<string>> Digests = new();

    public JsonObject Canonical()
    {
        var node = new JsonObject
        {
            ["id"] = Id,
            ["kind"] = Kind,
            ["service"] = Service,
            ["environment"] = Environment,
            ["collectedAt"] = CanonicalJson.Time(CollectedAt),
        };
        AddFields(node);
        return node;
    }

    protected abstract void AddFields(JsonObject node);

    protected static JsonArray Strings(IEnumerable<string> values) => new([.. values.Order(StringComparer.Ordinal).Select(v => (JsonNode)v)]);
}

/// <summary>A smoke run posted for a commit (and version). The original report is pinned by its SHA-256.</summary>
public sealed record SmokeRunEvidence : EvidenceItem
{
    public override string Kind => "smokeRun";
    public required string Commit { get; init; }
    public string? Version { get; init; }
    public required SmokeRun Run { get; init; }

    protected override void AddFields(JsonObject node)
    {
        node["commit"] = Commit;
        node["version"] = Version;
        node["format"] = Run.Format.ToString();
        node["originalSha256"] = Run.OriginalSha256;
        node["suites"] = new JsonArray([.. Run.Suites.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => (JsonNode)new JsonObject
        {
            ["name"] = s.Name,
            ["total"] = s.Counts.Total,
            ["passed"] = s.Counts.Passed,
            ["failed"] = s.Counts.Failed,
            ["errored"] = s.Counts.Errored,
            ["skipped"] = s.Counts.Skipped,
        })]);
    }
}

/// <summary>What one replica reported running (from the pipeline, or a <c>/version</c> endpoint), or why it could not be asked.</summary>
public sealed record TruthObservation : EvidenceItem
{
    public override string Kind => "truthObservation";
    public required string Replica { get; init; }
    public string? Version { get; init; }
    public string? Commit { get; init; }
    public string? ImageDigest { get; init; }
    /// <summary>Set when the replica could not be observed (unreachable, bad answer): the check then errors.</summary>
    public string? Error { get; init; }

    protected override void AddFields(JsonObject node)
    {
        node["replica"] = Replica;
        node["version"] = Version;
        node["commit"] = Commit;
        node["imageDigest"] = ImageDigest;
        node["error"] = Error;
    }
}

public sealed record OpenFinding(string Id, string Control, FindingSeverity Severity, string Subject);

/// <summary>The open drift and guardrail findings in one account or subscription, as Governance knew them at <see cref="EvidenceItem.CollectedAt"/>. An empty list means none were open.</summary>
public sealed record FindingsSnapshot : EvidenceItem
{
    public override string Kind => "findingsSnapshot";
    /// <summary>The AWS account id or Azure subscription id.</summary>
    public required string Scope { get; init; }
    public required IReadOnlyList<OpenFinding> Findings { get; init; }

    protected override void AddFields(JsonObject node)
    {
        node["scope"] = Scope;
        node["findings"] = new JsonArray([.. Findings.OrderBy(f => f.Id, StringComparer.Ordinal).Select(f => (JsonNode)new JsonObject
        {
            ["id"] = f.Id,
            ["control"] = f.Control,
            ["severity"] = f.Severity.ToString(),
            ["subject"] = f.Subject,
        })]);
    }
}

/// <summary>A person's approval (or rejection) of a release's commit.</summary>
public sealed record ApprovalEvidence : EvidenceItem
{
    public override string Kind => "approval";
    public required string Approver { get; init; }
    public required string Commit { get; init; }
    public required bool Approved { get; init; }
    public string? Comment { get; init; }

    protected override void AddFields(JsonObject node)
    {
        node["approver"] = Approver;
        node["commit"] = Commit;
        node["approved"] = Approved;
        node["comment"] = Comment;
    }
}

/// <summary>A metric value posted as evidence. A null value is "no data" (a query that returned nothing, or NaN).</summary>
public sealed record MetricSample : EvidenceItem
{
    public override string Kind => "metric";
    public required string Metric { get; init; }
    public decimal? Value { get; init; }

    protected override void AddFields(JsonObject node)
    {
        node["metric"] = Metric;
        node["value"] = Value is { } v ? CanonicalJson.Decimal(v) : null;
    }
}

/// <summary>
/// A waiver: lets one rule (by id) or every rule of one kind pass for a service and environment (<c>*</c> for any)
/// until it expires, with a reason and an approver who is not the requester.
/// </summary>
public sealed record Waiver : EvidenceItem
{
    public override string Kind => "waiver";
    public string? RuleId { get; init; }
    public string? RuleKind { get; init; }
    public required string Reason { get; init; }
    public required string RequestedBy { get; init; }
    public required string ApprovedBy { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }

    protected override void AddFields(JsonObject node)
    {
        node["ruleId"] = RuleId;
        node["ruleKind"] = RuleKind;
        node["reason"] = Reason;
        node["requestedBy"] = RequestedBy;
        node["approvedBy"] = ApprovedBy;
        node["expiresAt"] = CanonicalJson.Time(ExpiresAt);
    }
}

/// <summary>Everything a verdict may look at, in any order: the evaluator's answer does not depend on it.</summary>
public sealed record EvidenceSnapshot(IReadOnlyList<EvidenceItem> Items)
{
    public static readonly EvidenceSnapshot Empty = new([]);
}
