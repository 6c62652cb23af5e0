using ControlTower.Contracts.Activity;

namespace ControlTower.Contracts.Alerts;

/// <summary>
/// An alert a cloud's monitoring raised or cleared (Azure Monitor's common alert schema), normalised so that
/// Operations can turn it into a signal whose source condition follows <see cref="Condition"/>. The same alert
/// instance arrives once fired and once resolved, under the same <see cref="AlertId"/>: the natural key is
/// (<see cref="Provider"/>, <see cref="AlertId"/>, <see cref="Condition"/>).
/// </summary>
public record MonitorAlert
{
    /// <summary><c>azure</c>.</summary>
    public required string Provider { get; init; }

    /// <summary>The alert instance's id (Azure <c>essentials.alertId</c>), the same when fired and when resolved.</summary>
    public required string AlertId { get; init; }

    public required AlertCondition Condition { get; init; }

    /// <summary>The alert rule's name.</summary>
    public required string Rule { get; init; }

    /// <summary>The alert rule's resource id, where the payload gives it.</summary>
    public string? RuleId { get; init; }

    /// <summary><c>Sev0</c> (critical) to <c>Sev4</c> (verbose), as the source says.</summary>
    public string? Severity { get; init; }

    /// <summary><c>Metric</c>, <c>Log</c>, <c>Activity Log</c>, ...</summary>
    public string? SignalType { get; init; }

    /// <summary>What raised it, e.g. <c>Platform</c>, <c>Log Alerts V2</c>, <c>Activity Log - Administrative</c>.</summary>
    public string? MonitoringService { get; init; }

    /// <summary>The subscription the alert belongs to (<c>unknown</c> when no field says).</summary>
    public required string Account { get; init; }

    public string? ResourceGroup { get; init; }

    public string? ResourceType { get; init; }

    /// <summary>The resources the alert is about.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    /// <summary>Short names of what the alert is about (Azure <c>configurationItems</c>).</summary>
    public IReadOnlyList<string> ConfigurationItems { get; init; } = [];

    /// <summary>The monitoring service's own id for the alert (stable across instances of the same rule and target).</summary>
    public string? OriginAlertId { get; init; }

    public required DateTimeOffset FiredAt { get; init; }

    public DateTimeOffset? ResolvedAt { get; init; }

    public string? Description { get; init; }

    public string? InvestigationLink { get; init; }

    /// <summary>What the collector inferred or found inconsistent, in words.</summary>
    public IReadOnlyList<string> Anomalies { get; init; } = [];

    /// <summary>The payload as received (JSON), with its alert context and custom properties.</summary>
    public required RawJson Raw { get; init; }
}

/// <summary>The source's condition of an alert, set by the source alone (never by triage).</summary>
public enum AlertCondition
{
    Fired,
    Resolved,
}

/// <summary>Alerts a collector accepted in one request, published together once the broker confirmed them.</summary>
public record MonitorAlertBatch
{
    public required Guid BatchId { get; init; }

    /// <summary>The API key or source the gateway authenticated for the request.</summary>
    public required string Source { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public required IReadOnlyList<MonitorAlert> Alerts { get; init; }
}
