namespace ControlTower.ReleaseGate.Evaluation;

/// <summary>Rule and verdict outcomes, best to worst: the worst one counted wins.</summary>
public enum GateOutcome
{
    Pass,
    Warn,
    Inconclusive,
    Error,
    Fail,
}

/// <summary>The final decision after waivers; <see cref="PassWithWaiver"/> is a pass that needed at least one.</summary>
public enum GateDecision
{
    Pass,
    PassWithWaiver,
    Warn,
    Inconclusive,
    Error,
    Fail,
}

/// <summary>What a GitHub custom deployment protection rule (or a workflow step) does with a decision.</summary>
public enum GitHubGateState
{
    Approved,
    Rejected,
    ActionRequired,
}

/// <summary>
/// One rule's answer. <see cref="Outcome"/> is what the rule found; <see cref="Counted"/> is what it contributes
/// to the verdict after its severity (null for a dry run, at most Warn for a warning rule); <see cref="WaivedBy"/>
/// names the waiver that set it aside. <see cref="Observed"/> and <see cref="Expected"/> hold the same facts as
/// <see cref="Explanation"/>, as data.
/// </summary>
public sealed record RuleResult
{
    public required string RuleId { get; init; }
    public required string Kind { get; init; }
    public required string Severity { get; init; }
    public required GateOutcome Outcome { get; init; }
    public required GateOutcome? Counted { get; init; }
    public required string ReasonCode { get; init; }
    public required string Explanation { get; init; }
    public required IReadOnlyDictionary<string, string> Observed { get; init; }
    public required IReadOnlyDictionary<string, string> Expected { get; init; }
    public required IReadOnlyList<string> EvidenceIds { get; init; }
    public string? WaivedBy { get; init; }
}

/// <summary>Whether a waiver in scope applied, and if not, why not.</summary>
public sealed record WaiverResult(string WaiverId, string Status, IReadOnlyList<string> RuleIds, string Explanation);

/// <summary>
/// A verdict: the pinned inputs (policy hash, evidence digests, release, evaluation time), every rule's result,
/// the raw outcome before waivers and the decision after them, and the SHA-256 <see cref="Digest"/> over all of it.
/// </summary>
public sealed record GateVerdict
{
    public required string EvaluatorVersion { get; init; }
    public required string PolicyId { get; init; }
    public required int PolicyVersion { get; init; }
    public required string PolicyHash { get; init; }
    public required ReleaseClaim Release { get; init; }
    public required DateTimeOffset EvaluatedAt { get; init; }
    public required IReadOnlyList<string> EvidenceDigests { get; init; }
    public required IReadOnlyList<RuleResult> Rules { get; init; }
    public required GateOutcome RawOutcome { get; init; }
    public required GateDecision Decision { get; init; }
    public required IReadOnlyList<WaiverResult> Waivers { get; init; }
    public required string Summary { get; init; }
    public required string Digest { get; init; }
    /// <summary>The canonical JSON (UTF-8) the digest is taken over, kept so a replay can show what differs.</summary>
    public required ReadOnlyMemory<byte> CanonicalUtf8 { get; init; }

    public string CanonicalJson => System.Text.Encoding.UTF8.GetString(CanonicalUtf8.Span);

    public GitHubGateState GitHub => Decision switch
    {
        GateDecision.Pass or GateDecision.PassWithWaiver or GateDecision.Warn => GitHubGateState.Approved,
        GateDecision.Fail => GitHubGateState.Rejected,
        _ => GitHubGateState.ActionRequired,
    };

    /// <summary>The check-run conclusion for the same decision.</summary>
    public string CheckConclusion => Decision switch
    {
        GateDecision.Pass or GateDecision.PassWithWaiver => "success",
        GateDecision.Warn => "neutral",
        GateDecision.Fail => "failure",
        _ => "action_required",
    };

    /// <summary>Dry-run rules: how many, and how many of them would not have passed.</summary>
    public (int Rules, int NotPassing) DryRun => (Rules.Count(r => r.Counted is null), Rules.Count(r => r.Counted is null && r.Outcome != GateOutcome.Pass));
}
