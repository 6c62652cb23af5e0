namespace ControlTower.ReleaseGate.Data;

/// <summary>A release a pipeline registered: what it claims to deploy, where, from which run.</summary>
public sealed class Release
{
    public Guid Id { get; set; }
    public required string Service { get; set; }
    public required string Environment { get; set; }
    public required string Version { get; set; }
    public required string Commit { get; set; }
    public List<string> ArtifactDigests { get; set; } = [];

    /// <summary>The AWS accounts and Azure subscriptions it deploys into: where the gate looks for open findings.</summary>
    public List<string> Targets { get; set; } = [];
    public string? PipelineRun { get; set; }

    /// <summary>When the commit was made, if the pipeline said: the start of the DORA lead time.</summary>
    public DateTimeOffset? CommittedAt { get; set; }
    public required string RegisteredBy { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
}
