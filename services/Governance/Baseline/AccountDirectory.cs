using ControlTower.Contracts.Governance;

namespace ControlTower.Governance.Baseline;

/// <summary>
/// The account directory the baseline implies: every AWS account and Azure subscription with its owner, team and
/// environment, each field taken from the nearest of the account itself, its OUs (or management groups) up to the root.
/// </summary>
public static class AccountDirectory
{
    public static AccountDirectoryPublished Of(LandingZoneBaseline baseline, int version, DateTimeOffset at) => new()
    {
        BaselineVersion = version,
        PublishedAt = at,
        Accounts = [.. Aws(baseline.Aws), .. Azure(baseline.Azure)],
    };

    private static IEnumerable<DirectoryAccount> Aws(AwsBaseline? aws)
    {
        if (aws is null)
        {
            yield break;
        }
        var parents = BaselineTree.Parents(aws);
        var ous = aws.OrganizationalUnits.ToDictionary(o => o.Id, StringComparer.Ordinal);
        foreach (var account in aws.Accounts)
        {
            // Nearest first: the account, then its OU, then that OU's parent, up to the root.
            var ownership = account.Ownership ?? new Ownership(null, null, null);
            foreach (var target in BaselineTree.PathTo(account.ParentId, parents).AsEnumerable().Reverse())
            {
                ownership = ownership.Over(ous.GetValueOrDefault(target)?.Ownership);
            }
            yield return Entry("aws", account.Id, account.Name, ownership);
        }
    }

    private static IEnumerable<DirectoryAccount> Azure(AzureBaseline? azure)
    {
        if (azure is null)
        {
            yield break;
        }
        var groups = azure.ManagementGroups.ToDictionary(g => g.Id, StringComparer.Ordinal);
        foreach (var subscription in azure.Subscriptions)
        {
            var ownership = subscription.Ownership ?? new Ownership(null, null, null);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var id = subscription.ManagementGroup; id is not null && groups.TryGetValue(id, out var group) && seen.Add(id); id = group.ParentId)
            {
                ownership = ownership.Over(group.Ownership);
            }
            yield return Entry("azure", subscription.Id, subscription.Name, ownership);
        }
    }

    private static DirectoryAccount Entry(string provider, string account, string name, Ownership ownership) => new()
    {
        Provider = provider,
        Account = account,
        Name = name,
        Owner = ownership.Owner,
        Team = ownership.Team,
        Environment = ownership.Environment,
    };
}
