using System.Globalization;
using ControlTower.Web.Components.Shared;
using ControlTower.Web.Gateway;
using Microsoft.AspNetCore.Components;

namespace ControlTower.Web.Components.Pages.Overview;

/// <summary>
/// The front page: open signals by severity, source and environment, activity and open findings over the last day with
/// the releases marked, the landing zone at a glance and release readiness, each linking to the list behind it. One
/// gateway call composes the parts (<c>/api/overview</c>); a part the person may not read, or whose service failed or was
/// slow, says so while the others show. Re-read every 2 s while live.
/// </summary>
public sealed partial class OverviewPage : IDisposable
{
    /// <summary>The readiness table shows at most this many services (the most recently released); the board has them all.</summary>
    public const int MaxServices = 12;

    public static readonly IReadOnlyList<string> Severities = ["critical", "high", "medium", "low", "info"];

    private static readonly IReadOnlyList<(string Key, string Label)> Sources =
        [("aws", "AWS"), ("azure", "Azure"), ("pipelines", "Pipelines"), ("platform", "Platform")];

    private const string SignalsPart = "signals";
    private const string ActivityPart = "activity";
    private const string PosturePart = "posture";
    private const string ReadinessPart = "readiness";

    private readonly CancellationTokenSource disposed = new();
    private LiveRefresh? refresher;
    private bool live = true;
    private GatewayProblem? problem;

    [Inject] private GatewayClient Gateway { get; set; } = default!;

    /// <summary>What the page shows, kept from the prerender so the interactive render does not read it all again.</summary>
    [PersistentState] public OverviewSnapshot? Snapshot { get; set; }

    private OverviewPart TrendPart => new("findings-trend", Snapshot?.TrendStatus ?? "failed", null, Snapshot?.TrendDetail, null);

    protected override async Task OnInitializedAsync()
    {
        if (Snapshot is null)
        {
            await LoadAsync(disposed.Token);
        }
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            refresher = new LiveRefresh(token => InvokeAsync(async () =>
            {
                await LoadAsync(token);
                StateHasChanged();
            }));
            refresher.Start();
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var from = Uri.EscapeDataString(ActivityFilters.Iso(new DateTimeOffset(now.UtcTicks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, TimeSpan.Zero).AddHours(-24)));
        var overview = Gateway.GetAsync<OverviewView>("/api/overview", cancellationToken);
        var trend = Gateway.GetAsync<FindingsTrend>($"/api/governance/findings/trend?from={from}&bucket=1h&top=5", cancellationToken);
        var releases = Gateway.GetAsync<List<OverviewRelease>>("/api/releases?limit=200", cancellationToken);
        try
        {
            var view = await overview;
            var (trendValue, trendStatus, trendDetail) = await Settle(trend);
            var (releaseList, _, releasesDetail) = await Settle(releases);
            Snapshot = new OverviewSnapshot(view, trendValue, trendStatus, trendDetail, releaseList ?? [], releasesDetail, now);
            problem = null;
        }
        catch (GatewayProblemException ex)
        {
            // The whole overview failed (signed out, the gateway down): say so, keep what was shown.
            problem = ex.Problem;
            await Task.WhenAll(Quietly(trend), Quietly(releases));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page was closed.
        }
    }

    /// <summary>A side read (trend, releases) that may fail on its own, with its status as the overview's parts put it.</summary>
    private static async Task<(T? Value, string Status, string? Detail)> Settle<T>(Task<T> read) where T : class
    {
        try
        {
            return (await read, "ok", null);
        }
        catch (GatewayProblemException ex)
        {
            return (null, ex.Status is 401 or 403 ? "forbidden" : ex.Status == 504 ? "timeout" : "failed", ex.Problem.Describe());
        }
    }

    private static async Task Quietly(Task read)
    {
        try
        {
            await read;
        }
        catch (Exception ex) when (ex is GatewayProblemException or OperationCanceledException)
        {
            // Already reported through the overview's own failure.
        }
    }

    private void SetLive(bool value)
    {
        live = value;
        if (refresher is not null)
        {
            refresher.Live = value;
        }
    }

    internal static IReadOnlyList<BarItem> BySeverity(OverviewSignals summary) =>
        Ordered(summary.BySeverity, Severities)
            .Select(e => new BarItem(Capital(e.Key), e.Value, $"/signals?severity={Uri.EscapeDataString(e.Key)}&view=all", Tone(e.Key)))
            .ToList();

    internal static IReadOnlyList<BarItem> BySource(OverviewSignals summary) =>
        Ordered(summary.BySource, Sources.Select(s => s.Key).ToList())
            .Select(e => new BarItem(Sources.FirstOrDefault(s => s.Key == e.Key).Label ?? e.Key, e.Value,
                $"/signals?source={Uri.EscapeDataString(e.Key)}&view=all"))
            .ToList();

    internal static IReadOnlyList<BarItem> ByEnvironment(OverviewSignals summary) =>
        summary.ByEnvironment.OrderByDescending(e => e.Value).ThenBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => new BarItem(e.Key, e.Value, $"/signals?environment={Uri.EscapeDataString(e.Key)}&view=all", "info"))
            .ToList();

    private static IReadOnlyList<BarItem> ByKind(OverviewPosture posture) =>
        posture.ByKind.OrderByDescending(e => e.Value)
            .Select(e => new BarItem(Capital(e.Key), e.Value, $"/landing-zone/findings?status=open&kind={Uri.EscapeDataString(e.Key)}", "high"))
            .ToList();

    private static IReadOnlyList<BarItem> WorstAccounts(FindingsTrend trend) =>
        trend.WorstAccounts
            .Select(a => new BarItem($"{a.Account} ({(a.Provider == "azure" ? "Azure" : "AWS")}, worst {a.WorstSeverity})", a.Open,
                $"/landing-zone/{(a.Provider == "azure" ? "subscriptions" : "accounts")}/{Uri.EscapeDataString(a.Account)}", Tone(a.WorstSeverity)))
            .ToList();

    /// <summary>The services with the most recent releases first, at most <see cref="MaxServices"/>: the board has them all.</summary>
    private static IEnumerable<IGrouping<string, OverviewReadiness>> RecentServices(IReadOnlyList<OverviewReadiness> readiness) =>
        readiness.GroupBy(r => r.Service, StringComparer.Ordinal)
            .OrderByDescending(g => g.Max(r => r.Release.RegisteredAt)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(MaxServices);

    private static IReadOnlyList<BarItem> ByVerdict(IReadOnlyList<OverviewReadiness> readiness) =>
        readiness.GroupBy(r => r.LatestVerdict?.Decision ?? "", StringComparer.Ordinal)
            .OrderBy(g => VerdictRank(g.Key))
            .Select(g => new BarItem(VerdictLabel(g.Key), g.Count(), "/releases", VerdictTone(g.Key)))
            .ToList();

    internal static (IReadOnlyList<DateTimeOffset> Buckets, IReadOnlyList<ChartSeries> Series) ActivityChart(OverviewActivityCounts counts)
    {
        var step = counts.Bucket > TimeSpan.Zero ? counts.Bucket : TimeSpan.FromHours(1);
        var first = new DateTimeOffset(counts.From.UtcTicks / step.Ticks * step.Ticks, TimeSpan.Zero);
        var buckets = new List<DateTimeOffset>();
        for (var t = first; t < counts.To; t += step)
        {
            buckets.Add(t);
        }
        var index = buckets.Select((b, i) => (b, i)).ToDictionary(x => x.b.UtcTicks, x => x.i);
        var providers = counts.Counts.Select(c => c.Provider).Distinct(StringComparer.Ordinal)
            .OrderBy(p => p == "aws" ? 0 : p == "azure" ? 1 : 2).ThenBy(p => p, StringComparer.Ordinal);
        var series = providers.Select(provider =>
        {
            var values = new double[buckets.Count];
            foreach (var count in counts.Counts.Where(c => c.Provider == provider))
            {
                if (index.TryGetValue(count.Start.UtcTicks, out var i))
                {
                    values[i] += count.Count;
                }
            }
            return new ChartSeries(provider switch { "aws" => "AWS", "azure" => "Azure", _ => provider }, values,
                provider switch { "aws" => "high", "azure" => "low", _ => "neutral" });
        }).ToList();
        return (buckets, series);
    }

    internal static (IReadOnlyList<DateTimeOffset> Buckets, IReadOnlyList<ChartSeries> Series) FindingsChart(FindingsTrend trend)
    {
        var buckets = trend.Buckets.Select(b => b.Start).ToList();
        var severities = trend.Buckets.SelectMany(b => b.Open.Keys).Distinct(StringComparer.Ordinal)
            .OrderBy(s => Rank(s, Severities)).ThenBy(s => s, StringComparer.Ordinal);
        var series = severities
            .Select(s => new ChartSeries(Capital(s), trend.Buckets.Select(b => (double)b.Open.GetValueOrDefault(s)).ToList(), Tone(s)))
            .ToList();
        return (buckets, series);
    }

    /// <summary>The releases registered within the chart's range, each a link to its page.</summary>
    private IReadOnlyList<ChartMarker> Markers(IReadOnlyList<DateTimeOffset> buckets)
    {
        if (Snapshot is null || buckets.Count < 2)
        {
            return [];
        }
        var end = buckets[^1] + (buckets[1] - buckets[0]);
        return Snapshot.Releases.Where(r => r.RegisteredAt >= buckets[0] && r.RegisteredAt < end)
            .OrderBy(r => r.RegisteredAt)
            .Select(r => new ChartMarker(r.RegisteredAt, $"{r.Service} {r.Version} → {r.Environment}", $"/releases/{r.Id}"))
            .ToList();
    }

    private static IEnumerable<KeyValuePair<string, int>> Ordered(IReadOnlyDictionary<string, int> counts, IReadOnlyList<string> order) =>
        counts.OrderBy(e => Rank(e.Key, order)).ThenBy(e => e.Key, StringComparer.Ordinal);

    private static int Rank(string key, IReadOnlyList<string> order)
    {
        for (var i = 0; i < order.Count; i++)
        {
            if (order[i] == key)
            {
                return i;
            }
        }
        return order.Count;
    }

    private static string Tone(string severity) => Severities.Contains(severity) ? severity : "neutral";

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static readonly IReadOnlyList<string> VerdictOrder = ["Fail", "Error", "Inconclusive", "Warn", "PassWithWaiver", "Pass", ""];

    private static int VerdictRank(string decision) => Rank(decision, VerdictOrder);

    internal static string VerdictLabel(string? decision) => decision switch
    {
        null or "" => "Not evaluated",
        "PassWithWaiver" => "Pass with waiver",
        _ => decision,
    };

    internal static string VerdictTone(string? decision) => decision switch
    {
        "Pass" => "success",
        "PassWithWaiver" => "accent",
        "Warn" => "medium",
        "Fail" or "Error" => "danger",
        _ => "neutral",
    };

    private static string Age(DateTimeOffset since)
    {
        var age = DateTimeOffset.UtcNow - since;
        return age.TotalDays >= 1 ? $"{Math.Floor(age.TotalDays).ToString(CultureInfo.InvariantCulture)} d"
            : age.TotalHours >= 1 ? $"{Math.Floor(age.TotalHours).ToString(CultureInfo.InvariantCulture)} h"
            : $"{Math.Max(0, Math.Floor(age.TotalMinutes)).ToString(CultureInfo.InvariantCulture)} min";
    }

    public void Dispose()
    {
        refresher?.Dispose();
        disposed.Cancel();
        disposed.Dispose();
    }
}

/// <summary>Everything the overview shows, as read at <see cref="LoadedAt"/>.</summary>
public sealed record OverviewSnapshot(
    OverviewView Overview, FindingsTrend? Trend, string TrendStatus, string? TrendDetail,
    IReadOnlyList<OverviewRelease> Releases, string? ReleasesProblem, DateTimeOffset LoadedAt);
