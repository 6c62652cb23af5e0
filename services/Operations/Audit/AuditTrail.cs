using ControlTower.Operations.Data;

namespace ControlTower.Operations.Audit;

/// <summary>Audit entries for Operations' own mutations (written in the same SaveChanges as the change).</summary>
public static class AuditTrail
{
    public const string Origin = "operations";

    public static AuditEntryRecord Entry(Caller caller, DateTimeOffset at, string action, string targetType, string targetId,
        string? before, string? after, string? reason) => new()
    {
        Id = Guid.CreateVersion7(at),
        At = at,
        Actor = caller.Actor,
        ActorKind = caller.Kind,
        Action = action,
        TargetType = targetType,
        TargetId = targetId,
        Before = before,
        After = after,
        ClientAddress = caller.Address,
        Reason = reason,
        TraceId = System.Diagnostics.Activity.Current?.TraceId.ToString(),
        Origin = Origin,
    };
}
