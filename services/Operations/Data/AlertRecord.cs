namespace ControlTower.Operations.Data;

/// <summary>One alert instance from a cloud's monitoring, fired and (later) resolved: the source condition of a signal.</summary>
public sealed class AlertRecord
{
    public required string Provider { get; set; }
    public required string AlertId { get; set; }

    /// <summary><c>Fired</c> or <c>Resolved</c>; once resolved it stays resolved, whatever order the two arrive in.</summary>
    public required string Condition { get; set; }
    public required string Rule { get; set; }
    public string? RuleId { get; set; }
    public string? Severity { get; set; }
    public string? SignalType { get; set; }
    public string? MonitoringService { get; set; }
    public required string Account { get; set; }
    public string? ResourceGroup { get; set; }
    public string? ResourceType { get; set; }

    /// <summary>JSON array of resource ids.</summary>
    public required string Targets { get; set; }

    /// <summary>JSON array of short names.</summary>
    public required string ConfigurationItems { get; set; }
    public string? OriginAlertId { get; set; }
    public DateTimeOffset FiredAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? Description { get; set; }
    public string? InvestigationLink { get; set; }

    /// <summary>JSON array of what the collector noted.</summary>
    public required string Anomalies { get; set; }

    /// <summary>The fired notification as received, when it has arrived.</summary>
    public string? RawFired { get; set; }

    /// <summary>The resolved notification as received, when it has arrived.</summary>
    public string? RawResolved { get; set; }
    public required string Source { get; set; }
    public DateTimeOffset FirstReceivedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
