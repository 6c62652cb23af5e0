namespace ControlTower.Governance.Data;

/// <summary>
/// An event a control picked, once per control and event: what makes a redelivered event count once, and where
/// the blocked calls of preventive controls are counted.
/// </summary>
public sealed class GuardrailEvent
{
    public const string Violation = "violation";
    public const string Blocked = "blocked";

    public required string ControlId { get; set; }
    public required string EventId { get; set; }
    public required string Provider { get; set; }
    public required string Account { get; set; }

    /// <summary><see cref="Violation"/> or <see cref="Blocked"/>.</summary>
    public required string Outcome { get; set; }
    public required string Subject { get; set; }
    public string? Actor { get; set; }
    public DateTimeOffset EventTime { get; set; }
    public DateTimeOffset RecordedAt { get; set; }

    /// <summary>The finding a violation counted in.</summary>
    public Guid? FindingId { get; set; }
}
