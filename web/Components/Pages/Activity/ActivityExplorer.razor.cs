using System.Globalization;
using ControlTower.Web.Components.Shared;
using ControlTower.Web.Gateway;
using Microsoft.AspNetCore.Components;

namespace ControlTower.Web.Components.Pages.Activity;

/// <summary>
/// The cross-cloud event explorer: filters in the URL, keyset pages (Older/Newer, never an offset), a detail pane with
/// the normalised fields and the raw event (<c>?event=provider/id</c>, so it can be shared too), and exports of the
/// current view. The first page follows new events live unless paused; an older page stays still.
/// </summary>
public sealed partial class ActivityExplorer : IDisposable
{
    public const int PageSize = 50;

    private readonly Stack<string?> cursors = new();
    private readonly ActivityForm form = new();
    private readonly CancellationTokenSource disposed = new();
    private LiveRefresh? refresher;
    private bool live = true;
    private GatewayProblem? problem;
    private GatewayProblem? detailProblem;
    private bool focusDetail;
    private ElementReference detailHeading;
    private DateTimeOffset? loadedAt;

    private static readonly TimeProvider Clock = TimeProvider.System;

    [Inject] private GatewayClient Gateway { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private DisplayPreferences Preferences { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "range")] public string? Range { get; set; }
    [SupplyParameterFromQuery(Name = "from")] public string? From { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? To { get; set; }
    [SupplyParameterFromQuery(Name = "provider")] public string? Provider { get; set; }
    [SupplyParameterFromQuery(Name = "account")] public string? Account { get; set; }
    [SupplyParameterFromQuery(Name = "service")] public string? Service { get; set; }
    [SupplyParameterFromQuery(Name = "operation")] public string? Operation { get; set; }
    [SupplyParameterFromQuery(Name = "actor")] public string? Actor { get; set; }
    [SupplyParameterFromQuery(Name = "outcome")] public string? Outcome { get; set; }
    [SupplyParameterFromQuery(Name = "q")] public string? Q { get; set; }

    /// <summary>The keyset cursor of the page shown: the <c>next</c> of the page before it; none for the newest.</summary>
    [SupplyParameterFromQuery(Name = "before")] public string? Before { get; set; }

    /// <summary>The event in the detail pane, as <c>provider/eventId</c>.</summary>
    [SupplyParameterFromQuery(Name = "event")] public string? Event { get; set; }

    /// <summary>The page of activity shown, kept from the prerender so the interactive render does not read it again.</summary>
    [PersistentState] public ActivityPage? Page { get; set; }

    /// <summary>The gateway query <see cref="Page"/> was read with (filters and cursor), to tell when the URL asks for another.</summary>
    [PersistentState] public string? PageKey { get; set; }

    /// <summary>The event in the pane and which one it is (<c>provider/eventId</c>), kept from the prerender like <see cref="Page"/>.</summary>
    [PersistentState] public ActivityDetail? Detail { get; set; }

    [PersistentState] public string? DetailFor { get; set; }

    internal ActivityFilters Filters { get; private set; } = new();

    private bool detailOpen => Event is not null;

    private IEnumerable<string> KnownAccounts => Page is null ? [] : Page.Items.Select(i => i.Account).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    private bool Following => live && Before is null && Filters.OpenEnded;

    private string StatusText => loadedAt is null && Page is null ? "Loading…"
        : Following ? "Following new events"
        : Before is not null ? "An older page: not following new events"
        : !Filters.OpenEnded ? "A fixed time range: not following new events"
        : "Paused";

    protected override async Task OnParametersSetAsync()
    {
        Filters = ActivityFilters.Read(name => name switch
        {
            "range" => Range, "from" => From, "to" => To, "provider" => Provider, "account" => Account, "service" => Service,
            "operation" => Operation, "actor" => Actor, "outcome" => Outcome, "q" => Q, _ => null,
        });
        form.Load(Filters, Preferences);
        if (Before is null)
        {
            cursors.Clear();
        }

        var key = Key();
        if (Page is null || PageKey != key)
        {
            await LoadAsync(disposed.Token);
        }
        if (Event != DetailFor)
        {
            await LoadDetailAsync();
        }
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            refresher = new LiveRefresh(token => InvokeAsync(async () =>
            {
                if (Following)
                {
                    await LoadAsync(token);
                    StateHasChanged();
                }
            }), time: Clock);
            refresher.Start();
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (focusDetail && detailOpen && RendererInfo.IsInteractive)
        {
            focusDetail = false;
            await detailHeading.FocusAsync();
        }
    }

    /// <summary>What the list is read for: a preset's window moves with the clock, so it is keyed by the preset, not the times.</summary>
    private string Key() => Filters.ToQueryString() + "|" + Before;

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var query = Filters.ToApiQuery(Clock.GetUtcNow());
        var path = $"/api/activity?limit={PageSize}" + (query.Length == 0 ? "" : "&" + query)
            + (Before is null ? "" : "&before=" + Uri.EscapeDataString(Before));
        var key = Key();
        try
        {
            Page = await Gateway.GetAsync<ActivityPage>(path, cancellationToken);
            PageKey = key;
            loadedAt = Clock.GetUtcNow();
            problem = null;
        }
        catch (GatewayProblemException ex)
        {
            problem = ex.Problem;
            if (PageKey != key)
            {
                // What was shown was for other filters: do not leave it under these.
                Page = null;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page was closed.
        }
    }

    private async Task LoadDetailAsync()
    {
        DetailFor = Event;
        Detail = null;
        detailProblem = null;
        if (Event is null)
        {
            return;
        }
        var slash = Event.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == Event.Length - 1)
        {
            detailProblem = new GatewayProblem(400, "Not an event", $"'{Event}' is not provider/eventId.", null);
            return;
        }
        try
        {
            Detail = await Gateway.GetAsync<ActivityDetail>(
                $"/api/activity/{Uri.EscapeDataString(Event[..slash])}/{Uri.EscapeDataString(Event[(slash + 1)..])}", disposed.Token);
            focusDetail = true;
        }
        catch (GatewayProblemException ex)
        {
            detailProblem = ex.Status == 404
                ? new GatewayProblem(404, "No such event", "It is not (or no longer) kept: activity older than the retention is dropped.", null)
                : ex.Problem;
        }
        catch (OperationCanceledException) when (disposed.IsCancellationRequested)
        {
            // The page was closed.
        }
    }

    private Task ApplyAsync()
    {
        var filters = form.ToFilters(Preferences);
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(
            new Dictionary<string, object?>(filters.ToUrlParameters()) { ["before"] = null, ["event"] = null }));
        return Task.CompletedTask;
    }

    private void Older()
    {
        if (Page?.Next is { } next)
        {
            cursors.Push(Before);
            Navigation.NavigateTo(PageHref(next));
        }
    }

    private void Newer()
    {
        var previous = cursors.Count > 0 ? cursors.Pop() : null;
        Navigation.NavigateTo(PageHref(previous));
    }

    private void Open(ActivitySummary item) => Navigation.NavigateTo(DetailHref(item));

    private void SetLive(bool value)
    {
        live = value;
        if (refresher is not null)
        {
            refresher.Live = value;
        }
    }

    private string PageHref(string? before) =>
        Navigation.GetUriWithQueryParameters(new Dictionary<string, object?> { ["before"] = before, ["event"] = null });

    private string DetailHref(ActivitySummary item) => Navigation.GetUriWithQueryParameter("event", $"{item.Provider}/{item.EventId}");

    private string CloseHref => Navigation.GetUriWithQueryParameter("event", (string?)null);

    private bool IsSelected(ActivitySummary item) => Event == $"{item.Provider}/{item.EventId}";

    private string ExportHref(string format) =>
        $"/export/activity?format={format}" + (Filters.IsEmpty ? "" : "&" + Filters.ToQueryString());

    internal static string ProviderLabel(string provider) => provider switch
    {
        "aws" => "AWS",
        "azure" => "Azure",
        _ => provider,
    };

    private static string OutcomeTone(string outcome) => outcome switch
    {
        "Success" => "success",
        "Failure" => "danger",
        _ => "neutral",
    };

    private static string OutcomeText(ActivitySummary item) => item.ErrorCode is null ? item.Outcome : $"{item.Outcome} ({item.ErrorCode})";

    private static string? ActorTitle(ActivitySummary item) => item.ActorType is null ? item.Actor : $"{item.Actor} ({item.ActorType})";

    private static string? YesNo(bool? value) => value switch
    {
        true => "yes",
        false => "no",
        null => null,
    };

    public void Dispose()
    {
        refresher?.Dispose();
        disposed.Cancel();
        disposed.Dispose();
    }
}

/// <summary>The filter form's fields; custom times are edited in the zone the person shows times in and kept in UTC.</summary>
internal sealed class ActivityForm
{
    private const string LocalFormat = "yyyy-MM-ddTHH:mm";

    public string Range { get; set; } = "";
    public string? From { get; set; }
    public string? To { get; set; }
    public string Provider { get; set; } = "";
    public string? Account { get; set; }
    public string? Service { get; set; }
    public string? Operation { get; set; }
    public string? Actor { get; set; }
    public string Outcome { get; set; } = "";
    public string? Q { get; set; }

    public void Load(ActivityFilters filters, DisplayPreferences preferences)
    {
        Range = filters.Range ?? "";
        From = ToLocal(filters.From, preferences);
        To = ToLocal(filters.To, preferences);
        Provider = filters.Provider ?? "";
        Account = filters.Account;
        Service = filters.Service;
        Operation = filters.Operation;
        Actor = filters.Actor;
        Outcome = filters.Outcome ?? "";
        Q = filters.Q;
    }

    public ActivityFilters ToFilters(DisplayPreferences preferences) =>
        new ActivityFilters(Range, ToUtc(From, preferences), ToUtc(To, preferences), Provider, Account, Service, Operation, Actor, Outcome, Q).Normalised();

    private static string? ToLocal(string? iso, DisplayPreferences preferences) =>
        DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? preferences.Convert(time).ToString(LocalFormat, CultureInfo.InvariantCulture)
            : null;

    private static string? ToUtc(string? local, DisplayPreferences preferences)
    {
        if (!DateTime.TryParse(local, CultureInfo.InvariantCulture, DateTimeStyles.None, out var shown))
        {
            return null;
        }
        var utc = preferences is { LocalTime: true, BrowserZone: { } zone }
            ? TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(shown, DateTimeKind.Unspecified), zone)
            : DateTime.SpecifyKind(shown, DateTimeKind.Utc);
        return ActivityFilters.Iso(new DateTimeOffset(utc, TimeSpan.Zero));
    }
}
