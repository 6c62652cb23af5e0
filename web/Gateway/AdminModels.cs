namespace ControlTower.Web.Gateway;

/// <summary>The scopes an API key may be given (the gateway's Scopes.All), in the order the create form lists them.</summary>
public static class KnownScopes
{
    public static readonly IReadOnlyList<string> All =
    [
        "ingest:aws", "ingest:azure", "activity:read", "alerts:read", "signals:read", "signals:triage", "signals:suppress",
        "governance:read", "governance:write", "governance:suppress", "releases:read", "releases:write", "releases:waive",
        "audit:read", "admin:keys", "admin:messages",
    ];
}

// API keys (/api/admin/keys, served by the gateway itself).
public sealed record CreateKeyRequest(string Name, IReadOnlyList<string> Scopes, bool? Signed);

public sealed record ApiKeyView(
    string Name, IReadOnlyList<string> Scopes, string PrimaryPrefix, string? SecondaryPrefix, DateTimeOffset? SecondaryExpiresAt,
    bool Signed, string ManagedBy, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? RotatedAt, DateTimeOffset? RevokedAt)
{
    /// <summary>Whether the old secret of the last rotation still works at <paramref name="now"/>.</summary>
    public bool SecondaryActive(DateTimeOffset now) => SecondaryPrefix is not null && RevokedAt is null && SecondaryExpiresAt > now;
}

public sealed record ApiKeySecretView(ApiKeyView Key, string Secret, string? SigningSecret);

// The landing-zone baseline (/api/governance/baseline).
public sealed record BaselineView(int Version, string Hash, string Origin, string Source, DateTimeOffset RecordedAt, LandingZoneBaseline Baseline);

// The baseline document itself is GovernanceModels.cs' LandingZoneBaseline, shared with the landing-zone pages.

/// <param name="Kind">organization, trusted-access, ou, account, policy, policy-target, management-group, subscription, policy-assignment.</param>
/// <param name="Change">added, removed or changed.</param>
public sealed record BaselineChange(string Kind, string Id, string Change, string? Before, string? After);

public sealed record BaselineVersionSummary(int Version, string Hash, string Origin, string Source, string? Reason, DateTimeOffset RecordedAt, int Changes);

public sealed record BaselineVersionView(int Version, string Hash, string Origin, string Source, string? Reason, DateTimeOffset RecordedAt,
    string Yaml, IReadOnlyDictionary<string, string> Files, IReadOnlyList<BaselineChange> Changes);

public sealed record BaselineReplacementView(bool Applied, bool DryRun, int Version, string Hash, IReadOnlyList<BaselineChange> Changes,
    IReadOnlyDictionary<string, IReadOnlyList<string>> NotEnforced);

// Poison messages (/api/admin/messages, Operations).
public sealed record ErrorQueueSummary(string Queue, string InputQueue, long Count);

public sealed record DeadLetter(string? MessageId, string? MessageType, string? FaultExceptionType, string? FaultMessage, DateTimeOffset? FaultedAt,
    int BodyBytes, IReadOnlyDictionary<string, string> Headers);

public sealed record PeekResponse(string Queue, string InputQueue, long Count, int Offset, IReadOnlyList<DeadLetter> Messages);

public sealed record ReplayResponse(string Queue, string InputQueue, long Replayed, long Remaining);

// The audit log (/api/audit, Operations).
public sealed record AuditPage(IReadOnlyList<AuditView> Items, string? Next);

public sealed record AuditView(
    Guid Id, DateTimeOffset At, string Actor, string? ActorKind, string Action, string? TargetType, string? TargetId, string? Before,
    string? After, string? ClientAddress, string? Reason, int? Status, string? TraceId, string Origin);
