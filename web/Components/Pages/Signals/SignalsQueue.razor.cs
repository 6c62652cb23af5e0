using System.Text.Json;
using ControlTower.Web.Components.Shared;
using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;

namespace ControlTower.Web.Components.Pages.Signals;

/// <summary>
/// The triage queue: whose signals (mine, my team, all), filters in the URL, saved views, keyset pages that follow new
/// signals live, and bulk actions over a selection or the whole filter with a preview count first.
/// </summary>
public sealed partial class SignalsQueue : IDisposable
{
    public const int PageSize = 50;
    public const string SavedViewsKey = "ct-signal-views";

    public static readonly (string Value, string Label)[] Views = [("mine", "Mine"), ("team", "My team"), ("all", "All")];

    private readonly HashSet<long> selected = [];
    private readonly Stack<string?> cursors = new();
    private readonly Filters draft = new();
    private readonly BulkForm bulk = new();
    private List<SavedView> savedViews = [];
    private LiveRefresh? refresh;
    private Caller caller = Caller.Anonymous;
    private bool canTriage;
    private bool canSuppress;
    private bool live = true;
    private bool busy;
    private bool bulkWholeFilter;
    private string? after;
    private string? viewName;
    private string? copyMessage;
    private string? bulkMessage;
    private GatewayProblem? problem;
    private GatewayProblem? bulkProblem;
    private BulkOutcome? preview;
    private DateTimeOffset? loadedAt;

    [Inject]
    private GatewayClient Gateway { get; set; } = default!;

    [Inject]
    private PortalUser User { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "view")]
    public string? View { get; set; }

    [SupplyParameterFromQuery(Name = "severity")]
    public string? Severity { get; set; }

    [SupplyParameterFromQuery(Name = "status")]
    public string? Status { get; set; }

    [SupplyParameterFromQuery(Name = "source")]
    public string? Source { get; set; }

    [SupplyParameterFromQuery(Name = "environment")]
    public string? Environment { get; set; }

    [SupplyParameterFromQuery(Name = "kind")]
    public string? Kind { get; set; }

    [SupplyParameterFromQuery(Name = "q")]
    public string? Q { get; set; }

    /// <summary>The first page as the prerender read it, so the interactive render does not read it again.</summary>
    [PersistentState]
    public SignalPage? Page { get; set; }

    /// <summary>The gateway query <see cref="Page"/> was read with.</summary>
    [PersistentState]
    public string? LoadedQuery { get; set; }

    private string CurrentView => View is "mine" or "team" ? View : "all";

    private bool HasFilters => new[] { Severity, Status, Source, Environment, Kind, Q }.Any(v => !string.IsNullOrEmpty(v));

    private string ClearHref => Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
    {
        ["severity"] = null, ["status"] = null, ["source"] = null, ["environment"] = null, ["kind"] = null, ["q"] = null,
    });

    private string ViewExplanation => CurrentView switch
    {
        "mine" => $"Signals assigned to you ({caller.Name}).",
        "team" => $"Signals of your teams: the teams of the accounts {caller.Name} owns in the directory, and of the signals assigned to you.",
        _ => "Every signal.",
    };

    private string StatusText => loadedAt is null ? (Page is null ? "Loading…" : "")
        : live && after is null ? $"Live · updated {loadedAt:HH:mm:ss} UTC"
        : after is not null ? $"Older page · loaded {loadedAt:HH:mm:ss} UTC" : $"Paused · loaded {loadedAt:HH:mm:ss} UTC";

    private bool AllOnPageSelected => Page is { Items.Count: > 0 } page && page.Items.All(s => selected.Contains(s.Id));

    protected override async Task OnInitializedAsync()
    {
        caller = await User.CallerAsync();
        canTriage = caller.Has("signals:triage");
        canSuppress = caller.Has("signals:suppress");
    }

    protected override async Task OnParametersSetAsync()
    {
        draft.CopyFrom(this);
        var query = ApiQuery(null);
        if (Page is not null && LoadedQuery == query && after is null)
        {
            return;
        }
        if (LoadedQuery != query)
        {
            // Another filter: another set of signals, so the selection and paging start again.
            selected.Clear();
            cursors.Clear();
            after = null;
            ResetPreview();
        }
        await LoadAsync(CancellationToken.None);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }
        refresh = new LiveRefresh(async ct =>
        {
            // Only the newest page follows new signals; an operator reading older ones keeps them still.
            if (after is null)
            {
                await InvokeAsync(async () =>
                {
                    await LoadAsync(ct);
                    StateHasChanged();
                });
            }
        });
        refresh.Start();
        await LoadSavedViewsAsync();
        StateHasChanged();
    }

    /// <summary>The gateway query for the filters in the URL (the open statuses unless a status is chosen).</summary>
    public string ApiQuery(string? cursor)
    {
        var parts = new List<string> { $"limit={PageSize}" };
        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                parts.Add($"{name}={Uri.EscapeDataString(value.Trim())}");
            }
        }
        Add("status", StatusFilter);
        Add("severity", Severity);
        Add("source", Source);
        Add("environment", Environment);
        Add("kind", Kind);
        Add("q", Q);
        if (CurrentView == "mine")
        {
            parts.Add("mine=true");
        }
        else if (CurrentView == "team")
        {
            parts.Add("myTeam=true");
        }
        Add("after", cursor);
        return "/api/signals?" + string.Join('&', parts);
    }

    /// <summary>The statuses the queue shows: the open ones by default, every one for <c>status=all</c>.</summary>
    private string? StatusFilter => Status switch
    {
        null or "" => SignalText.OpenStatuses,
        "all" => null,
        _ => Status,
    };

    /// <summary>The same filter for a bulk action over everything it matches.</summary>
    public BulkFilter CurrentFilter() => new(
        Status: StatusFilter, Severity: Blank(Severity), Kind: Blank(Kind), Source: Blank(Source), Environment: Blank(Environment), Q: Blank(Q),
        Mine: CurrentView == "mine" ? true : null, MyTeam: CurrentView == "team" ? true : null);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var query = ApiQuery(null);
        try
        {
            Page = await Gateway.GetAsync<SignalPage>(ApiQuery(after), cancellationToken);
            LoadedQuery = query;
            loadedAt = DateTimeOffset.UtcNow;
            problem = null;
        }
        catch (GatewayProblemException ex)
        {
            problem = ex.Problem;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page is going away.
        }
    }

    private async Task ApplyAsync()
    {
        var target = Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["severity"] = Blank(draft.Severity), ["status"] = Blank(draft.Status), ["source"] = Blank(draft.Source),
            ["environment"] = Blank(draft.Environment), ["kind"] = Blank(draft.Kind), ["q"] = Blank(draft.Q),
        });
        if (target != Navigation.Uri)
        {
            Navigation.NavigateTo(target);
        }
        await Task.CompletedTask;
    }

    private string ViewHref(string view) => Navigation.GetUriWithQueryParameters(new Dictionary<string, object?> { ["view"] = view == "all" ? null : view });

    /// <summary>The options of a select, plus the URL's value when it is not one of them (a list, say), so it shows.</summary>
    private static IEnumerable<string> WithCurrent(IEnumerable<string> options, string? current) =>
        string.IsNullOrEmpty(current) || options.Contains(current) || current == "all" ? options : options.Append(current);

    private void SetLive(bool value)
    {
        live = value;
        if (refresh is not null)
        {
            refresh.Live = value;
        }
    }

    private async Task OlderAsync()
    {
        cursors.Push(after);
        after = Page?.Next;
        await LoadAsync(CancellationToken.None);
    }

    private async Task NewerAsync()
    {
        after = cursors.Pop();
        await LoadAsync(CancellationToken.None);
    }

    private void Toggle(long id, ChangeEventArgs e)
    {
        if (e.Value is true)
        {
            selected.Add(id);
        }
        else
        {
            selected.Remove(id);
        }
        ResetPreview();
    }

    private void ToggleAllOnPage(ChangeEventArgs e)
    {
        foreach (var signal in Page?.Items ?? [])
        {
            if (e.Value is true)
            {
                selected.Add(signal.Id);
            }
            else
            {
                selected.Remove(signal.Id);
            }
        }
        ResetPreview();
    }

    private void ClearSelection()
    {
        selected.Clear();
        ResetPreview();
    }

    private void SetBulkScope(bool wholeFilter)
    {
        bulkWholeFilter = wholeFilter;
        ResetPreview();
    }

    private void ResetPreview()
    {
        preview = null;
        bulkProblem = null;
    }

    private BulkBody BulkRequest(bool dryRun) => new(
        bulk.Action,
        bulkWholeFilter ? CurrentFilter() : new BulkFilter(Ids: selected.Order().ToList()),
        dryRun,
        Owner: Blank(bulk.Owner), Team: Blank(bulk.Team),
        Until: bulk.Action is "snooze" or "suppress" && bulk.Until is { } until ? new DateTimeOffset(DateTime.SpecifyKind(until, DateTimeKind.Utc)) : null,
        Reason: Blank(bulk.Reason), Classification: bulk.Action == "resolve" ? Blank(bulk.Classification) : null, Text: Blank(bulk.Text));

    private async Task PreviewAsync()
    {
        busy = true;
        bulkMessage = null;
        try
        {
            preview = (await Gateway.SendAsync<BulkOutcome>(HttpMethod.Post, "/api/signals/bulk", BulkRequest(dryRun: true), null, CancellationToken.None)).Value;
            bulkProblem = null;
        }
        catch (GatewayProblemException ex)
        {
            preview = null;
            bulkProblem = ex.Problem;
        }
        finally
        {
            busy = false;
        }
    }

    private async Task ConfirmAsync()
    {
        busy = true;
        try
        {
            var done = (await Gateway.SendAsync<BulkOutcome>(HttpMethod.Post, "/api/signals/bulk", BulkRequest(dryRun: false), null, CancellationToken.None)).Value;
            bulkMessage = $"{BulkVerb(bulk.Action)}: {done.Changed} changed"
                + (done.Forbidden + done.Invalid > 0 ? $", {done.Forbidden + done.Invalid} not allowed as they stood" : "")
                + (done.Conflicts > 0 ? $", {done.Conflicts} kept changing (retry them)" : "") + ".";
            preview = null;
            bulkProblem = null;
            selected.Clear();
            await LoadAsync(CancellationToken.None);
        }
        catch (GatewayProblemException ex)
        {
            bulkProblem = ex.Problem;
        }
        finally
        {
            busy = false;
        }
    }

    public static string BulkVerb(string action) => action switch
    {
        "acknowledge" => "Acknowledge",
        "assign" => "Assign",
        "snooze" => "Snooze",
        "resolve" => "Resolve",
        "suppress" => "Suppress",
        _ => action,
    };

    private async Task LoadSavedViewsAsync()
    {
        try
        {
            var json = await JS.InvokeAsync<string?>("localStorage.getItem", SavedViewsKey);
            savedViews = json is null ? [] : JsonSerializer.Deserialize<List<SavedView>>(json, GatewayClient.Json) ?? [];
        }
        catch (Exception ex) when (ex is JSException or JsonException)
        {
            savedViews = [];
        }
    }

    private async Task SaveViewAsync()
    {
        if (string.IsNullOrWhiteSpace(viewName))
        {
            return;
        }
        var name = viewName.Trim();
        var url = "/" + Navigation.ToBaseRelativePath(Navigation.Uri);
        savedViews = [.. savedViews.Where(v => v.Name != name), new SavedView(name, url)];
        await StoreViewsAsync();
        viewName = null;
        copyMessage = $"Saved \"{name}\".";
    }

    private async Task RemoveViewAsync(SavedView view)
    {
        savedViews = [.. savedViews.Where(v => v != view)];
        await StoreViewsAsync();
    }

    private async Task StoreViewsAsync()
    {
        try
        {
            await JS.InvokeVoidAsync("localStorage.setItem", SavedViewsKey, JsonSerializer.Serialize(savedViews, GatewayClient.Json));
        }
        catch (JSException)
        {
            copyMessage = "This browser would not keep the view.";
        }
    }

    private async Task CopyLinkAsync()
    {
        try
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", Navigation.Uri);
            copyMessage = "Link copied.";
        }
        catch (JSException)
        {
            copyMessage = $"Copy this link: {Navigation.Uri}";
        }
    }

    public void Dispose() => refresh?.Dispose();

    public sealed record SavedView(string Name, string Url);

    private sealed class Filters
    {
        public string? Q { get; set; }
        public string? Severity { get; set; }
        public string? Status { get; set; }
        public string? Source { get; set; }
        public string? Environment { get; set; }
        public string? Kind { get; set; }

        public void CopyFrom(SignalsQueue page)
        {
            Q = page.Q;
            Severity = page.Severity ?? "";
            Status = page.Status ?? "";
            Source = page.Source ?? "";
            Environment = page.Environment;
            Kind = page.Kind ?? "";
        }
    }

    private sealed class BulkForm
    {
        public string Action { get; set; } = "acknowledge";
        public string? Owner { get; set; }
        public string? Team { get; set; }
        public DateTime? Until { get; set; } = DateTime.UtcNow.Date.AddDays(1).AddHours(9);
        public string? Reason { get; set; }
        public string? Classification { get; set; } = "";
        public string? Text { get; set; }
    }
}
