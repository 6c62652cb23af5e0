using System.Globalization;
using ControlTower.Web.Components.Shared;
using ControlTower.Web.Gateway;
using Microsoft.AspNetCore.Components;

namespace ControlTower.Web.Components.Pages.LandingZone;

/// <summary>
/// Every drift and guardrail finding, filtered by kind, status, severity and account (all in the URL), with the
/// suppressions: who made each, why and until when. With governance:suppress, suppress a finding or lift a suppression.
/// </summary>
public sealed partial class FindingsPage : IDisposable
{
    private static readonly string[] Severities = ["critical", "high", "medium", "low", "info"];

    private List<GovernanceFinding>? findings;
    private List<FindingSuppression>? suppressions;
    private GatewayProblem? problem;
    private string problemContext = "Reading findings";
    private string? notice;
    private string? accountText;
    private SuppressionDraft? draft;
    private bool busy;
    private LiveRefresh? live;
    private DateTimeOffset? loadedAt;

    [Inject]
    private GatewayClient Gateway { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [SupplyParameterFromQuery]
    public string? Kind { get; set; }

    [SupplyParameterFromQuery(Name = "status")]
    public string? StatusFilter { get; set; }

    [SupplyParameterFromQuery]
    public string? Severity { get; set; }

    [SupplyParameterFromQuery]
    public string? Account { get; set; }

    [SupplyParameterFromQuery(Name = "suppressions")]
    public string? SuppressionState { get; set; }

    private bool Live => live?.Live ?? true;

    private string Status => loadedAt is null ? "Loading…" : Live ? $"Live · updated {loadedAt:HH:mm:ss} UTC" : $"Paused · loaded {loadedAt:HH:mm:ss} UTC";

    private IReadOnlyList<GovernanceFinding> Shown => findings?
        .Where(f => Severity is null || string.Equals(f.Severity, Severity, StringComparison.OrdinalIgnoreCase))
        .Where(f => Account is null || f.Concerns(Account) || f.Subject.Contains(Account, StringComparison.OrdinalIgnoreCase))
        .ToList() ?? [];

    /// <summary>The findings API's own filters (kind, status); severity and account are applied here, to what it returns.</summary>
    public static string FindingsQuery(string? kind, string? status)
    {
        var query = new List<string>();
        if (kind is "drift" or "guardrail")
        {
            query.Add($"kind={kind}");
        }
        if (status is "open" or "resolved")
        {
            query.Add($"status={status}");
        }
        return "/api/governance/findings" + (query.Count == 0 ? "" : "?" + string.Join("&", query));
    }

    protected override async Task OnParametersSetAsync()
    {
        accountText = Account;
        if (!RendererInfo.IsInteractive)
        {
            return;
        }
        if (live is null)
        {
            live = new LiveRefresh(async token =>
            {
                await LoadAsync(token);
                await InvokeAsync(StateHasChanged);
            });
            live.Start();
        }
        await LoadAsync(CancellationToken.None);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var state = SuppressionState is "ended" or "all" ? SuppressionState : "active";
            var readFindings = Gateway.GetAsync<List<GovernanceFinding>>(FindingsQuery(Kind, StatusFilter), cancellationToken);
            var readSuppressions = Gateway.GetAsync<List<FindingSuppression>>($"/api/governance/suppressions?state={state}", cancellationToken);
            findings = await readFindings;
            suppressions = await readSuppressions;
            loadedAt = DateTimeOffset.UtcNow;
            if (problemContext == "Reading findings")
            {
                problem = null;
            }
        }
        catch (GatewayProblemException ex)
        {
            problemContext = "Reading findings";
            problem = ex.Problem;
        }
    }

    private void Filter(string name, object? value)
    {
        var text = value as string;
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter(name, string.IsNullOrWhiteSpace(text) ? null : text));
    }

    private void ApplyAccount() => Filter("account", accountText?.Trim());

    private void StartSuppress(GovernanceFinding finding)
    {
        notice = null;
        draft = new SuppressionDraft
        {
            Type = finding.Type,
            Subject = finding.Subject,
            ExpiresAt = DateTime.UtcNow.AddDays(7).Date.AddHours(DateTime.UtcNow.Hour),
        };
    }

    /// <summary>The expiry as the browser's date-time field gives it (local to the field, read as UTC), on every keystroke.</summary>
    private void SetExpiry(ChangeEventArgs e)
    {
        if (draft is not null && DateTime.TryParseExact(e.Value as string, ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.fff"],
            CultureInfo.InvariantCulture, DateTimeStyles.None, out var expires))
        {
            draft.ExpiresAt = expires;
        }
    }

    private async Task SuppressAsync()
    {
        if (draft is null || busy)
        {
            return;
        }
        busy = true;
        try
        {
            var expires = new DateTimeOffset(DateTime.SpecifyKind(draft.ExpiresAt, DateTimeKind.Unspecified), TimeSpan.Zero);
            var created = await Gateway.SendAsync<FindingSuppression>(HttpMethod.Post, "/api/governance/suppressions",
                new FindingSuppressionRequest(draft.Type.Trim(), draft.Subject.Trim(), draft.Reason.Trim(), expires), null, CancellationToken.None);
            notice = $"Suppressed {created.Value.Type} on {created.Value.Subject} until {created.Value.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC.";
            draft = null;
            problem = null;
            await LoadAsync(CancellationToken.None);
        }
        catch (GatewayProblemException ex)
        {
            problemContext = "Suppressing";
            problem = ex.Problem;
        }
        finally
        {
            busy = false;
        }
    }

    private async Task LiftAsync(FindingSuppression suppression)
    {
        try
        {
            await Gateway.SendAsync(HttpMethod.Delete, $"/api/governance/suppressions/{suppression.Id}", null, null, CancellationToken.None);
            notice = $"Lifted the suppression of {suppression.Type} on {suppression.Subject}; its open findings are announced again.";
            problem = null;
            await LoadAsync(CancellationToken.None);
        }
        catch (GatewayProblemException ex)
        {
            problemContext = "Lifting the suppression";
            problem = ex.Problem;
        }
    }

    private void SetLive(bool value)
    {
        if (live is not null)
        {
            live.Live = value;
        }
    }

    public void Dispose() => live?.Dispose();

    private sealed class SuppressionDraft
    {
        public string Type { get; set; } = "";
        public string Subject { get; set; } = "";
        public string Reason { get; set; } = "";
        public DateTime ExpiresAt { get; set; }
    }
}
