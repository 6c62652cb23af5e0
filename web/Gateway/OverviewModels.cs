using System.Text.Json;

namespace ControlTower.Web.Gateway;

/// <summary>The gateway's <c>GET /api/overview</c>: each part is <c>ok</c> with its service's answer, or <c>forbidden</c>, <c>timeout</c> or <c>failed</c> with why.</summary>
public sealed record OverviewView(DateTimeOffset GeneratedAt, bool Partial, IReadOnlyDictionary<string, OverviewPart> Parts)
{
    public OverviewPart Part(string name) =>
        Parts.TryGetValue(name, out var part) ? part : new OverviewPart(name, "failed", null, "The gateway did not return this part.", null);
}

public sealed record OverviewPart(string Name, string Status, JsonElement? Data, string? Detail, int? Milliseconds)
{
    public bool Ok => Status == "ok" && Data is { ValueKind: JsonValueKind.Object or JsonValueKind.Array };

    public T? As<T>() where T : class => Ok ? Data!.Value.Deserialize<T>(GatewayClient.Json) : null;
}

/// <summary>Open signals (neither resolved nor closed) counted; see Operations' <c>/api/signals/summary</c>.</summary>
public sealed record OverviewSignals(
    int Open, int New, int Unassigned, DateTimeOffset? OldestOpenSince,
    IReadOnlyDictionary<string, int> BySeverity, IReadOnlyDictionary<string, int> BySource,
    IReadOnlyDictionary<string, int> ByEnvironment, IReadOnlyDictionary<string, int> ByStatus, IReadOnlyDictionary<string, int> ByKind);

/// <summary>Activity in [from, to) per UTC-aligned bucket, provider and outcome; empty buckets are left out.</summary>
public sealed record OverviewActivityCounts(DateTimeOffset From, DateTimeOffset To, TimeSpan Bucket, IReadOnlyList<OverviewActivityCount> Counts);

public sealed record OverviewActivityCount(DateTimeOffset Start, string Provider, string Outcome, long Count);

/// <summary>Governance's <c>/api/governance/posture</c>.</summary>
public sealed record OverviewPosture(
    int BaselineVersion, int Accounts, int Subscriptions, int WithOpenFindings, int OpenFindings, int Suppressed,
    IReadOnlyDictionary<string, int> ByKind, IReadOnlyDictionary<string, int> BySeverity, IReadOnlyDictionary<string, int> ByEnvironment,
    int ControlsNotEnforced, DateTimeOffset? LastFindingAt);

/// <summary>ReleaseGate's <c>/api/releases/readiness</c>: the latest release per service × environment and its latest verdict.</summary>
public sealed record OverviewReadiness(string Service, string Environment, OverviewRelease Release, OverviewVerdict? LatestVerdict);

public sealed record OverviewRelease(Guid Id, string Service, string Environment, string Version, string Commit, DateTimeOffset RegisteredAt);

public sealed record OverviewVerdict(Guid Id, DateTimeOffset EvaluatedAt, string Decision, string Summary);

/// <summary>Governance's <c>/api/governance/findings/trend</c>: open findings at the end of each bucket, by severity.</summary>
public sealed record FindingsTrend(DateTimeOffset From, DateTimeOffset To, TimeSpan Bucket, IReadOnlyList<FindingsTrendBucket> Buckets,
    IReadOnlyList<FindingsTrendAccount> WorstAccounts);

public sealed record FindingsTrendBucket(DateTimeOffset Start, IReadOnlyDictionary<string, int> Open);

public sealed record FindingsTrendAccount(string Provider, string Account, int Open, string WorstSeverity);
