using ControlTower.Web.Gateway;

namespace ControlTower.Web.Components.Pages.LandingZone;

public enum NodeKind { Root, Ou, Account, ManagementGroup, Subscription }

/// <summary>
/// One node of a landing-zone tree: where the baseline puts it, with what the observed estate says differently
/// (<see cref="Differences"/>, in words), the policies on it, its open findings and who answers for it.
/// </summary>
public sealed record TreeNode(string Id, string Name, NodeKind Kind, IReadOnlyList<NodePolicy> Policies, IReadOnlyList<string> Differences,
    FindingCount Findings, ResolvedOwnership? Ownership, IReadOnlyList<TreeNode> Children, bool InBaseline = true)
{
    public string? Href => Kind switch
    {
        NodeKind.Account => $"/landing-zone/accounts/{Uri.EscapeDataString(Id)}",
        NodeKind.Subscription => $"/landing-zone/subscriptions/{Uri.EscapeDataString(Id)}",
        _ => null,
    };

    public string KindLabel => Kind switch
    {
        NodeKind.Root => "Root",
        NodeKind.Ou => "OU",
        NodeKind.Account => "Account",
        NodeKind.ManagementGroup => "Management group",
        _ => "Subscription",
    };

    public IEnumerable<TreeNode> DescendantsAndSelf() => Children.SelectMany(c => c.DescendantsAndSelf()).Prepend(this);
}

public enum PolicyState { AsExpected, NotInBaseline, Missing }

/// <summary>An SCP or a policy assignment on a node; <see cref="State"/> says whether the observed estate agrees with the baseline.</summary>
public sealed record NodePolicy(string Id, string Name, PolicyState State, string? Effect = null)
{
    public string StateLabel => State switch
    {
        PolicyState.NotInBaseline => "attached, not in the baseline",
        PolicyState.Missing => "in the baseline, detached or deleted",
        _ => "",
    };
}

/// <summary>Open findings about a node (the badge), the worst severity among them, and how many more are open but suppressed.</summary>
public sealed record FindingCount(int Open, int Suppressed, string? Worst)
{
    private static readonly string[] Severities = ["critical", "high", "medium", "low", "info"];

    public string Text => (Open switch
    {
        0 => "No open findings",
        1 => $"1 open finding ({Worst})",
        _ => $"{Open} open findings (worst {Worst})",
    }) + (Suppressed > 0 ? $", {Suppressed} suppressed" : "");

    public string Tone => Open == 0 ? "success" : Worst ?? "neutral";

    public static FindingCount Of(IEnumerable<GovernanceFinding> findings, string target)
    {
        var open = findings.Where(f => f.Open && f.Concerns(target)).ToList();
        var counted = open.Where(f => f.SuppressedBy is null).ToList();
        var worst = Severities.FirstOrDefault(s => counted.Any(f => string.Equals(f.Severity, s, StringComparison.OrdinalIgnoreCase)))
            ?? counted.FirstOrDefault()?.Severity;
        return new FindingCount(counted.Count, open.Count - counted.Count, worst);
    }
}

/// <summary>A field of the ownership and where it comes from (the account itself, or an OU / management group above it).</summary>
public sealed record OwnershipField(string? Value, string? From)
{
    public string Text => Value is null ? "not set" : From is null ? Value : $"{Value} (from {From})";
}

public sealed record ResolvedOwnership(OwnershipField Owner, OwnershipField Team, OwnershipField Environment)
{
    /// <summary>Each field from the nearest of <paramref name="chain"/> (nearest first) that sets it.</summary>
    public static ResolvedOwnership Of(IReadOnlyList<(string Label, BaselineOwnership? Ownership)> chain)
    {
        OwnershipField Pick(Func<BaselineOwnership, string?> field)
        {
            for (var i = 0; i < chain.Count; i++)
            {
                if (chain[i].Ownership is { } o && field(o) is { } value)
                {
                    return new OwnershipField(value, i == 0 ? null : chain[i].Label);
                }
            }
            return new OwnershipField(null, null);
        }
        return new ResolvedOwnership(Pick(o => o.Owner), Pick(o => o.Team), Pick(o => o.Environment));
    }
}

/// <summary>
/// Builds the AWS organisation tree and the Azure management-group tree from the baseline (where things should be), the
/// observed estate (what events and the last inventory show) and the findings. Pure, so the pages and tests share it.
/// </summary>
public static class LandingZoneTree
{
    private const string ScpType = "SERVICE_CONTROL_POLICY";

    public static TreeNode? Aws(AwsLandingZone? baseline, ObservedOrganization observed, IReadOnlyList<GovernanceFinding> findings)
    {
        if (baseline is null)
        {
            return null;
        }
        var ous = baseline.OrganizationalUnits.ToDictionary(o => o.Id, StringComparer.Ordinal);
        var observedAccounts = observed.Accounts.ToDictionary(a => a.AccountId, StringComparer.Ordinal);
        var observedOus = observed.OrganizationalUnits.ToDictionary(o => o.OuId, StringComparer.Ordinal);
        var scps = observed.Policies.Where(p => p.Type is null or ScpType).ToList();
        var baselineAccounts = baseline.Accounts.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);

        string NameOf(string id) => id == baseline.RootId ? "Root"
            : ous.TryGetValue(id, out var ou) ? ou.Name
            : observedOus.TryGetValue(id, out var seen) && seen.Name is not null ? seen.Name
            : id;

        IReadOnlyList<NodePolicy> Policies(string target)
        {
            var list = new List<NodePolicy>();
            foreach (var policy in baseline.Policies.Where(p => p.Targets.Contains(target, StringComparer.Ordinal)))
            {
                var seen = scps.FirstOrDefault(p => p.PolicyId == policy.Id);
                var missing = seen is not null && (seen.Deleted || (seen.DetachedFrom.Contains(target) && !seen.Targets.Contains(target)));
                list.Add(new NodePolicy(policy.Id, policy.Name, missing ? PolicyState.Missing : PolicyState.AsExpected));
            }
            foreach (var policy in scps.Where(p => !p.Deleted && p.Targets.Contains(target) && !list.Any(l => l.Id == p.PolicyId)))
            {
                list.Add(new NodePolicy(policy.PolicyId, policy.Name ?? policy.PolicyId, PolicyState.NotInBaseline));
            }
            return list;
        }

        TreeNode Account(BaselineAccount account)
        {
            var differences = new List<string>();
            if (observedAccounts.TryGetValue(account.Id, out var seen))
            {
                if (seen.Member == false)
                {
                    differences.Add("Observed: removed from the organisation");
                }
                else if (seen.ParentId is { } parent && parent != account.ParentId)
                {
                    differences.Add($"Observed under {NameOf(parent)} ({parent}); the baseline puts it under {NameOf(account.ParentId)}");
                }
            }
            return new TreeNode(account.Id, account.Name, NodeKind.Account, Policies(account.Id), differences, FindingCount.Of(findings, account.Id),
                AwsOwnership(baseline, account.Id), []);
        }

        TreeNode Ou(string id, string name, NodeKind kind)
        {
            var children = new List<TreeNode>();
            foreach (var child in baseline.OrganizationalUnits.Where(o => o.ParentId == id).OrderBy(o => o.Name, StringComparer.OrdinalIgnoreCase))
            {
                children.Add(Ou(child.Id, child.Name, NodeKind.Ou));
            }
            // OUs the events show under this one that the baseline does not have.
            foreach (var extra in observed.OrganizationalUnits.Where(o => o.ParentId == id && !o.Deleted && !ous.ContainsKey(o.OuId)))
            {
                children.Add(new TreeNode(extra.OuId, extra.Name ?? extra.OuId, NodeKind.Ou, Policies(extra.OuId), ["Observed: not in the baseline"],
                    FindingCount.Of(findings, extra.OuId), null, [], InBaseline: false));
            }
            foreach (var account in baseline.Accounts.Where(a => a.ParentId == id).OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase))
            {
                children.Add(Account(account));
            }
            foreach (var extra in observed.Accounts.Where(a => a.ParentId == id && a.Member != false && !baselineAccounts.Contains(a.AccountId)))
            {
                children.Add(new TreeNode(extra.AccountId, extra.Name ?? extra.AccountId, NodeKind.Account, Policies(extra.AccountId),
                    ["Observed: not in the baseline"], FindingCount.Of(findings, extra.AccountId), null, [], InBaseline: false));
            }
            var differences = new List<string>();
            if (observedOus.TryGetValue(id, out var seen))
            {
                if (seen.Deleted)
                {
                    differences.Add("Observed: deleted");
                }
                else if (ous.TryGetValue(id, out var expected) && seen.ParentId is { } parent && parent != expected.ParentId)
                {
                    differences.Add($"Observed under {NameOf(parent)} ({parent}); the baseline puts it under {NameOf(expected.ParentId)}");
                }
            }
            return new TreeNode(id, name, kind, Policies(id), differences, FindingCount.Of(findings, id), null, children);
        }

        return Ou(baseline.RootId, "Root", NodeKind.Root);
    }

    public static TreeNode? Azure(AzureLandingZone? baseline, ObservedAzure observed, IReadOnlyList<GovernanceFinding> findings)
    {
        if (baseline is null)
        {
            return null;
        }
        var comparer = StringComparer.OrdinalIgnoreCase;
        var groups = baseline.ManagementGroups.ToDictionary(g => g.Id, comparer);
        var seenGroups = observed.ManagementGroups.ToDictionary(g => g.GroupId, comparer);
        var seenSubscriptions = observed.Subscriptions.ToDictionary(s => s.SubscriptionId, comparer);
        var baselineSubscriptions = baseline.Subscriptions.Select(s => s.Id).ToHashSet(comparer);

        string NameOf(string id) => groups.TryGetValue(id, out var g) ? g.Name : seenGroups.TryGetValue(id, out var s) && s.Name is not null ? s.Name : id;

        IReadOnlyList<NodePolicy> Assignments(string scope)
        {
            var list = new List<NodePolicy>();
            foreach (var assignment in baseline.PolicyAssignments.Where(a => comparer.Equals(a.Scope.TrimEnd('/'), scope)))
            {
                var seen = observed.PolicyAssignments.FirstOrDefault(o => comparer.Equals(o.Name, assignment.Name) && comparer.Equals(o.Scope.TrimEnd('/'), scope));
                list.Add(new NodePolicy(assignment.Name, assignment.Name, seen is { Deleted: true } ? PolicyState.Missing : PolicyState.AsExpected, assignment.Effect));
            }
            foreach (var extra in observed.PolicyAssignments.Where(o => !o.Deleted && comparer.Equals(o.Scope.TrimEnd('/'), scope)
                && !list.Any(l => comparer.Equals(l.Name, o.Name))))
            {
                list.Add(new NodePolicy(extra.AssignmentId, extra.Name, PolicyState.NotInBaseline, extra.Effect));
            }
            return list;
        }

        TreeNode Subscription(BaselineSubscription subscription)
        {
            var differences = new List<string>();
            if (seenSubscriptions.TryGetValue(subscription.Id, out var seen))
            {
                if (seen.Removed)
                {
                    differences.Add("Observed: taken out of its management group");
                }
                else if (!comparer.Equals(seen.ManagementGroupId, subscription.ManagementGroup))
                {
                    differences.Add($"Observed under {NameOf(seen.ManagementGroupId)} ({seen.ManagementGroupId}); the baseline puts it under {NameOf(subscription.ManagementGroup)}");
                }
            }
            return new TreeNode(subscription.Id, subscription.Name, NodeKind.Subscription, Assignments($"/subscriptions/{subscription.Id}"), differences,
                FindingCount.Of(findings, subscription.Id), AzureOwnership(baseline, subscription.Id), []);
        }

        TreeNode Group(BaselineManagementGroup group)
        {
            var children = new List<TreeNode>();
            children.AddRange(baseline.ManagementGroups.Where(g => comparer.Equals(g.ParentId, group.Id)).OrderBy(g => g.Name, comparer).Select(Group));
            children.AddRange(baseline.Subscriptions.Where(s => comparer.Equals(s.ManagementGroup, group.Id)).OrderBy(s => s.Name, comparer).Select(Subscription));
            foreach (var extra in observed.Subscriptions.Where(s => !s.Removed && comparer.Equals(s.ManagementGroupId, group.Id) && !baselineSubscriptions.Contains(s.SubscriptionId)))
            {
                children.Add(new TreeNode(extra.SubscriptionId, extra.Name ?? extra.SubscriptionId, NodeKind.Subscription, Assignments($"/subscriptions/{extra.SubscriptionId}"),
                    ["Observed: not in the baseline"], FindingCount.Of(findings, extra.SubscriptionId), null, [], InBaseline: false));
            }
            var differences = new List<string>();
            if (seenGroups.TryGetValue(group.Id, out var seen))
            {
                if (seen.Deleted)
                {
                    differences.Add("Observed: deleted");
                }
                else if (group.ParentId is not null && seen.ParentId is { } parent && !comparer.Equals(parent, group.ParentId))
                {
                    differences.Add($"Observed under {NameOf(parent)} ({parent}); the baseline puts it under {NameOf(group.ParentId)}");
                }
            }
            return new TreeNode(group.Id, group.Name, NodeKind.ManagementGroup, Assignments($"/providers/Microsoft.Management/managementGroups/{group.Id}"),
                differences, FindingCount.Of(findings, group.Id), null, children);
        }

        var roots = baseline.ManagementGroups.Where(g => g.ParentId is null || !groups.ContainsKey(g.ParentId)).Select(Group).ToList();
        return roots.Count == 1 ? roots[0]
            : new TreeNode(baseline.Tenant, "Tenant root group", NodeKind.ManagementGroup, [], [], FindingCount.Of(findings, baseline.Tenant), null, roots);
    }

    /// <summary>The account's owner, team and environment, each from the nearest of the account and its OUs up to the root.</summary>
    public static ResolvedOwnership? AwsOwnership(AwsLandingZone baseline, string accountId)
    {
        if (baseline.Accounts.FirstOrDefault(a => a.Id == accountId) is not { } account)
        {
            return null;
        }
        var chain = new List<(string, BaselineOwnership?)> { ("the account", account.Ownership) };
        chain.AddRange(AwsPath(baseline, account).SkipLast(1).Reverse().Select(id => baseline.OrganizationalUnits.FirstOrDefault(o => o.Id == id) is { } ou
            ? ($"OU {ou.Name}", ou.Ownership) : ("the root", (BaselineOwnership?)null)));
        return ResolvedOwnership.Of(chain);
    }

    public static ResolvedOwnership? AzureOwnership(AzureLandingZone baseline, string subscriptionId)
    {
        if (baseline.Subscriptions.FirstOrDefault(s => string.Equals(s.Id, subscriptionId, StringComparison.OrdinalIgnoreCase)) is not { } subscription)
        {
            return null;
        }
        var chain = new List<(string, BaselineOwnership?)> { ("the subscription", subscription.Ownership) };
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var id = subscription.ManagementGroup; id is not null && seen.Add(id); )
        {
            var group = baseline.ManagementGroups.FirstOrDefault(g => string.Equals(g.Id, id, StringComparison.OrdinalIgnoreCase));
            if (group is null)
            {
                break;
            }
            chain.Add(($"management group {group.Name}", group.Ownership));
            id = group.ParentId;
        }
        return ResolvedOwnership.Of(chain);
    }

    /// <summary>The targets from the root down to the account itself, root first, as the baseline places them.</summary>
    public static IReadOnlyList<string> AwsPath(AwsLandingZone baseline, BaselineAccount account)
    {
        var parents = baseline.OrganizationalUnits.ToDictionary(o => o.Id, o => o.ParentId, StringComparer.Ordinal);
        var path = new List<string> { account.Id, account.ParentId };
        while (parents.TryGetValue(path[^1], out var parent) && !path.Contains(parent))
        {
            path.Add(parent);
        }
        path.Reverse();
        return path;
    }
}
