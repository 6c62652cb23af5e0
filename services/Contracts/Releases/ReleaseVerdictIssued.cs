namespace ControlTower.Contracts.Releases;

/// <summary>
/// ReleaseGate stored a verdict for a release: published through the outbox once the verdict is committed, so a
/// consumer never hears of a verdict that is not there. <see cref="EvaluationId"/> identifies it (a redelivery
/// carries the same one); <see cref="Digest"/> is what a replay must reproduce.
/// </summary>
public record ReleaseVerdictIssued
{
    public required Guid EvaluationId { get; init; }
    public required Guid ReleaseId { get; init; }
    public required string Service { get; init; }
    public required string Environment { get; init; }
    public required string Version { get; init; }
    public required string Commit { get; init; }

    /// <summary><c>Pass</c>, <c>PassWithWaiver</c>, <c>Warn</c>, <c>Inconclusive</c>, <c>Error</c> or <c>Fail</c>.</summary>
    public required string Decision { get; init; }

    /// <summary>The outcome before waivers: <c>Pass</c>, <c>Warn</c>, <c>Inconclusive</c>, <c>Error</c> or <c>Fail</c>.</summary>
    public required string RawOutcome { get; init; }

    /// <summary>What a GitHub deployment protection rule does with it: <c>approved</c>, <c>rejected</c> or <c>action_required</c>.</summary>
    public required string GitHub { get; init; }

    public required string PolicyId { get; init; }
    public required int PolicyVersion { get; init; }
    public required string PolicyHash { get; init; }
    public required string Digest { get; init; }
    public required DateTimeOffset EvaluatedAt { get; init; }
    public required string Summary { get; init; }
}
