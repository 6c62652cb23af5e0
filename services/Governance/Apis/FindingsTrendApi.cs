using System.Globalization;
using ControlTower.Governance.Data;
using ControlTower.Governance.Findings;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Governance.Apis;

/// <summary>
/// Open findings over time, for the portal's overview chart, and the accounts with the most open findings now. A finding
/// counts as open from its first detection until it was last resolved: a drift that resolved and reopened counts as open
/// in between, since only its latest resolution is kept. Suppressed findings are left out of the worst accounts (as the
/// posture leaves them out) but kept in the trend, which has no suppression history.
/// </summary>
public static class FindingsTrendApi
{
    public const int MaxBuckets = 500;

    private static readonly string[] SeverityOrder = ["critical", "high", "medium", "low", "info"];

    public static IEndpointRouteBuilder MapFindingsTrendApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/governance").WithTags("Governance")
            .MapGet("/findings/trend", GetTrend)
            .WithName("GetFindingsTrend")
            .WithSummary("Open findings at the end of each bucket by severity (?from, ?to, ?bucket=1h, at most 500 buckets; default the last 24 hours by hour), and the accounts with the most open, unsuppressed findings now (?top=5)");
        return app;
    }

    public static async Task<Results<Ok<FindingsTrendView>, ValidationProblem>> GetTrend(
        GovernanceDbContext db, TimeProvider clock, DateTimeOffset? from, DateTimeOffset? to, string? bucket, int? top, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var width = TimeSpan.FromHours(1);
        if (bucket is not null && !TryParseBucket(bucket, out width))
        {
            errors["bucket"] = ["bucket is a number and a unit, m, h or d, such as 15m, 1h or 1d."];
        }
        var end = to ?? clock.GetUtcNow();
        var start = from ?? end - TimeSpan.FromDays(1);
        if (start >= end)
        {
            errors["from"] = ["from must be earlier than to (to defaults to now)."];
        }
        else if (width > TimeSpan.Zero && (end - start) / width > MaxBuckets)
        {
            errors["bucket"] = [$"from..to is more than {MaxBuckets} buckets of {bucket ?? "1h"}: widen the bucket or narrow the range."];
        }
        if (top is < 0 or > 100)
        {
            errors["top"] = ["top is between 0 and 100."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var spans = await db.Findings.AsNoTracking()
            .Where(f => f.FirstDetectedAt < end && (f.ResolvedAt == null || f.ResolvedAt > start))
            .Select(f => new FindingSpan(f.Severity, f.FirstDetectedAt, f.Status == "open" ? null : f.ResolvedAt))
            .ToListAsync(cancellationToken);

        var open = await db.Findings.AsNoTracking().Where(f => f.Status == "open" && f.Account != null)
            .Select(f => new { f.Type, f.Subject, f.Provider, Account = f.Account!, f.Severity })
            .ToListAsync(cancellationToken);
        var suppressions = await ActiveSuppressions.ReadAsync(db, clock.GetUtcNow(), cancellationToken);
        var worst = open.Where(f => suppressions.Covering(f.Type, f.Subject) is null)
            .GroupBy(f => (f.Provider, f.Account))
            .Select(g => new AccountFindingsView(g.Key.Provider ?? "aws", g.Key.Account, g.Count(),
                g.Select(f => f.Severity).MinBy(Rank)!))
            .OrderByDescending(a => a.Open).ThenBy(a => Rank(a.WorstSeverity)).ThenBy(a => a.Account, StringComparer.Ordinal)
            .Take(top ?? 5)
            .ToList();

        return TypedResults.Ok(new FindingsTrendView(start, end, width, Count(spans, start, end, width), worst));
    }

    /// <summary>Buckets aligned to <paramref name="width"/> from <paramref name="from"/>; each counts what was open at its end (or at <paramref name="to"/> for the last).</summary>
    public static IReadOnlyList<FindingsTrendBucketView> Count(IReadOnlyList<FindingSpan> spans, DateTimeOffset from, DateTimeOffset to, TimeSpan width)
    {
        var first = new DateTimeOffset(from.UtcTicks / width.Ticks * width.Ticks, TimeSpan.Zero);
        var buckets = new List<FindingsTrendBucketView>();
        for (var start = first; start < to; start += width)
        {
            var at = start + width < to ? start + width : to;
            var counts = spans.Where(s => s.OpenedAt <= at && (s.ResolvedAt is null || s.ResolvedAt > at))
                .GroupBy(s => s.Severity, StringComparer.Ordinal)
                .OrderBy(g => Rank(g.Key))
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            buckets.Add(new FindingsTrendBucketView(start, counts));
        }
        return buckets;
    }

    private static int Rank(string severity)
    {
        var index = Array.IndexOf(SeverityOrder, severity);
        return index < 0 ? SeverityOrder.Length : index;
    }

    internal static bool TryParseBucket(string value, out TimeSpan width)
    {
        width = TimeSpan.Zero;
        if (value.Length < 2 || !int.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
        {
            return false;
        }
        width = value[^1] switch
        {
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => TimeSpan.Zero,
        };
        return width >= TimeSpan.FromMinutes(1) && width <= TimeSpan.FromDays(31);
    }
}

/// <summary>When a finding opened and, if it is resolved now, when.</summary>
public sealed record FindingSpan(string Severity, DateTimeOffset OpenedAt, DateTimeOffset? ResolvedAt);

public sealed record FindingsTrendView(DateTimeOffset From, DateTimeOffset To, TimeSpan Bucket, IReadOnlyList<FindingsTrendBucketView> Buckets,
    IReadOnlyList<AccountFindingsView> WorstAccounts);

/// <summary>A bucket starting at <see cref="Start"/>: the findings open at its end, by severity.</summary>
public sealed record FindingsTrendBucketView(DateTimeOffset Start, IReadOnlyDictionary<string, int> Open);

/// <summary>An account or subscription with its open, unsuppressed findings and the worst of their severities.</summary>
public sealed record AccountFindingsView(string Provider, string Account, int Open, string WorstSeverity);
