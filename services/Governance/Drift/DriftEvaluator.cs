using ControlTower.Governance.Apis;
using ControlTower.Governance.Baseline;
using ControlTower.Governance.Controls;
using ControlTower.Governance.Scp;

namespace ControlTower.Governance.Drift;

/// <summary>A difference between the baseline and the observed organisation, named as AWS Control Tower names it.</summary>
public sealed record DriftFinding(
    string Type, string Subject, string Severity, string Expected, string Observed, string Repair, string? EvidenceEventId, DateTimeOffset? At);

/// <summary>
/// Compares the observed AWS organisation with the baseline and lists every drift, with AWS Control Tower's
/// drift types and the undocumented ones worth having (SCP_DETACHED_FROM_ACCOUNT, SCP_DELETED). Pure: the same
/// inputs give the same findings, in the same order.
/// </summary>
public static class DriftEvaluator
{
    private static readonly string[] SharedRoles = ["management", "log-archive", "audit"];

    /// <summary>The drift of both clouds the baseline describes, AWS then Azure types in one order.</summary>
    public static IReadOnlyList<DriftFinding> Evaluate(LandingZoneBaseline baseline, ObservedOrganizationView aws, ObservedAzureView azure) =>
        [.. (baseline.Aws is { } awsBaseline ? Evaluate(awsBaseline, aws) : [])
            .Concat(PreventiveControlDrift.Evaluate(baseline, aws, ControlCatalog.Default))
            .Concat(baseline.Azure is { } azureBaseline ? AzureDriftEvaluator.Evaluate(azureBaseline, azure) : [])
            .OrderBy(f => f.Type, StringComparer.Ordinal).ThenBy(f => f.Subject, StringComparer.Ordinal)];

    public static IReadOnlyList<DriftFinding> Evaluate(AwsBaseline baseline, ObservedOrganizationView observed)
    {
        var findings = new List<DriftFinding>();
        var accounts = observed.Accounts.ToDictionary(a => a.AccountId, StringComparer.Ordinal);
        var ous = observed.OrganizationalUnits.ToDictionary(o => o.OuId, StringComparer.Ordinal);
        var policies = observed.Policies.ToDictionary(p => p.PolicyId, StringComparer.Ordinal);
        var foundational = baseline.OrganizationalUnits.Where(o => o.Foundational).Select(o => o.Id).ToHashSet(StringComparer.Ordinal);

        foreach (var account in baseline.Accounts)
        {
            if (!accounts.TryGetValue(account.Id, out var seen))
            {
                continue;
            }
            var shared = SharedRoles.Contains(account.Role) || foundational.Contains(account.ParentId);
            if (seen.Member == false)
            {
                findings.Add(new DriftFinding("ACCOUNT_REMOVED_FROM_ORGANIZATION", account.Id, shared ? "critical" : "high",
                    $"{account.Name} ({account.Role}) is a member under {account.ParentId}", "the account left or was removed from the organisation",
                    shared ? "Reset the landing zone; a shared account is missing" : "Invite the account back, then update it in Account Factory",
                    seen.MemberEventId, seen.MemberChangedAt));
            }
            else if (seen.ParentId is { } parent && parent != account.ParentId)
            {
                findings.Add(new DriftFinding("ACCOUNT_MOVED_BETWEEN_OUS", account.Id, shared ? "high" : "medium",
                    $"{account.Name} sits under {account.ParentId}", $"it sits under {parent}",
                    shared ? "Move it back and update the landing zone" : $"Move it back to {account.ParentId}, or change the baseline and re-register the OU",
                    seen.ParentEventId, seen.ParentChangedAt));
            }
        }

        foreach (var ou in baseline.OrganizationalUnits)
        {
            if (ous.TryGetValue(ou.Id, out var seen) && seen.Deleted)
            {
                findings.Add(new DriftFinding("ORGANIZATIONAL_UNIT_DELETED", ou.Id, ou.Foundational ? "critical" : "high",
                    $"OU {ou.Name} under {ou.ParentId}", "the OU was deleted",
                    ou.Foundational ? "Reset the landing zone to recreate the foundational OU" : "Recreate the OU and re-register it, or remove it from the baseline",
                    seen.EventId, seen.ChangedAt));
            }
        }

        foreach (var policy in baseline.Policies)
        {
            if (!policies.TryGetValue(policy.Id, out var seen))
            {
                continue;
            }
            if (seen.Deleted)
            {
                findings.Add(new DriftFinding("SCP_DELETED", policy.Id, "high", $"{policy.Name} exists and is attached to {string.Join(", ", policy.Targets)}",
                    "the policy was deleted", "Recreate the policy from the baseline and attach it again", seen.EventId, seen.ChangedAt));
                continue;
            }
            if (seen.Content is { } content && !BaselineDiff.SameDocument(content, policy.Document))
            {
                findings.AddRange(Updated(baseline, policy, content, seen));
            }
            foreach (var target in policy.Targets.Where(t => seen.DetachedFrom.Contains(t, StringComparer.Ordinal)))
            {
                findings.Add(new DriftFinding(IsAccount(target) ? "SCP_DETACHED_FROM_ACCOUNT" : "SCP_DETACHED_FROM_OU", $"{policy.Id}@{target}", "high",
                    $"{policy.Name} attached to {target}", $"detached from {target}", $"Attach {policy.Id} to {target} again",
                    Attachment(seen, target)?.EventId ?? seen.EventId, Attachment(seen, target)?.ChangedAt ?? seen.ChangedAt));
            }
            foreach (var target in seen.Targets.Where(t => !policy.Targets.Contains(t, StringComparer.Ordinal)))
            {
                findings.Add(new DriftFinding(IsAccount(target) ? "SCP_ATTACHED_TO_ACCOUNT" : "SCP_ATTACHED_TO_OU", $"{policy.Id}@{target}", "medium",
                    $"{policy.Name} attached only to {string.Join(", ", policy.Targets)}", $"also attached to {target}",
                    $"Detach {policy.Id} from {target}, or add the target to the baseline",
                    Attachment(seen, target)?.EventId ?? seen.EventId, Attachment(seen, target)?.ChangedAt ?? seen.ChangedAt));
            }
        }

        foreach (var setting in observed.Settings.Where(s => !s.Enabled))
        {
            if (setting.Key == $"policy-type/{baseline.RootId}/SERVICE_CONTROL_POLICY")
            {
                findings.Add(new DriftFinding("SCP_POLICY_TYPE_DISABLED", baseline.RootId, "critical", "SCPs are enabled on the root",
                    "SCPs were disabled: every SCP was detached, and re-enabling leaves only FullAWSAccess",
                    "Enable the SCP policy type, then attach every baseline policy again", setting.EventId, setting.ChangedAt));
            }
            else if (setting.Key.StartsWith("service-access/", StringComparison.Ordinal)
                && baseline.TrustedAccess.Contains(setting.Key["service-access/".Length..], StringComparer.Ordinal))
            {
                var service = setting.Key["service-access/".Length..];
                findings.Add(new DriftFinding("TRUSTED_ACCESS_DISABLED", service, "critical", $"{service} has trusted access to the organisation",
                    "trusted access was disabled", "Enable trusted access again, then reset the landing zone", setting.EventId, setting.ChangedAt));
            }
        }
        return [.. findings.OrderBy(f => f.Type, StringComparer.Ordinal).ThenBy(f => f.Subject, StringComparer.Ordinal)];
    }

    /// <summary>
    /// SCP_UPDATED, and what the change means: SCP_WEAKENS_CONTROL (high) naming each denial the new document no
    /// longer makes and the accounts that lose it; a change that keeps every denial is SCP_UPDATED at medium.
    /// </summary>
    private static IEnumerable<DriftFinding> Updated(AwsBaseline baseline, BaselinePolicy policy, string content, PolicyView seen)
    {
        const string Repair = "Restore the baseline document (re-register the OU), or change the baseline";
        if (ScpParser.Parse(policy.Id, policy.Name, content).Policy is not { } observed)
        {
            yield return new DriftFinding("SCP_UPDATED", policy.Id, "high", $"{policy.Name} as the baseline writes it",
                "its document was changed to one that is not a valid SCP", Repair, seen.EventId, seen.ChangedAt);
            yield break;
        }
        var weakened = ScpSemantics.Weakened(policy.Compiled, observed, ScpSemantics.AccountsUnder(baseline, policy.Targets));
        if (weakened.Count == 0)
        {
            yield return new DriftFinding("SCP_UPDATED", policy.Id, "medium", $"{policy.Name} as the baseline writes it",
                "its document was changed; every denial the baseline's document makes still holds", Repair, seen.EventId, seen.ChangedAt);
            yield break;
        }
        yield return new DriftFinding("SCP_UPDATED", policy.Id, "high", $"{policy.Name} as the baseline writes it",
            "its document was changed, and no longer makes some of its denials (SCP_WEAKENS_CONTROL)", Repair, seen.EventId, seen.ChangedAt);
        var accounts = weakened.SelectMany(w => w.Accounts).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        yield return new DriftFinding("SCP_WEAKENS_CONTROL", policy.Id, "high",
            $"{policy.Name} denies {string.Join(", ", weakened.Select(Describe))} in every account under {string.Join(", ", policy.Targets)}",
            $"the new document no longer denies {string.Join(", ", weakened.Select(Describe))}; {accounts.Count} account(s) it governs no longer get "
                + "that denial from it (PREVENTIVE_CONTROL_WEAKENED says where no other policy still makes it): "
                + string.Join(", ", accounts.Take(10)) + (accounts.Count > 10 ? ", …" : ""),
            $"Restore the denial in {policy.Id} now (the baseline document), then find out who changed it and why", seen.EventId, seen.ChangedAt);

        static string Describe(WeakenedDenial w) => w.Resource == "*" ? w.Action : $"{w.Action} on {w.Resource}";
    }

    /// <summary>The event that last attached or detached the policy on this target: the evidence of an attachment's drift.</summary>
    private static AttachmentView? Attachment(PolicyView policy, string target) =>
        policy.Attachments?.FirstOrDefault(a => a.TargetId == target);

    private static bool IsAccount(string target) => target.Length == 12 && target.All(char.IsAsciiDigit);
}
