using ControlTower.Governance.Baseline;

namespace ControlTower.Governance.Controls;

/// <summary>
/// Where an account or subscription sits and which controls are on there: each enabled control's id with where
/// it is enabled (the OU or management group that lists it, or <c>mandatory</c>).
/// </summary>
public sealed record ControlScope(
    string Provider, string Account, string? Parent, string? Role, bool IsManagementAccount, IReadOnlyDictionary<string, string> Enabled);

/// <summary>
/// The controls enabled across the baseline's tree: mandatory ones everywhere, the others on the OUs and
/// management groups that list them and everything below. Pure: the observed placement is passed in.
/// </summary>
public sealed class ControlPlacement
{
    public const string MandatoryPlacement = "mandatory";

    private readonly ControlCatalog catalog;
    private readonly AwsBaseline? aws;
    private readonly AzureBaseline? azure;
    private readonly Dictionary<string, string?> awsParents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> awsControls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BaselineManagementGroup> groups = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, BaselineAccount> accounts = new(StringComparer.Ordinal);

    public ControlPlacement(LandingZoneBaseline baseline, ControlCatalog catalog)
    {
        this.catalog = catalog;
        aws = baseline.Aws;
        azure = baseline.Azure;
        if (aws is not null)
        {
            awsParents[aws.RootId] = null;
            foreach (var ou in aws.OrganizationalUnits)
            {
                awsParents[ou.Id] = ou.ParentId;
                awsControls[ou.Id] = ou.Controls;
            }
            foreach (var account in aws.Accounts)
            {
                accounts.TryAdd(account.Id, account);
            }
        }
        foreach (var group in azure?.ManagementGroups ?? [])
        {
            groups[group.Id] = group;
        }
    }

    /// <summary>Whether the baseline describes this provider at all: without it, nothing says where a control is on.</summary>
    public bool Covers(string provider) => provider switch
    {
        "aws" => aws is not null,
        "azure" => azure is not null,
        _ => false,
    };

    /// <summary>
    /// The scope of an account: under <paramref name="observedParent"/> when the observed organisation knows where it
    /// is, else where the baseline puts it. An observed OU the baseline does not know is followed up through
    /// <paramref name="observedOuParents"/> until an OU it knows; an account nowhere known has the mandatory controls only.
    /// </summary>
    public ControlScope Resolve(string provider, string account, string? observedParent, IReadOnlyDictionary<string, string?> observedOuParents)
    {
        var enabled = catalog.Controls.Where(c => c.Provider == provider && c.IsMandatory)
            .ToDictionary(c => c.Id, _ => MandatoryPlacement, StringComparer.Ordinal);
        if (provider == "azure")
        {
            var subscription = azure?.Subscriptions.FirstOrDefault(s => string.Equals(s.Id, account, StringComparison.OrdinalIgnoreCase));
            for (var (group, steps) = (subscription?.ManagementGroup, 0); group is not null && steps < 16; steps++)
            {
                if (!groups.TryGetValue(group, out var node))
                {
                    break;
                }
                foreach (var id in node.Controls)
                {
                    enabled.TryAdd(id, node.Id);
                }
                group = node.ParentId;
            }
            return new ControlScope(provider, account, subscription?.ManagementGroup, null, false, enabled);
        }

        var known = accounts.GetValueOrDefault(account);
        var parent = observedParent ?? known?.ParentId;
        // Nearest first: an OU's own listing names where a control is on even when an ancestor lists it too.
        var visited = new HashSet<string>(StringComparer.Ordinal);
        for (var node = parent; node is not null && visited.Add(node);)
        {
            if (awsParents.TryGetValue(node, out var baselineParent))
            {
                foreach (var id in awsControls.GetValueOrDefault(node) ?? [])
                {
                    enabled.TryAdd(id, node);
                }
                node = baselineParent;
            }
            else
            {
                node = observedOuParents.GetValueOrDefault(node);
            }
        }
        return new ControlScope(provider, account, parent, known?.Role, aws?.ManagementAccount == account, enabled);
    }

    /// <summary>Where a control is on: <c>mandatory</c> (everywhere), or the OUs and management groups that list it.</summary>
    public IReadOnlyList<string> EnabledOn(Control control) =>
        control.IsMandatory
            ? [MandatoryPlacement]
            : control.Provider == "aws"
                ? [.. awsControls.Where(p => p.Value.Contains(control.Id, StringComparer.Ordinal)).Select(p => p.Key).Order(StringComparer.Ordinal)]
                : [.. groups.Values.Where(g => g.Controls.Contains(control.Id, StringComparer.Ordinal)).Select(g => g.Id).Order(StringComparer.Ordinal)];
}
