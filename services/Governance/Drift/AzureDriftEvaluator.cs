using ControlTower.Governance.Apis;
using ControlTower.Governance.Baseline;
using ControlTower.Governance.Observed;

namespace ControlTower.Governance.Drift;

/// <summary>
/// Compares the observed Azure estate with the baseline's Azure side, with the analogues of AWS Control Tower's
/// drift types: a subscription moved between or removed from management groups (the analogue of a moved or
/// removed account), a management group deleted or moved (an OU deleted), a policy assignment deleted or
/// weakened (an SCP detached or updated), and a policy exemption on a baseline assignment (a guardrail exception
/// nobody put in the baseline). Pure; ids are compared without case, as Azure compares them.
/// </summary>
public static class AzureDriftEvaluator
{
    private const string AssignmentSegment = "/providers/microsoft.authorization/policyassignments/";

    public static IReadOnlyList<DriftFinding> Evaluate(AzureBaseline baseline, ObservedAzureView observed)
    {
        var findings = new List<DriftFinding>();
        var groups = observed.ManagementGroups.ToDictionary(g => g.GroupId, StringComparer.OrdinalIgnoreCase);
        var subscriptions = observed.Subscriptions.ToDictionary(s => s.SubscriptionId, StringComparer.OrdinalIgnoreCase);
        var assignments = observed.PolicyAssignments.ToDictionary(a => a.AssignmentId, StringComparer.OrdinalIgnoreCase);
        // Where each group hangs: the observed parent where an event or snapshot named one, else the baseline's.
        var baselineParents = baseline.ManagementGroups.ToDictionary(g => g.Id, g => g.ParentId, StringComparer.OrdinalIgnoreCase);
        var parents = new Dictionary<string, string?>(baselineParents, StringComparer.OrdinalIgnoreCase);
        foreach (var group in observed.ManagementGroups.Where(g => g.ParentId is not null))
        {
            parents[group.GroupId] = group.ParentId;
        }
        var baselineAssignments = baseline.PolicyAssignments.Select(a => (Baseline: a, Id: AssignmentId(a))).ToList();

        foreach (var subscription in baseline.Subscriptions)
        {
            if (!subscriptions.TryGetValue(subscription.Id, out var seen))
            {
                continue;
            }
            var lost = baselineAssignments
                .Where(a => Governs(a.Baseline.Scope, subscription.ManagementGroup, baselineParents)
                    && (seen.Removed || !Governs(a.Baseline.Scope, seen.ManagementGroupId, parents)))
                .Select(a => a.Baseline.Name).ToList();
            var losing = lost.Count > 0 ? $"; it is no longer governed by {string.Join(", ", lost)}" : "";
            if (seen.Removed && string.Equals(seen.ManagementGroupId, subscription.ManagementGroup, StringComparison.OrdinalIgnoreCase))
            {
                findings.Add(new DriftFinding("SUBSCRIPTION_REMOVED_FROM_MANAGEMENT_GROUP", seen.SubscriptionId, "high",
                    $"{subscription.Name} sits in {subscription.ManagementGroup}",
                    $"it was removed from {seen.ManagementGroupId} and sits under the tenant root group{losing}",
                    $"Move it back: az account management-group subscription add --name {subscription.ManagementGroup} --subscription {subscription.Id}",
                    seen.EventId, seen.ChangedAt));
            }
            else if (!string.Equals(seen.ManagementGroupId, subscription.ManagementGroup, StringComparison.OrdinalIgnoreCase))
            {
                var where = seen.Removed ? $"it was removed from {seen.ManagementGroupId} and sits under the tenant root group" : $"it sits in {seen.ManagementGroupId}";
                findings.Add(new DriftFinding("SUBSCRIPTION_MOVED_BETWEEN_MANAGEMENT_GROUPS", seen.SubscriptionId, lost.Count > 0 ? "high" : "medium",
                    $"{subscription.Name} sits in {subscription.ManagementGroup}", where + losing,
                    $"Move it back (az account management-group subscription add --name {subscription.ManagementGroup} --subscription {subscription.Id}), or change the baseline",
                    seen.EventId, seen.ChangedAt));
            }
        }

        foreach (var group in baseline.ManagementGroups)
        {
            if (!groups.TryGetValue(group.Id, out var seen))
            {
                continue;
            }
            if (seen.Deleted)
            {
                var governed = baseline.Subscriptions.Count(s => string.Equals(s.ManagementGroup, group.Id, StringComparison.OrdinalIgnoreCase));
                findings.Add(new DriftFinding("MANAGEMENT_GROUP_DELETED", seen.GroupId, group.ParentId is null ? "critical" : "high",
                    $"management group {group.Name} under {group.ParentId ?? "the tenant root group"}", "the management group was deleted",
                    $"Recreate {group.Id} under {group.ParentId ?? "the tenant root group"}, move its {governed} subscription(s) back and assign its policies again",
                    seen.EventId, seen.ChangedAt));
            }
            else if (group.ParentId is not null && seen.ParentId is not null && !string.Equals(seen.ParentId, group.ParentId, StringComparison.OrdinalIgnoreCase))
            {
                findings.Add(new DriftFinding("MANAGEMENT_GROUP_MOVED", seen.GroupId, "high", $"{group.Name} sits under {group.ParentId}",
                    $"it sits under {seen.ParentId}", $"Move it back: az account management-group update --name {group.Id} --parent {group.ParentId}",
                    seen.EventId, seen.ChangedAt));
            }
        }

        foreach (var (assignment, id) in baselineAssignments)
        {
            if (!assignments.TryGetValue(id, out var seen))
            {
                continue;
            }
            if (seen.Deleted)
            {
                findings.Add(new DriftFinding("POLICY_ASSIGNMENT_DELETED", seen.AssignmentId, IsPreventive(assignment.Effect) ? "critical" : "high",
                    $"{assignment.Name} assigns {assignment.Definition} ({assignment.Effect}) at {assignment.Scope}", "the assignment was deleted",
                    $"Assign {assignment.Definition} as {assignment.Name} at {assignment.Scope} again", seen.EventId, seen.ChangedAt));
                continue;
            }
            var differences = new List<string>();
            if (seen.DefinitionId is { } definition && !string.Equals(definition, assignment.Definition, StringComparison.OrdinalIgnoreCase))
            {
                differences.Add($"it assigns {definition}");
            }
            if (seen.Effect is { } effect && !string.Equals(effect, assignment.Effect, StringComparison.OrdinalIgnoreCase))
            {
                differences.Add($"its effect is {effect}");
            }
            if (string.Equals(seen.EnforcementMode, "DoNotEnforce", StringComparison.OrdinalIgnoreCase))
            {
                differences.Add("its enforcement mode is DoNotEnforce");
            }
            if (differences.Count > 0)
            {
                var weakened = string.Equals(seen.EnforcementMode, "DoNotEnforce", StringComparison.OrdinalIgnoreCase)
                    || (IsPreventive(assignment.Effect) && seen.Effect is { } e && !IsPreventive(e));
                findings.Add(new DriftFinding("POLICY_ASSIGNMENT_CHANGED", seen.AssignmentId, weakened ? "high" : "medium",
                    $"{assignment.Name} assigns {assignment.Definition} with effect {assignment.Effect}, enforced",
                    string.Join("; ", differences), $"Restore the assignment from the baseline (definition {assignment.Definition}, effect {assignment.Effect}, enforcement mode Default), or change the baseline",
                    seen.EventId, seen.ChangedAt));
            }
        }

        foreach (var exemption in observed.PolicyExemptions.Where(e => !e.Deleted))
        {
            var exempted = baselineAssignments.FirstOrDefault(a => exemption.AssignmentId is { } target
                ? string.Equals(target, a.Id, StringComparison.OrdinalIgnoreCase)
                : Within(exemption.Scope, a.Baseline.Scope, subscriptions, baseline, parents));
            if (exempted.Baseline is not { } assignment)
            {
                continue;
            }
            var expiry = exemption.ExpiresOn is { } expires ? $", expiring {expires:O}" : ", without expiry";
            findings.Add(new DriftFinding("POLICY_EXEMPTION_CREATED", exemption.ExemptionId,
                string.Equals(exemption.Category, "Mitigated", StringComparison.OrdinalIgnoreCase) ? "medium" : "high",
                $"{assignment.Name} applies at {assignment.Scope} without exemptions",
                $"exemption {exemption.Name} ({exemption.Category ?? "category unknown"}{expiry}) at {exemption.Scope}",
                $"Delete the exemption (az policy exemption delete --name {exemption.Name} --scope {exemption.Scope}), or record the exception in the baseline",
                exemption.EventId, exemption.ChangedAt));
        }
        return [.. findings.OrderBy(f => f.Type, StringComparer.Ordinal).ThenBy(f => f.Subject, StringComparer.Ordinal)];
    }

    /// <summary>The resource id of a baseline assignment, in lower case, as the observed state keys it.</summary>
    public static string AssignmentId(BaselinePolicyAssignment assignment) =>
        (assignment.Scope.TrimEnd('/') + AssignmentSegment + assignment.Name).ToLowerInvariant();

    private static bool IsPreventive(string effect) =>
        effect.Equals("deny", StringComparison.OrdinalIgnoreCase) || effect.Equals("denyAction", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether an assignment at <paramref name="scope"/> applies to what sits in management group <paramref name="group"/>.</summary>
    private static bool Governs(string scope, string group, Dictionary<string, string?> parents) =>
        GroupOf(scope) is { } assigned && Ancestry(group, parents).Contains(assigned, StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="scope"/> (of an exemption) lies at or under <paramref name="assignmentScope"/>.</summary>
    private static bool Within(string scope, string assignmentScope, Dictionary<string, SubscriptionView> subscriptions, AzureBaseline baseline,
        Dictionary<string, string?> parents)
    {
        var inner = scope.TrimEnd('/');
        var outer = assignmentScope.TrimEnd('/');
        if (inner.Equals(outer, StringComparison.OrdinalIgnoreCase) || inner.StartsWith(outer + "/", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (GroupOf(outer) is null)
        {
            return false;
        }
        if (GroupOf(inner) is { } group)
        {
            return Governs(outer, group, parents);
        }
        // A subscription, or something in one: governed through the management group the subscription sits in.
        var parts = inner.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !parts[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var home = subscriptions.TryGetValue(parts[1], out var seen)
            ? seen.Removed ? null : seen.ManagementGroupId
            : baseline.Subscriptions.FirstOrDefault(s => s.Id.Equals(parts[1], StringComparison.OrdinalIgnoreCase))?.ManagementGroup;
        return home is not null && Governs(outer, home, parents);
    }

    private static string? GroupOf(string scope)
    {
        var trimmed = scope.TrimEnd('/');
        return trimmed.StartsWith(AzureEvents.ManagementGroupPrefix, StringComparison.OrdinalIgnoreCase)
            && trimmed.Length > AzureEvents.ManagementGroupPrefix.Length
            && !trimmed[AzureEvents.ManagementGroupPrefix.Length..].Contains('/', StringComparison.Ordinal)
                ? AzureEvents.LastSegment(trimmed)
                : null;
    }

    /// <summary>The group and its ancestors, stopping at a group of unknown parent (or a loop).</summary>
    private static List<string> Ancestry(string group, Dictionary<string, string?> parents)
    {
        var chain = new List<string>();
        for (string? current = group; current is not null && !chain.Contains(current, StringComparer.OrdinalIgnoreCase);
            current = parents.TryGetValue(current, out var parent) ? parent : null)
        {
            chain.Add(current);
        }
        return chain;
    }
}
