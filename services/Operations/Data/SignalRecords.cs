using ControlTower.Operations.Signals;

namespace ControlTower.Operations.Data;

/// <summary>Something that needs a person: one row per signal, with both state axes and its dedup counters.</summary>
public sealed class SignalRecord
{
    public long Id { get; set; }
    public required string Kind { get; set; }
    public required string DedupKey { get; set; }
    public required string Title { get; set; }
    public string? Summary { get; set; }
    public Severity Severity { get; set; }
    public string? OriginalSeverity { get; set; }
    public string? Provider { get; set; }
    public string? Account { get; set; }
    public string? Resource { get; set; }
    public string? Environment { get; set; }
    public string? Owner { get; set; }
    public string? Team { get; set; }
    public SourceCondition Condition { get; set; }
    public TriageStatus Status { get; set; }

    /// <summary>When a snooze or suppression ends.</summary>
    public DateTimeOffset? Until { get; set; }
    public Classification? Classification { get; set; }
    public int Count { get; set; }
    public DateTimeOffset FirstSeen { get; set; }
    public DateTimeOffset LastSeen { get; set; }
    public long? IncidentId { get; set; }

    /// <summary>The latest observation's source fields (JSON).</summary>
    public string? Details { get; set; }

    /// <summary>The ETag: raised by every change, checked by every write.</summary>
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public TriageState State => new(Status, Condition, Until, Classification, Owner, Team);

    public void Set(TriageState state)
    {
        Status = state.Status;
        Condition = state.Condition;
        Until = state.Until;
        Classification = state.Classification;
        Owner = state.Owner;
        Team = state.Team;
    }
}

/// <summary>Every observation a source sent, by dedup key: what makes ingestion idempotent.</summary>
public sealed class SignalObservationRecord
{
    public required string DedupKey { get; set; }
    public required string ObservationId { get; set; }
    public long? SignalId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>A group of signals that share the incident keys within the grouping window.</summary>
public sealed class IncidentRecord
{
    public long Id { get; set; }
    public required string GroupKey { get; set; }
    public required string Title { get; set; }

    /// <summary><c>open</c>, <c>resolved</c> (every signal resolved or closed) or <c>merged</c>.</summary>
    public required string Status { get; set; }
    public long? MergedInto { get; set; }
    public DateTimeOffset FirstSeen { get; set; }
    public DateTimeOffset LastSeen { get; set; }
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Append-only history of a signal or an incident.</summary>
public sealed class TimelineEntryRecord
{
    public long Id { get; set; }

    /// <summary><c>signal</c> or <c>incident</c>.</summary>
    public required string TargetType { get; set; }
    public long TargetId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Actor { get; set; }

    /// <summary>e.g. <c>occurred</c>, <c>condition</c>, <c>status</c>, <c>assigned</c>, <c>note</c>, <c>grouped</c>.</summary>
    public required string Type { get; set; }
    public string? From { get; set; }
    public string? To { get; set; }
    public string? Text { get; set; }
}

/// <summary>Append-only audit log: Operations' own mutations and the gateway's <c>AuditRecorded</c>.</summary>
public sealed class AuditEntryRecord
{
    public long Seq { get; set; }
    public Guid Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Actor { get; set; }
    public string? ActorKind { get; set; }
    public required string Action { get; set; }
    public string? TargetType { get; set; }
    public string? TargetId { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
    public string? ClientAddress { get; set; }
    public string? Reason { get; set; }
    public int? Status { get; set; }
    public string? TraceId { get; set; }

    /// <summary><c>operations</c> or <c>gateway</c>.</summary>
    public required string Origin { get; set; }
}

/// <summary>One account or subscription of Governance's directory: who owns it.</summary>
public sealed class DirectoryAccountRecord
{
    public required string Provider { get; set; }
    public required string Account { get; set; }
    public required string Name { get; set; }
    public string? Owner { get; set; }
    public string? Team { get; set; }
    public string? Environment { get; set; }
    public int BaselineVersion { get; set; }
    public DateTimeOffset PublishedAt { get; set; }
}

/// <summary>Failed console sign-ins per account, actor and window: the counter behind the burst rule.</summary>
public sealed class ActivityRuleCounterRecord
{
    public required string Key { get; set; }
    public DateTimeOffset WindowStart { get; set; }
    public int Count { get; set; }
}

/// <summary>
/// A silence: matchers, an end that always comes, an author and a reason. Matching open signals are suppressed when it is
/// made, and new or reopened ones while it lasts.
/// </summary>
public sealed class SuppressionRecord
{
    public long Id { get; set; }
    public string? Kind { get; set; }
    public string? Account { get; set; }
    public Severity? Severity { get; set; }
    public string? Team { get; set; }
    public string? DedupKeyPrefix { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public required string Reason { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
