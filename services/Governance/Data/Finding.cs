namespace ControlTower.Governance.Data;

/// <summary>
/// One finding per kind of problem and subject. A drift finding (type = drift type) opens when the drift appears,
/// resolves when the observed state returns to the baseline, and opens again (its occurrence counted) if it
/// returns. A guardrail finding (type = control id) opens with the first event that breaks the control and counts
/// every further distinct event; events do not undo each other, so only a person resolves it.
/// </summary>
/// <remarks>
/// Suppression with an expiry belongs here as a status (<c>suppressed</c>) with its own until, by and reason
/// columns, so that an event during a suppression still counts without announcing.
/// </remarks>
public sealed class Finding
{
    public const string Drift = "drift";
    public const string Guardrail = "guardrail";

    public Guid Id { get; set; }

    /// <summary><see cref="Drift"/> or <see cref="Guardrail"/>.</summary>
    public string Kind { get; set; } = Drift;

    /// <summary>The drift type, or the control id of a guardrail finding.</summary>
    public required string Type { get; set; }
    public required string Subject { get; set; }

    /// <summary><c>open</c> or <c>resolved</c>.</summary>
    public required string Status { get; set; }
    public required string Severity { get; set; }
    public required string Expected { get; set; }
    public required string Observed { get; set; }
    public required string Repair { get; set; }

    /// <summary>The latest event that shows it.</summary>
    public string? EvidenceEventId { get; set; }

    /// <summary>The latest few events that show it, newest first (guardrail findings).</summary>
    public List<string> EvidenceEventIds { get; set; } = [];

    /// <summary><c>aws</c> or <c>azure</c> and the account or subscription, where the finding belongs to one.</summary>
    public string? Provider { get; set; }
    public string? Account { get; set; }

    /// <summary>How many times a drift has opened; how many distinct events have broken a control.</summary>
    public int Occurrences { get; set; }
    public DateTimeOffset FirstDetectedAt { get; set; }
    public DateTimeOffset LastDetectedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
}
