namespace ControlTower.Contracts.Audit;

/// <summary>
/// One change somebody made through the gateway (every write it forwarded or served itself, whatever the answer).
/// Operations keeps these in the audit log beside its own, richer triage entries.
/// </summary>
public record AuditRecorded
{
    public required Guid Id { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>The person or API key name.</summary>
    public required string Actor { get; init; }

    /// <summary><c>user</c> or <c>key</c>.</summary>
    public required string ActorKind { get; init; }

    /// <summary>The method and path, e.g. <c>PUT /api/governance/baseline</c>.</summary>
    public required string Action { get; init; }

    /// <summary>The gateway route that served it, e.g. <c>governance-baseline-write</c>.</summary>
    public string? Route { get; init; }

    /// <summary>The HTTP status the caller got.</summary>
    public required int Status { get; init; }

    public string? ClientAddress { get; init; }

    /// <summary>The trace id, to find the request in the services' logs and traces.</summary>
    public string? TraceId { get; init; }

    /// <summary>Why, when the caller said (the <c>X-ControlTower-Reason</c> header).</summary>
    public string? Reason { get; init; }
}
