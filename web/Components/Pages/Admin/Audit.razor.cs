using System.Globalization;
using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.Components;

namespace ControlTower.Web.Components.Pages.Admin;

/// <summary>The audit log, newest first, filtered by the URL (actor, action, target, from, to, result) and paged by cursor; exported through the portal.</summary>
public sealed partial class Audit : IDisposable
{
    public const string Scope = "audit:read";
    public const int PageSize = 50;

    private readonly CancellationTokenSource disposed = new();
    private Caller? caller;
    private AuditPage? page;
    private GatewayProblem? problem;

    private string? actor;
    private string? action;
    private string? target;
    private DateTime? from;
    private DateTime? to;
    private string? result;

    [Inject]
    private PortalUser User { get; set; } = default!;

    [Inject]
    private GatewayClient Gateway { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "actor")]
    public string? Actor { get; set; }

    [SupplyParameterFromQuery(Name = "action")]
    public string? Action { get; set; }

    [SupplyParameterFromQuery(Name = "target")]
    public string? Target { get; set; }

    /// <summary>UTC, ISO 8601 (e.g. 2026-11-29T10:00).</summary>
    [SupplyParameterFromQuery(Name = "from")]
    public string? From { get; set; }

    [SupplyParameterFromQuery(Name = "to")]
    public string? To { get; set; }

    /// <summary>succeeded or failed.</summary>
    [SupplyParameterFromQuery(Name = "result")]
    public string? Result { get; set; }

    /// <summary>The cursor: entries older than the last of the previous page.</summary>
    [SupplyParameterFromQuery(Name = "after")]
    public string? After { get; set; }

    protected override async Task OnInitializedAsync() => caller = await User.CallerAsync();

    protected override async Task OnParametersSetAsync()
    {
        (actor, action, target, result) = (Actor, Action, Target, Result);
        from = ParseTime(From);
        to = ParseTime(To);
        if (caller?.Has(Scope) != true || !RendererInfo.IsInteractive)
        {
            return;
        }
        try
        {
            page = await Gateway.GetAsync<AuditPage>(ApiUri("/api/audit", ("limit", PageSize.ToString(CultureInfo.InvariantCulture)), ("after", After)), disposed.Token);
            problem = null;
        }
        catch (GatewayProblemException ex)
        {
            page = null;
            problem = ex.Problem;
        }
    }

    /// <summary>The gateway query for the filters in the URL, with <paramref name="extra"/>.</summary>
    public string ApiUri(string path, params (string Name, string? Value)[] extra)
    {
        var pairs = Filters().Concat(extra).Where(p => !string.IsNullOrWhiteSpace(p.Value))
            .Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!.Trim())}");
        return path + "?" + string.Join("&", pairs);
    }

    private IEnumerable<(string Name, string? Value)> Filters() =>
        [("actor", Actor), ("action", Action), ("target", Target), ("from", From), ("to", To), ("result", Result)];

    private string ExportUri(string format) => ApiUri("/exports/audit", ("format", format));

    private void Apply() =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["actor"] = Blank(actor),
            ["action"] = Blank(action),
            ["target"] = Blank(target),
            ["from"] = from?.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture),
            ["to"] = to?.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture),
            ["result"] = Blank(result),
            ["after"] = null,
        }));

    private string FilterUri(string name, string? value) =>
        Navigation.GetUriWithQueryParameters(name == "after"
            ? new Dictionary<string, object?> { ["after"] = value }
            : new Dictionary<string, object?> { [name] = value, ["after"] = null });

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static DateTime? ParseTime(string? value) =>
        DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    private static bool Failed(AuditView entry) => entry.Status >= 400;

    private static string ResultText(AuditView entry) => entry.Status switch
    {
        null => "done",
        >= 400 and var s => $"failed {s}",
        var s => $"ok {s}",
    };

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
