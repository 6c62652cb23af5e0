using System.Text.Json;
using System.Text.Json.Serialization;
using ControlTower.ReleaseGate.Evaluation;

namespace ControlTower.ReleaseGate.Verdicts;

/// <summary>How a verdict's rule and waiver results are stored and shown: web JSON, outcomes by name.</summary>
public static class VerdictJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static string Results(GateVerdict verdict) =>
        JsonSerializer.Serialize(new StoredResults(verdict.Rules, verdict.Waivers), Options);

    /// <summary>The words a GitHub deployment protection rule uses.</summary>
    public static string GitHub(GitHubGateState state) => state switch
    {
        GitHubGateState.Approved => "approved",
        GitHubGateState.Rejected => "rejected",
        _ => "action_required",
    };

    private sealed record StoredResults(IReadOnlyList<RuleResult> Rules, IReadOnlyList<WaiverResult> Waivers);
}
