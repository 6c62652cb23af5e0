using ControlTower.Operations.Data;
using ControlTower.Operations.Signals;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Operations.Apis;

/// <summary>The open signals counted for the overview: by severity, source, environment, status and kind, in one grouped query.</summary>
public static class SignalSummaryApi
{
    public static IEndpointRouteBuilder MapSignalSummaryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/signals/summary", GetSummary).WithTags("Signals").WithName("SignalSummary")
            .WithSummary("Open signals (every status but resolved and closed) counted by severity, source (aws, azure, pipelines, platform), environment, status and kind, with how many are new or unassigned and since when the oldest is open");
        return app;
    }

    public static async Task<SignalSummary> GetSummary(OperationsDbContext db, CancellationToken cancellationToken)
    {
        var groups = await db.Signals.AsNoTracking()
            .Where(s => s.Status != TriageStatus.Resolved && s.Status != TriageStatus.Closed)
            .GroupBy(s => new { s.Severity, s.Provider, s.Kind, s.Environment, s.Status, Unassigned = s.Owner == null })
            .Select(g => new { g.Key, Count = g.Count(), Oldest = g.Min(s => s.FirstSeen) })
            .ToListAsync(cancellationToken);

        Dictionary<string, int> By(Func<GroupKey, string> key) => groups
            .GroupBy(g => key(new GroupKey(g.Key.Severity, g.Key.Provider, g.Key.Kind, g.Key.Environment, g.Key.Status)), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(x => x.Count), StringComparer.Ordinal);

        return new SignalSummary(
            Open: groups.Sum(g => g.Count),
            New: groups.Where(g => g.Key.Status == TriageStatus.New).Sum(g => g.Count),
            Unassigned: groups.Where(g => g.Key.Unassigned).Sum(g => g.Count),
            OldestOpenSince: groups.Count == 0 ? null : groups.Min(g => g.Oldest),
            BySeverity: By(k => k.Severity.ToString().ToLowerInvariant()),
            BySource: By(k => SourceOf(k.Kind, k.Provider)),
            ByEnvironment: By(k => k.Environment ?? Unassigned),
            ByStatus: By(k => SignalStateMachine.Name(k.Status)),
            ByKind: By(k => k.Kind));
    }

    public const string Unassigned = "unassigned";

    /// <summary>Every value <see cref="SourceOf"/> gives, which the signal list's <c>source</c> filter takes.</summary>
    public static readonly string[] Sources = ["aws", "azure", "pipelines", "platform", "unknown"];

    /// <summary>Where a signal comes from, as the overview counts it: the cloud, the release pipelines, or the platform itself.</summary>
    public static string SourceOf(string kind, string? provider) => kind switch
    {
        SignalKinds.Release => "pipelines",
        SignalKinds.DeadLetter => "platform",
        _ => provider ?? "unknown",
    };

    private sealed record GroupKey(Severity Severity, string? Provider, string Kind, string? Environment, TriageStatus Status);
}

/// <summary>The open signals at a glance; every count is of signals neither resolved nor closed.</summary>
public sealed record SignalSummary(
    int Open,
    int New,
    int Unassigned,
    DateTimeOffset? OldestOpenSince,
    IReadOnlyDictionary<string, int> BySeverity,
    IReadOnlyDictionary<string, int> BySource,
    IReadOnlyDictionary<string, int> ByEnvironment,
    IReadOnlyDictionary<string, int> ByStatus,
    IReadOnlyDictionary<string, int> ByKind);
