namespace ControlTower.Web.Gateway;

public sealed record ActivitySummary(
    string Provider, string EventId, DateTimeOffset Time, string Account, string? Region, string Service,
    string Operation, string? Actor, string? ActorType, string? SourceIp, string Outcome, string? ErrorCode);

public sealed record ActivityPage(IReadOnlyList<ActivitySummary> Items, string? Next);
