using System.Text.Json;

namespace ControlTower.Web.Gateway;

/// <summary>A registered release as ReleaseGate shows it.</summary>
public sealed record ReleaseInfo(
    Guid Id, string Service, string Environment, string Version, string Commit, IReadOnlyList<string> ArtifactDigests,
    string? PipelineRun, string RegisteredBy, DateTimeOffset RegisteredAt, IReadOnlyList<string> Targets);

public sealed record GitHubState(string State, string Conclusion);

public sealed record VerdictSummary(Guid Id, DateTimeOffset EvaluatedAt, string Decision, string RawOutcome, GitHubState GitHub, string Summary, string Digest);

public sealed record TruthStatus(string RuleId, string Outcome, string ReasonCode, string Explanation);

/// <summary>One cell of the readiness board (<c>GET /api/releases/board</c>).</summary>
public sealed record BoardCell(string Service, string Environment, ReleaseInfo Release, VerdictSummary? LatestVerdict,
    DateTimeOffset? EvidenceAt, int EvidenceCount, TruthStatus? Truth);

/// <summary>DORA figures for one service in one environment (<c>GET /api/releases/dora</c>).</summary>
public sealed record DoraFigures(string Service, string Environment, int Deployments, decimal DeploymentsPerDay, decimal? LeadTimeHours,
    decimal? ChangeFailureRate, decimal? TimeToRestoreHours, int Unrestored);

public sealed record PolicyRef(string Id, int Version, string Hash);

/// <summary>One rule's answer in a verdict: what it saw (<see cref="Observed"/>) against what the policy asks (<see cref="Expected"/>).</summary>
public sealed record RuleResult(string RuleId, string Kind, string Severity, string Outcome, string? Counted, string ReasonCode, string Explanation,
    IReadOnlyDictionary<string, string> Observed, IReadOnlyDictionary<string, string> Expected, IReadOnlyList<string> EvidenceIds, string? WaivedBy);

public sealed record WaiverResult(string WaiverId, string Status, IReadOnlyList<string> RuleIds, string Explanation);

public sealed record Verdict(Guid Id, Guid ReleaseId, string Service, string Environment, string Version, string Commit,
    DateTimeOffset EvaluatedAt, string RequestedBy, string? IdempotencyKey, PolicyRef Policy, string EvaluatorVersion,
    string RawOutcome, string Decision, GitHubState GitHub, string Summary, string Digest, IReadOnlyList<Guid> EvidenceIds,
    IReadOnlyList<RuleResult> Rules, IReadOnlyList<WaiverResult> Waivers);

/// <param name="Content">The evidence item's canonical JSON, as the evaluator sees it.</param>
public sealed record EvidenceInfo(Guid Id, Guid ReleaseId, string Kind, string Digest, DateTimeOffset CollectedAt, string SubmittedBy,
    DateTimeOffset SubmittedAt, JsonElement Content)
{
    public string? Text(string name) =>
        Content.ValueKind == JsonValueKind.Object && Content.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;
}

public sealed record OpenFinding(Guid FindingId, string Kind, string Type, string Subject, string Scope, string Severity, DateTimeOffset Since);

/// <summary>The release page in one call (<c>GET /api/releases/{id}/detail</c>); <see cref="Verdicts"/> newest first, at most 20.</summary>
public sealed record ReleaseDetail(ReleaseInfo Release, Verdict? LatestVerdict, IReadOnlyList<VerdictSummary> Verdicts,
    IReadOnlyList<EvidenceInfo> Evidence, IReadOnlyList<OpenFinding> OpenFindings);

public sealed record SmokeCounts(int Total, int Passed, int Failed, int Errored, int Skipped);

public sealed record SmokeSuite(string Name, int Total, int Passed, int Failed, int Errored, int Skipped);

public sealed record SmokeCase(string Suite, string Name, string Status, string? Message);

/// <summary>One evidence file (<c>GET /api/releases/{id}/evidence/{evidenceId}</c>): a smoke run's failing cases and original text.</summary>
public sealed record EvidenceFile(EvidenceInfo Evidence, string? Format, SmokeCounts? Counts, IReadOnlyList<SmokeSuite>? Suites,
    IReadOnlyList<SmokeCase> Cases, bool CasesCut, string? Text, bool TextCut);

public sealed record ReplayResult(Guid EvaluationId, string StoredDigest, string ReplayedDigest, bool Matches, bool PolicyHashMatches,
    string StoredEvaluatorVersion, string CurrentEvaluatorVersion, string StoredDecision, string ReplayedDecision);

public sealed record GatePolicy(string Id, int Version, string Service, string Environment, string Hash, string Source, int Rules, bool Active, string Text);

/// <summary>The body of <c>POST /api/releases/{id}/waivers</c>: exactly one of <see cref="RuleId"/> and <see cref="RuleKind"/>.</summary>
public sealed record WaiverGrant(string? RuleId, string? RuleKind, string Reason, string RequestedBy, string ApprovedBy, DateTimeOffset ExpiresAt);

/// <summary>How the portal says a decision or outcome: words first, the tone only repeats them.</summary>
public static class VerdictWords
{
    public static string Decision(string? decision) => decision switch
    {
        null => "No verdict",
        "Fail" => "Blocked",
        "PassWithWaiver" => "Pass with waiver",
        _ => decision,
    };

    public static string Tone(string? outcome) => outcome switch
    {
        "Pass" or "PassWithWaiver" => "success",
        "Warn" => "medium",
        "Inconclusive" => "neutral",
        "Error" => "high",
        "Fail" => "danger",
        _ => "info",
    };
}
