using System.Globalization;
using ControlTower.Web.Components.Shared;
using ControlTower.Web.Gateway;
using Microsoft.AspNetCore.Components;

namespace ControlTower.Web.Components.Pages.Releases;

/// <summary>
/// The readiness board: each service × environment's latest release with its verdict, evidence age and deployment
/// truth; the recent releases; and the DORA figures, each chart with its table. Filters live in the URL.
/// </summary>
public sealed partial class ReleaseBoard : IDisposable
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;
    public const int DoraDays = 30;
    private const int ChartDays = 14;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private LiveRefresh? refresher;
    private GatewayProblem? problem;
    private bool live = true;
    private int ticks;
    private string serviceChoice = "";
    private string environmentChoice = "";

    [Inject]
    private GatewayClient Gateway { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "service")]
    public string? Service { get; set; }

    [SupplyParameterFromQuery(Name = "environment")]
    public string? Environment { get; set; }

    [SupplyParameterFromQuery(Name = "limit")]
    public int? LimitParameter { get; set; }

    [PersistentState]
    public List<BoardCell>? Board { get; set; }

    [PersistentState]
    public List<ReleaseInfo>? Recent { get; set; }

    [PersistentState]
    public List<DoraFigures>? Dora { get; set; }

    /// <summary>The releases of the chart's window (at most <see cref="MaxLimit"/>, newest first).</summary>
    [PersistentState]
    public List<ReleaseInfo>? Window { get; set; }

    /// <summary>The filters the data above was loaded for, so the interactive render does not load again what the prerender did.</summary>
    [PersistentState]
    public string? LoadedFor { get; set; }

    [PersistentState]
    public DateTimeOffset? LoadedAt { get; set; }

    private int Limit => Math.Clamp(LimitParameter ?? DefaultLimit, 1, MaxLimit);

    private string FilterKey => $"{Service}|{Environment}|{Limit}";

    private string StatusText => LoadedAt is not { } at ? "Loading…" : $"{(live ? "Live" : "Paused")} · updated {at.UtcDateTime:HH:mm:ss} UTC";

    public IReadOnlyList<BoardCell> Cells => [.. (Board ?? []).Where(c => (Service is null || c.Service == Service) && (Environment is null || c.Environment == Environment))];

    private IEnumerable<string> Services => (Board ?? []).Select(c => c.Service).Append(Service ?? "").Where(s => s.Length > 0).Distinct().Order(StringComparer.Ordinal);

    private IEnumerable<string> Environments => (Board ?? []).Select(c => c.Environment).Append(Environment ?? "").Where(s => s.Length > 0).Distinct().Order(StringComparer.Ordinal);

    private IReadOnlyList<string> BoardServices => [.. Cells.Select(c => c.Service).Distinct().Order(StringComparer.Ordinal)];

    private IReadOnlyList<string> BoardEnvironments => [.. Cells.Select(c => c.Environment).Distinct().Order(EnvironmentOrder.Instance)];

    private string MoreHref => Navigation.GetUriWithQueryParameter("limit", Math.Min(Limit * 2, MaxLimit));

    private IReadOnlyList<DoraFigures> DoraRows => [.. (Dora ?? []).Where(d => Environment is null || d.Environment == Environment)];

    private IReadOnlyList<BarItem> DeploymentBars => [.. DoraRows.OrderByDescending(d => d.Deployments)
        .Select(d => new BarItem($"{d.Service} · {d.Environment}", d.Deployments, FilterHref(d.Service, d.Environment)))];

    private IReadOnlyList<BarItem> FailureBars => [.. DoraRows.Where(d => d.ChangeFailureRate is not null).OrderByDescending(d => d.ChangeFailureRate)
        .Select(d => new BarItem($"{d.Service} · {d.Environment}", (double)Math.Round(d.ChangeFailureRate!.Value * 100), FilterHref(d.Service, d.Environment), "danger"))];

    private IReadOnlyList<DateTimeOffset> DayBuckets
    {
        get
        {
            var today = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date, TimeSpan.Zero);
            return [.. Enumerable.Range(0, ChartDays).Select(i => today.AddDays(i - ChartDays + 1))];
        }
    }

    private IReadOnlyList<ChartSeries> DaySeries
    {
        get
        {
            var buckets = DayBuckets;
            var counts = new double[buckets.Count];
            foreach (var release in Window ?? [])
            {
                var index = (int)Math.Floor((release.RegisteredAt - buckets[0]).TotalDays);
                if (index >= 0 && index < counts.Length)
                {
                    counts[index]++;
                }
            }
            return [new ChartSeries("Deployments", counts)];
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        serviceChoice = Service ?? "";
        environmentChoice = Environment ?? "";
        if (LoadedFor != FilterKey)
        {
            await LoadAsync(everything: true, CancellationToken.None);
        }
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            refresher = new LiveRefresh(RefreshAsync) { Live = live };
            refresher.Start();
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        // The board and the recent list follow verdicts every tick; the figures over 30 days change slowly.
        await LoadAsync(everything: ++ticks % 5 == 0, cancellationToken);
        await InvokeAsync(StateHasChanged);
    }

    private async Task LoadAsync(bool everything, CancellationToken cancellationToken)
    {
        var key = FilterKey;
        var filter = (Service is null ? "" : "&service=" + Uri.EscapeDataString(Service)) + (Environment is null ? "" : "&environment=" + Uri.EscapeDataString(Environment));
        try
        {
            Board = await Gateway.GetAsync<List<BoardCell>>("/api/releases/board", cancellationToken);
            Recent = await Gateway.GetAsync<List<ReleaseInfo>>($"/api/releases?limit={Limit}{filter}", cancellationToken);
            if (everything || Dora is null || LoadedFor != key)
            {
                Dora = await Gateway.GetAsync<List<DoraFigures>>($"/api/releases/dora?days={DoraDays}" + (Service is null ? "" : "&service=" + Uri.EscapeDataString(Service)), cancellationToken);
                var since = DateTimeOffset.UtcNow.AddDays(-ChartDays);
                Window = [.. (await Gateway.GetAsync<List<ReleaseInfo>>($"/api/releases?limit={MaxLimit}{filter}", cancellationToken)).Where(r => r.RegisteredAt >= since)];
            }
            LoadedFor = key;
            LoadedAt = DateTimeOffset.UtcNow;
            problem = null;
        }
        catch (GatewayProblemException ex)
        {
            problem = ex.Problem;
        }
    }

    private void ApplyFilters() => Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
    {
        ["service"] = serviceChoice.Length == 0 ? null : serviceChoice,
        ["environment"] = environmentChoice.Length == 0 ? null : environmentChoice,
        ["limit"] = null,
    }));

    private void SetLive(bool value)
    {
        live = value;
        if (refresher is not null)
        {
            refresher.Live = value;
        }
    }

    private string FilterHref(string service, string environment) =>
        $"/releases?service={Uri.EscapeDataString(service)}&environment={Uri.EscapeDataString(environment)}";

    private string Age(DateTimeOffset at) => Words.Age(DateTimeOffset.UtcNow - at);

    private static string Hours(decimal? hours) => hours switch
    {
        null => "—",
        < 1 => $"{Math.Round(hours.Value * 60):0} min",
        < 48 => $"{hours.Value.ToString("0.#", Invariant)} h",
        _ => $"{(hours.Value / 24).ToString("0.#", Invariant)} d",
    };

    private static string Short(string commit) => commit.Length > 10 ? commit[..10] : commit;

    public void Dispose() => refresher?.Dispose();

    /// <summary>Environments in promotion order where the names say it (dev, test, staging, prod), then by name.</summary>
    private sealed class EnvironmentOrder : IComparer<string>
    {
        public static readonly EnvironmentOrder Instance = new();

        private static readonly string[] Known = ["dev", "development", "test", "qa", "staging", "stage", "preprod", "prod", "production"];

        public int Compare(string? x, string? y)
        {
            int Rank(string? name) => Array.IndexOf(Known, name?.ToLowerInvariant()) is var i and >= 0 ? i : Known.Length;
            var byRank = Rank(x).CompareTo(Rank(y));
            return byRank != 0 ? byRank : string.CompareOrdinal(x, y);
        }
    }
}

/// <summary>Durations said the way people read them on the release pages.</summary>
public static class Words
{
    public static string Age(TimeSpan age) => age switch
    {
        { TotalSeconds: < 60 } => $"{Math.Max(0, (int)age.TotalSeconds)} s",
        { TotalMinutes: < 60 } => $"{(int)age.TotalMinutes} min",
        { TotalHours: < 48 } => $"{(int)age.TotalHours} h",
        _ => $"{(int)age.TotalDays} d",
    };
}
