namespace ControlTower.Operations.Data;

/// <summary>A stored activity: the normalised fields, the raw source record, and where it came from.</summary>
public sealed class ActivityRecord
{
    public required string Provider { get; set; }
    public required string EventId { get; set; }
    public DateTimeOffset Time { get; set; }
    public required string Account { get; set; }
    public string? Region { get; set; }
    public required string Service { get; set; }
    public required string Operation { get; set; }
    public string? Actor { get; set; }
    public string? ActorType { get; set; }
    public string? SourceIp { get; set; }
    public string? UserAgent { get; set; }
    public required string Outcome { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    public string? EventCategory { get; set; }
    public bool? ManagementEvent { get; set; }
    public string? EventVersion { get; set; }
    public string? RecipientAccount { get; set; }
    public string? OrganizationId { get; set; }
    public bool? MfaUsed { get; set; }
    public string? RequestId { get; set; }
    public string? ResourceGroup { get; set; }
    public string? ResourceId { get; set; }
    public string? CorrelationId { get; set; }
    public string? Level { get; set; }

    /// <summary>The caller's identity in full (JSON).</summary>
    public string? Identity { get; set; }

    /// <summary>The resources the event names (JSON array).</summary>
    public required string Resources { get; set; }

    /// <summary>What the collector inferred or found inconsistent (JSON array of strings).</summary>
    public required string Anomalies { get; set; }
    public bool? ReadOnly { get; set; }
    public string? EventType { get; set; }
    public required string Raw { get; set; }
    public required string Source { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset StoredAt { get; set; }
}
