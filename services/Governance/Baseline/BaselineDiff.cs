using System.Text.Json.Nodes;

namespace ControlTower.Governance.Baseline;

/// <summary>One difference between two baselines: what kind of thing, which one, and how it changed.</summary>
/// <param name="Kind">organization, trusted-access, ou, account, policy, policy-target, management-group, subscription, policy-assignment.</param>
/// <param name="Change">added, removed or changed.</param>
public sealed record BaselineChange(string Kind, string Id, string Change, string? Before, string? After);

/// <summary>
/// What a new baseline changes from the one in place, thing by thing (an SCP whose document differs only in
/// whitespace or key order has not changed). Pure; the changes come in a stable order.
/// </summary>
public static class BaselineDiff
{
    public static IReadOnlyList<BaselineChange> Compare(LandingZoneBaseline? before, LandingZoneBaseline after)
    {
        var changes = new List<BaselineChange>();
        CompareAws(before?.Aws, after.Aws, changes);
        CompareAzure(before?.Azure, after.Azure, changes);
        return changes;
    }

    private static void CompareAws(AwsBaseline? before, AwsBaseline? after, List<BaselineChange> changes)
    {
        Value(changes, "organization", "id", before?.OrganizationId, after?.OrganizationId);
        Value(changes, "organization", "root", before?.RootId, after?.RootId);
        Value(changes, "organization", "managementAccount", before?.ManagementAccount, after?.ManagementAccount);
        Set(changes, "trusted-access", before?.TrustedAccess ?? [], after?.TrustedAccess ?? []);
        Things(changes, "ou", before?.OrganizationalUnits ?? [], after?.OrganizationalUnits ?? [], o => o.Id,
            o => $"{o.Name} under {o.ParentId}{(o.Foundational ? " (foundational)" : "")}{Ownership.Describe(o.Ownership)}");
        Things(changes, "account", before?.Accounts ?? [], after?.Accounts ?? [], a => a.Id, a => $"{a.Name} ({a.Role}) under {a.ParentId}{Ownership.Describe(a.Ownership)}");
        Things(changes, "policy", before?.Policies ?? [], after?.Policies ?? [], p => p.Id, p => p.Name,
            (p, q) => SameDocument(p.Document, q.Document));
        var targetsBefore = (before?.Policies ?? []).SelectMany(p => p.Targets.Select(t => $"{p.Id}@{t}"));
        var targetsAfter = (after?.Policies ?? []).SelectMany(p => p.Targets.Select(t => $"{p.Id}@{t}"));
        Set(changes, "policy-target", [.. targetsBefore], [.. targetsAfter]);
    }

    private static void CompareAzure(AzureBaseline? before, AzureBaseline? after, List<BaselineChange> changes)
    {
        Value(changes, "azure", "tenant", before?.Tenant, after?.Tenant);
        Things(changes, "management-group", before?.ManagementGroups ?? [], after?.ManagementGroups ?? [], g => g.Id,
            g => $"{g.Name} under {g.ParentId ?? "the tenant root"}{Ownership.Describe(g.Ownership)}");
        Things(changes, "subscription", before?.Subscriptions ?? [], after?.Subscriptions ?? [], s => s.Id, s => $"{s.Name} in {s.ManagementGroup}{Ownership.Describe(s.Ownership)}");
        Things(changes, "policy-assignment", before?.PolicyAssignments ?? [], after?.PolicyAssignments ?? [], a => $"{a.Scope}/{a.Name}",
            a => $"{a.Definition} ({a.Effect})");
    }

    private static void Value(List<BaselineChange> changes, string kind, string id, string? before, string? after)
    {
        if (!string.Equals(before, after, StringComparison.Ordinal))
        {
            changes.Add(new BaselineChange(kind, id, before is null ? "added" : after is null ? "removed" : "changed", before, after));
        }
    }

    private static void Set(List<BaselineChange> changes, string kind, IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        foreach (var gone in before.Except(after, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            changes.Add(new BaselineChange(kind, gone, "removed", gone, null));
        }
        foreach (var added in after.Except(before, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            changes.Add(new BaselineChange(kind, added, "added", null, added));
        }
    }

    /// <summary>Things matched by id: removed, added, or changed when their description (or <paramref name="same"/>) says so.</summary>
    private static void Things<T>(List<BaselineChange> changes, string kind, IReadOnlyList<T> before, IReadOnlyList<T> after,
        Func<T, string> id, Func<T, string> describe, Func<T, T, bool>? same = null)
    {
        var old = before.ToDictionary(id, StringComparer.Ordinal);
        var now = after.ToDictionary(id, StringComparer.Ordinal);
        foreach (var key in old.Keys.Union(now.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var (wasThere, isThere) = (old.TryGetValue(key, out var was), now.TryGetValue(key, out var @is));
            if (!isThere)
            {
                changes.Add(new BaselineChange(kind, key, "removed", describe(was!), null));
            }
            else if (!wasThere)
            {
                changes.Add(new BaselineChange(kind, key, "added", null, describe(@is!)));
            }
            else if (describe(was!) != describe(@is!))
            {
                changes.Add(new BaselineChange(kind, key, "changed", describe(was!), describe(@is!)));
            }
            else if (same is not null && !same(was!, @is!))
            {
                changes.Add(new BaselineChange(kind, key, "changed", $"{describe(was!)}: its document as before", $"{describe(@is!)}: a new document"));
            }
        }
    }

    /// <summary>Two documents say the same when they are the same JSON, whatever their whitespace and key order.</summary>
    public static bool SameDocument(string a, string b)
    {
        try
        {
            return JsonNode.DeepEquals(JsonNode.Parse(a), JsonNode.Parse(b));
        }
        catch (System.Text.Json.JsonException)
        {
            return string.Equals(a, b, StringComparison.Ordinal);
        }
    }
}
