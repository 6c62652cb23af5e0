using ControlTower.Web.Gateway;
using Microsoft.AspNetCore.Components;

namespace ControlTower.Web.Components.Pages.LandingZone;

/// <summary>
/// An AWS account or Azure subscription: where the baseline places it and where it is, its activity, findings, releases
/// and owners (one tab each, in the URL), and a link to it in the cloud's own console.
/// </summary>
public sealed partial class AccountPage
{
    private static readonly (string Key, string Label)[] Tabs =
        [("activity", "Activity"), ("findings", "Findings"), ("releases", "Releases"), ("owners", "Owners")];

    private GatewayProblem? problem;
    private BaselineDocument? baseline;
    private List<GovernanceFinding>? findings;
    private ActivityPage? activity;
    private ResolvedOwnership? ownership;
    private string? name;
    private string? place;
    private TreeNode? self;
    private string? loadedFor;

    [Inject]
    private GatewayClient Gateway { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Parameter]
    public string Id { get; set; } = "";

    [SupplyParameterFromQuery]
    public string? Tab { get; set; }

    private bool IsAzure => Navigation.ToBaseRelativePath(Navigation.Uri).StartsWith("landing-zone/subscriptions/", StringComparison.Ordinal);

    private string KindLabel => IsAzure ? "Subscription" : "Account";

    private string Title => name is null ? $"{KindLabel} {Id}" : $"{name} ({Id})";

    private string CurrentTab => Tabs.Any(t => t.Key == Tab) ? Tab! : "activity";

    private FindingCount Count => FindingCount.Of(findings ?? [], Id);

    private IReadOnlyList<GovernanceFinding> AccountFindings => findings?.Where(f => f.Concerns(Id)).ToList() ?? [];

    /// <summary>The account in its cloud's console: the account's AWS sign-in page, or the subscription in the Azure portal.</summary>
    private string ConsoleUrl => IsAzure
        ? $"https://portal.azure.com/#@{baseline?.Baseline.Azure?.Tenant}/resource/subscriptions/{Uri.EscapeDataString(Id)}/overview"
        : $"https://{Uri.EscapeDataString(Id)}.signin.aws.amazon.com/console";

    private string TabHref(string key) => Navigation.GetUriWithQueryParameter("tab", key == "activity" ? null : key);

    private string SetOn(OwnershipField field) => field.Value is null ? "—" : field.From ?? $"the {KindLabel.ToLowerInvariant()} itself";

    protected override async Task OnParametersSetAsync()
    {
        if (!RendererInfo.IsInteractive)
        {
            return;
        }
        try
        {
            if (loadedFor != Id)
            {
                loadedFor = Id;
                activity = null;
                findings = null;
                baseline ??= await Gateway.GetAsync<BaselineDocument>("/api/governance/baseline", CancellationToken.None);
                findings = await Gateway.GetAsync<List<GovernanceFinding>>("/api/governance/findings", CancellationToken.None);
                var node = IsAzure
                    ? LandingZoneTree.Azure(baseline.Baseline.Azure, await Gateway.GetAsync<ObservedAzure>("/api/governance/azure", CancellationToken.None), findings)
                    : LandingZoneTree.Aws(baseline.Baseline.Aws, await Gateway.GetAsync<ObservedOrganization>("/api/governance/organization", CancellationToken.None), findings);
                self = node?.DescendantsAndSelf().FirstOrDefault(n => n.Kind is NodeKind.Account or NodeKind.Subscription
                    && string.Equals(n.Id, Id, StringComparison.OrdinalIgnoreCase));
                Describe();
            }
            if (CurrentTab == "activity" && activity is null)
            {
                activity = await Gateway.GetAsync<ActivityPage>($"/api/activity?account={Uri.EscapeDataString(Id)}&limit=25", CancellationToken.None);
            }
            problem = null;
        }
        catch (GatewayProblemException ex)
        {
            problem = ex.Problem;
        }
    }

    private void Describe()
    {
        name = place = null;
        ownership = null;
        var zone = baseline?.Baseline;
        if (!IsAzure && zone?.Aws is { } aws && aws.Accounts.FirstOrDefault(a => a.Id == Id) is { } account)
        {
            name = account.Name;
            place = string.Join(" › ", LandingZoneTree.AwsPath(aws, account).SkipLast(1)
                .Select(t => t == aws.RootId ? "Root" : aws.OrganizationalUnits.FirstOrDefault(o => o.Id == t)?.Name ?? t)) + $" (role {account.Role})";
            ownership = LandingZoneTree.AwsOwnership(aws, Id);
        }
        else if (IsAzure && zone?.Azure is { } azure && azure.Subscriptions.FirstOrDefault(s => string.Equals(s.Id, Id, StringComparison.OrdinalIgnoreCase)) is { } subscription)
        {
            name = subscription.Name;
            place = $"Management group {azure.ManagementGroups.FirstOrDefault(g => g.Id == subscription.ManagementGroup)?.Name ?? subscription.ManagementGroup}";
            ownership = LandingZoneTree.AzureOwnership(azure, Id);
        }
        else
        {
            place = "Not in the baseline";
        }
    }
}
