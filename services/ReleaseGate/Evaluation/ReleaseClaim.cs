using System.Text.Json.Nodes;
using ControlTower.ReleaseGate.Data;

namespace ControlTower.ReleaseGate.Evaluation;

/// <summary>
/// What a release claims, as the evaluator sees it: where it goes, what it is, who asks, and which accounts or
/// subscriptions it lands in (for the open-findings rule).
/// </summary>
public sealed record ReleaseClaim
{
    public required string Service { get; init; }
    public required string Environment { get; init; }
    public required string Version { get; init; }
    public required string Commit { get; init; }
    public IReadOnlyList<string> ArtifactDigests { get; init; } = [];
    public required string RequestedBy { get; init; }
    /// <summary>AWS account ids or Azure subscription ids the release deploys into.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];
    public string? PipelineRun { get; init; }

    public static ReleaseClaim From(Release release, IReadOnlyList<string>? targets = null) => new()
    {
        Service = release.Service,
        Environment = release.Environment,
        Version = release.Version,
        Commit = release.Commit,
        ArtifactDigests = release.ArtifactDigests,
        RequestedBy = release.RegisteredBy,
        Targets = targets ?? [],
        PipelineRun = release.PipelineRun,
    };

    public JsonObject Canonical() => new()
    {
        ["service"] = Service,
        ["environment"] = Environment,
        ["version"] = Version,
        ["commit"] = Commit.ToLowerInvariant(),
        ["artifactDigests"] = new JsonArray([.. ArtifactDigests.Select(d => d.ToLowerInvariant()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(d => (JsonNode)d)]),
        ["requestedBy"] = RequestedBy,
        ["targets"] = new JsonArray([.. Targets.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(t => (JsonNode)t)]),
        ["pipelineRun"] = PipelineRun,
    };
}
