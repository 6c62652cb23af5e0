using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.Components;

namespace ControlTower.Web.Components.Pages.Incidents;

/// <summary>One incident: its signals and timeline; people with signals:triage split signals off, merge others in and add notes.</summary>
public sealed partial class IncidentPage
{
    private readonly HashSet<long> splitOff = [];
    private readonly HashSet<long> mergeIn = [];
    private List<IncidentSummary>? others;
    private bool canTriage;
    private bool busy;
    private string? etag;
    private string? splitTitle;
    private string? splitReason;
    private string? mergeReason;
    private string? note;
    private string? done;
    private string actionContext = "Loading the incident";
    private GatewayProblem? problem;

    [Inject]
    private GatewayClient Gateway { get; set; } = default!;

    [Inject]
    private PortalUser User { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Parameter]
    public long Id { get; set; }

    [PersistentState]
    public IncidentDetail? Detail { get; set; }

    [PersistentState]
    public string? DetailETag { get; set; }

    private bool CanChange => canTriage && Detail?.Incident.Status != "merged";

    protected override async Task OnInitializedAsync() => canTriage = (await User.CallerAsync()).Has("signals:triage");

    protected override async Task OnParametersSetAsync()
    {
        if (Detail?.Incident.Id == Id && DetailETag is not null)
        {
            etag = DetailETag;
            return;
        }
        splitOff.Clear();
        mergeIn.Clear();
        others = null;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        try
        {
            var read = await Gateway.GetVersionedAsync<IncidentDetail>($"/api/incidents/{Id}", CancellationToken.None);
            Detail = read.Value;
            etag = DetailETag = read.ETag ?? read.Value.Incident.ETag;
        }
        catch (GatewayProblemException ex)
        {
            problem = ex.Problem;
        }
    }

    private async Task ReloadAsync()
    {
        problem = null;
        done = null;
        await LoadAsync();
    }

    private async Task LoadOthersAsync()
    {
        try
        {
            var page = await Gateway.GetAsync<IncidentList>("/api/incidents?status=open&limit=100", CancellationToken.None);
            others = [.. page.Items.Where(i => i.Id != Id)];
        }
        catch (GatewayProblemException ex)
        {
            actionContext = "Listing the open incidents";
            problem = ex.Problem;
        }
    }

    private void ToggleSplit(long id, ChangeEventArgs e)
    {
        if (e.Value is true)
        {
            splitOff.Add(id);
        }
        else
        {
            splitOff.Remove(id);
        }
    }

    private void ToggleMerge(long id, ChangeEventArgs e)
    {
        if (e.Value is true)
        {
            mergeIn.Add(id);
        }
        else
        {
            mergeIn.Remove(id);
        }
    }

    private async Task SplitAsync()
    {
        var created = await ChangeAsync<IncidentSummary>("Splitting", "split",
            new SplitBody([.. splitOff.Order()], Blank(splitTitle), Blank(splitReason)));
        if (created is not null)
        {
            Navigation.NavigateTo($"/incidents/{created.Id}");
        }
    }

    private async Task MergeAsync()
    {
        if (await ChangeAsync<IncidentSummary>("Merging", "merge", new MergeBody([.. mergeIn.Order()], Blank(mergeReason))) is not null)
        {
            done = $"Merged {mergeIn.Count} incident(s) into this one.";
            mergeIn.Clear();
            others = null;
        }
    }

    private async Task NoteAsync()
    {
        if (await ChangeAsync<IncidentSummary>("Adding the note", "notes", new { text = Blank(note) }) is not null)
        {
            done = "Note added.";
            note = null;
        }
    }

    /// <summary>One change with the ETag the page read; afterwards (or after a conflict) the page shows the latest version.</summary>
    private async Task<T?> ChangeAsync<T>(string context, string action, object body) where T : class
    {
        busy = true;
        actionContext = context;
        done = null;
        try
        {
            var result = await Gateway.SendAsync<T>(HttpMethod.Post, $"/api/incidents/{Id}/{action}", body, etag, CancellationToken.None);
            problem = null;
            splitOff.Clear();
            await LoadAsync();
            return result.Value;
        }
        catch (GatewayProblemException ex)
        {
            problem = ex.Problem;
            if (ex.Status is 412 or 409)
            {
                await LoadAsync();
            }
            return null;
        }
        finally
        {
            busy = false;
        }
    }

    private static string IncidentText(TimelineEntry entry) => entry.Type switch
    {
        "signal-added" => $"signal {entry.To} added: {entry.Text}",
        "merged-in" => $"incident {entry.From} merged in ({entry.Text})",
        "merged" => $"merged into incident {entry.To}" + (entry.Text is null ? "" : $": {entry.Text}"),
        "split" => $"split into incident {entry.To}: {entry.Text}",
        "created" => entry.From is null ? $"created for {entry.Text}" : $"split off incident {entry.From}",
        _ => SignalText.Describe(entry),
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
