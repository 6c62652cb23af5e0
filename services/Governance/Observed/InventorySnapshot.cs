using System.Text.Json;
using ControlTower.Governance.Baseline;
using ControlTower.Governance.Drift;

namespace ControlTower.Governance.Observed;

/// <summary>
/// An inventory of the AWS organisation and/or the Azure estate as read at <see cref="TakenAt"/> (the shape the
/// README's CLI recipe builds). Each cloud it carries is complete: what it does not list is gone.
/// </summary>
public sealed record InventorySnapshot(DateTimeOffset? TakenAt, AwsInventory? Aws, AzureInventory? Azure);

public sealed record AwsInventory(
    AwsRootInventory? Root, List<OuInventory>? OrganizationalUnits, List<AccountInventory>? Accounts, List<PolicyInventory>? Policies,
    AwsSettingsInventory? Settings);

public sealed record AwsRootInventory(string? Id);

/// <summary>The policy types enabled on the root and the services with trusted access; when absent, the settings are left as they are.</summary>
public sealed record AwsSettingsInventory(List<string>? EnabledPolicyTypes, List<string>? TrustedServices);

public sealed record OuInventory(string? Id, string? Name, string? ParentId);

/// <summary>An account; <see cref="Status"/> as Organizations says it (ACTIVE, SUSPENDED, PENDING_CLOSURE): a listed account is a member.</summary>
public sealed record AccountInventory(string? Id, string? Name, string? ParentId, string? Status);

/// <summary>A policy with its document (a string as describe-policy returns it, or the JSON object) and the roots, OUs and accounts it is attached to.</summary>
public sealed record PolicyInventory(string? Id, string? Name, string? Type, JsonElement Content, List<string>? Targets);

public sealed record AzureInventory(
    List<ManagementGroupInventory>? ManagementGroups, List<SubscriptionInventory>? Subscriptions,
    List<PolicyAssignmentInventory>? PolicyAssignments, List<PolicyExemptionInventory>? PolicyExemptions);

public sealed record ManagementGroupInventory(string? Id, string? Name, string? ParentId);

public sealed record SubscriptionInventory(string? Id, string? Name, string? ManagementGroupId);

public sealed record PolicyAssignmentInventory(string? Id, string? PolicyDefinitionId, string? EnforcementMode, string? Effect);

public sealed record PolicyExemptionInventory(string? Id, string? PolicyAssignmentId, string? ExemptionCategory, DateTimeOffset? ExpiresOn);

/// <summary>
/// What a full snapshot no longer lists, to be marked gone as of its time: every row of the kind whose id is not
/// in <see cref="Present"/> (and whose stamp is older than the snapshot's). <see cref="Scope"/> narrows the policy
/// kinds to the policy types the snapshot lists.
/// </summary>
public sealed record SnapshotAbsence(SnapshotKind Kind, IReadOnlyList<string> Present, IReadOnlyList<string>? Scope = null);

public enum SnapshotKind
{
    Accounts,
    OrganizationalUnits,
    Policies,
    PolicyAttachments,
    Settings,
    ManagementGroups,
    Subscriptions,
    PolicyAssignments,
    PolicyExemptions,
}

/// <summary>
/// Turns a validated snapshot into the changes it makes, all stamped (<see cref="InventorySnapshot.TakenAt"/>,
/// snapshot id), so the store's order rules apply to it as to any event: a row an event changed after the
/// snapshot was taken keeps the event's state. Pure.
/// </summary>
public static class InventoryChanges
{
    public static (IReadOnlyList<OrganizationChange> Changes, IReadOnlyList<SnapshotAbsence> Absences) From(
        InventorySnapshot snapshot, LandingZoneBaseline? baseline, string snapshotId)
    {
        var at = snapshot.TakenAt!.Value;
        var changes = new List<OrganizationChange>();
        var absences = new List<SnapshotAbsence>();
        if (snapshot.Aws is { } aws)
        {
            var root = aws.Root!.Id!;
            var ous = aws.OrganizationalUnits ?? [];
            var accounts = aws.Accounts ?? [];
            var policies = aws.Policies ?? [];
            changes.AddRange(ous.Select(o => new OrganizationalUnitChanged(o.Id!, o.Name, o.ParentId, false, at, snapshotId)));
            foreach (var account in accounts)
            {
                changes.Add(new AccountMembershipChanged(account.Id!, true, account.Name, at, snapshotId));
                changes.Add(new AccountMoved(account.Id!, account.ParentId!, at, snapshotId));
            }
            var attachments = new List<string>();
            foreach (var policy in policies)
            {
                var content = policy.Content.ValueKind switch
                {
                    JsonValueKind.String => policy.Content.GetString(),
                    JsonValueKind.Object => policy.Content.GetRawText(),
                    _ => null,
                };
                changes.Add(new PolicyChanged(policy.Id!, policy.Name, policy.Type ?? "SERVICE_CONTROL_POLICY", content, false, at, snapshotId));
                foreach (var target in (policy.Targets ?? []).Distinct(StringComparer.Ordinal))
                {
                    changes.Add(new PolicyAttachmentChanged(policy.Id!, target, true, at, snapshotId));
                    attachments.Add(AttachmentKey(policy.Id!, target));
                }
            }
            var types = policies.Select(p => p.Type ?? "SERVICE_CONTROL_POLICY").Append("SERVICE_CONTROL_POLICY").Distinct(StringComparer.Ordinal).ToList();
            absences.Add(new SnapshotAbsence(SnapshotKind.OrganizationalUnits, [.. ous.Select(o => o.Id!)]));
            absences.Add(new SnapshotAbsence(SnapshotKind.Accounts, [.. accounts.Select(a => a.Id!)]));
            absences.Add(new SnapshotAbsence(SnapshotKind.Policies, [.. policies.Select(p => p.Id!)], types));
            absences.Add(new SnapshotAbsence(SnapshotKind.PolicyAttachments, attachments, types));
            if (aws.Settings is { } settings)
            {
                var keys = (settings.EnabledPolicyTypes ?? []).Select(t => $"policy-type/{root}/{t}")
                    .Concat((settings.TrustedServices ?? []).Select(s => $"service-access/{s}")).Distinct(StringComparer.Ordinal).ToList();
                changes.AddRange(keys.Select(k => new OrganizationSettingChanged(k, true, at, snapshotId)));
                absences.Add(new SnapshotAbsence(SnapshotKind.Settings, keys));
                // A baseline setting the organisation no longer has is a row to mark off, even if no event ever named it.
                if (baseline?.Aws is { } awsBaseline)
                {
                    changes.AddRange(awsBaseline.TrustedAccess.Select(s => $"service-access/{s}")
                        .Append($"policy-type/{awsBaseline.RootId}/SERVICE_CONTROL_POLICY")
                        .Where(k => !keys.Contains(k, StringComparer.Ordinal))
                        .Select(k => new OrganizationSettingChanged(k, false, at, snapshotId)));
                }
            }
            // What the baseline expects and the snapshot lacks is gone as of the snapshot, even where no row knew it.
            if (baseline?.Aws is { } expected)
            {
                var listedAccounts = accounts.Select(a => a.Id!).ToHashSet(StringComparer.Ordinal);
                changes.AddRange(expected.Accounts.Where(a => !listedAccounts.Contains(a.Id))
                    .Select(a => new AccountMembershipChanged(a.Id, false, a.Name, at, snapshotId)));
                var listedOus = ous.Select(o => o.Id!).ToHashSet(StringComparer.Ordinal);
                changes.AddRange(expected.OrganizationalUnits.Where(o => !listedOus.Contains(o.Id))
                    .Select(o => new OrganizationalUnitChanged(o.Id, o.Name, o.ParentId, true, at, snapshotId)));
                var listedPolicies = policies.Select(p => p.Id!).ToHashSet(StringComparer.Ordinal);
                changes.AddRange(expected.Policies.Where(p => !listedPolicies.Contains(p.Id))
                    .Select(p => new PolicyChanged(p.Id, p.Name, "SERVICE_CONTROL_POLICY", null, true, at, snapshotId)));
                var attached = attachments.ToHashSet(StringComparer.Ordinal);
                changes.AddRange(expected.Policies.Where(p => listedPolicies.Contains(p.Id))
                    .SelectMany(p => p.Targets.Where(t => !attached.Contains(AttachmentKey(p.Id, t)))
                        .Select(t => new PolicyAttachmentChanged(p.Id, t, false, at, snapshotId))));
            }
        }
        if (snapshot.Azure is { } azure)
        {
            var groups = azure.ManagementGroups ?? [];
            var subscriptions = azure.Subscriptions ?? [];
            var assignments = azure.PolicyAssignments ?? [];
            var exemptions = azure.PolicyExemptions ?? [];
            changes.AddRange(groups.Select(g => new ManagementGroupChanged(
                g.Id!.ToLowerInvariant(), g.Name, g.ParentId is { } parent ? AzureEvents.LastSegment(parent) : null, false, at, snapshotId)));
            changes.AddRange(subscriptions.Select(s => new SubscriptionPlaced(
                s.Id!.ToLowerInvariant(), AzureEvents.LastSegment(s.ManagementGroupId!), false, s.Name, at, snapshotId)));
            foreach (var assignment in assignments)
            {
                var (scope, name) = Split(assignment.Id!);
                changes.Add(new PolicyAssignmentChanged(assignment.Id!.ToLowerInvariant().TrimEnd('/'), name, scope,
                    assignment.PolicyDefinitionId, assignment.EnforcementMode ?? "Default", assignment.Effect, false, at, snapshotId));
            }
            foreach (var exemption in exemptions)
            {
                var (scope, name) = Split(exemption.Id!);
                changes.Add(new PolicyExemptionChanged(exemption.Id!.ToLowerInvariant().TrimEnd('/'), name, scope,
                    exemption.PolicyAssignmentId?.ToLowerInvariant(), exemption.ExemptionCategory, exemption.ExpiresOn, false, at, snapshotId));
            }
            absences.Add(new SnapshotAbsence(SnapshotKind.ManagementGroups, [.. groups.Select(g => g.Id!.ToLowerInvariant())]));
            absences.Add(new SnapshotAbsence(SnapshotKind.Subscriptions, [.. subscriptions.Select(s => s.Id!.ToLowerInvariant())]));
            absences.Add(new SnapshotAbsence(SnapshotKind.PolicyAssignments, [.. assignments.Select(a => a.Id!.ToLowerInvariant().TrimEnd('/'))]));
            absences.Add(new SnapshotAbsence(SnapshotKind.PolicyExemptions, [.. exemptions.Select(e => e.Id!.ToLowerInvariant().TrimEnd('/'))]));
            if (baseline?.Azure is { } expected)
            {
                var listedGroups = groups.Select(g => g.Id!).ToHashSet(StringComparer.OrdinalIgnoreCase);
                changes.AddRange(expected.ManagementGroups.Where(g => !listedGroups.Contains(g.Id))
                    .Select(g => new ManagementGroupChanged(g.Id.ToLowerInvariant(), g.Name, g.ParentId?.ToLowerInvariant(), true, at, snapshotId)));
                var listedSubscriptions = subscriptions.Select(s => s.Id!).ToHashSet(StringComparer.OrdinalIgnoreCase);
                changes.AddRange(expected.Subscriptions.Where(s => !listedSubscriptions.Contains(s.Id))
                    .Select(s => new SubscriptionPlaced(s.Id.ToLowerInvariant(), s.ManagementGroup.ToLowerInvariant(), true, s.Name, at, snapshotId)));
                var listedAssignments = assignments.Select(a => a.Id!.TrimEnd('/')).ToHashSet(StringComparer.OrdinalIgnoreCase);
                changes.AddRange(expected.PolicyAssignments.Where(a => !listedAssignments.Contains(AzureDriftEvaluator.AssignmentId(a)))
                    .Select(a => new PolicyAssignmentChanged(AzureDriftEvaluator.AssignmentId(a), a.Name, a.Scope.ToLowerInvariant(), null, null, null, true, at, snapshotId)));
            }
        }
        return (changes, absences);
    }

    /// <summary>How an attachment is named among the present ones: policy and target.</summary>
    public static string AttachmentKey(string policyId, string targetId) => $"{policyId}|{targetId}";

    private static (string Scope, string Name) Split(string id)
    {
        var trimmed = id.TrimEnd('/');
        var name = trimmed[(trimmed.LastIndexOf('/') + 1)..].ToLowerInvariant();
        var marker = trimmed.LastIndexOf("/providers/", StringComparison.OrdinalIgnoreCase);
        return (marker > 0 ? trimmed[..marker].ToLowerInvariant() : "/", name);
    }
}
