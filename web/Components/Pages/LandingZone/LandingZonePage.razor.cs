using ControlTower.Web.Components.Shared;
using ControlTower.Web.Gateway;
using Microsoft.AspNetCore.Components;

namespace ControlTower.Web.Components.Pages.LandingZone;

/// <summary>
/// The AWS organisation and the Azure management groups side by side, as the baseline places them, with what the
/// observed estate says differently and each node's open findings. Re-read every 2 s while live, so new drift shows up.
/// </summary>
public sealed partial class LandingZonePage
{
    private BaselineDocument? baseline;
    private TreeNode? aws;
    private TreeNode? azure;
    private GatewayProblem? problem;
    private LiveRefresh? live;
    private DateTimeOffset? loadedAt;
    private int refreshes;

    [Inject]
    private GatewayClient Gateway { get; set; } = default!;

    private bool Live => live?.Live ?? true;

    private string Status => loadedAt is null ? "Loading…" : Live ? $"Live · updated {loadedAt:HH:mm:ss} UTC" : $"Paused · loaded {loadedAt:HH:mm:ss} UTC";

    protected override async Task OnInitializedAsync()
    {
        // Read once the circuit is up, not in the prerender as well.
        if (!RendererInfo.IsInteractive)
        {
            return;
        }
        live = new LiveRefresh(RefreshAsync);
        await LoadAsync(CancellationToken.None);
        live.Start();
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        await InvokeAsync(StateHasChanged);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            // The baseline changes rarely: read again every 15th refresh (30 s), so a new version shows without a reload.
            if (baseline is null || ++refreshes % 15 == 0)
            {
                baseline = await Gateway.GetAsync<BaselineDocument>("/api/governance/baseline", cancellationToken);
            }
            var organization = Gateway.GetAsync<ObservedOrganization>("/api/governance/organization", cancellationToken);
            var observedAzure = Gateway.GetAsync<ObservedAzure>("/api/governance/azure", cancellationToken);
            var findings = Gateway.GetAsync<List<GovernanceFinding>>("/api/governance/findings?status=open", cancellationToken);
            aws = LandingZoneTree.Aws(baseline.Baseline.Aws, await organization, await findings);
            azure = LandingZoneTree.Azure(baseline.Baseline.Azure, await observedAzure, await findings);
            loadedAt = DateTimeOffset.UtcNow;
            problem = null;
        }
        catch (GatewayProblemException ex)
        {
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
}
