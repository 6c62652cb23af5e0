using ControlTower.Governance.Baseline;

namespace ControlTower.Governance.Scp;

/// <summary>One account whose answer to the question changes.</summary>
public sealed record AccountImpact(string AccountId, string Name, ScpDecision Before, ScpDecision After);

/// <summary>The accounts that would lose or gain an action if one policy's document changed.</summary>
public sealed record Impact(IReadOnlyList<AccountImpact> Lose, IReadOnlyList<AccountImpact> Gain, int AccountsChecked);

/// <summary>
/// "Which accounts would lose or gain this action if this SCP read so?" over the baseline's organisation: every
/// member account's path from the root, with FullAWSAccess at every level (the deny-list strategy Control
/// Tower sets up) and the baseline's policies where they are attached. The management account is not
/// restricted by SCPs and is left out.
/// </summary>
public static class ImpactPreview
{
    public static Impact Preview(AwsBaseline baseline, string policyId, ScpPolicy replacement, ScpRequest request) =>
        Compare(baseline, Levels(baseline, null), Levels(baseline, (policyId, replacement)), request);

    /// <summary>The same question for a new policy attached to <paramref name="targetId"/> (the root, an OU or an account) besides what it has.</summary>
    public static Impact PreviewAttached(AwsBaseline baseline, string targetId, ScpPolicy added, ScpRequest request)
    {
        var after = Levels(baseline, null);
        after[targetId] = new ScpLevel(targetId, [.. after.TryGetValue(targetId, out var level) ? level.Policies : [ScpPolicy.FullAwsAccess], added]);
        return Compare(baseline, Levels(baseline, null), after, request);
    }

    /// <summary>How many SCPs <paramref name="targetId"/> has in the baseline, FullAWSAccess included.</summary>
    public static int AttachedTo(AwsBaseline baseline, string targetId) => 1 + baseline.Policies.Count(p => p.Targets.Contains(targetId, StringComparer.Ordinal));

    private static Impact Compare(AwsBaseline baseline, Dictionary<string, ScpLevel> before, Dictionary<string, ScpLevel> after, ScpRequest request)
    {
        var lose = new List<AccountImpact>();
        var gain = new List<AccountImpact>();
        var checkedAccounts = 0;
        var parents = BaselineTree.Parents(baseline);
        foreach (var account in baseline.Accounts.Where(a => a.Id != baseline.ManagementAccount))
        {
            checkedAccounts++;
            var was = ScpEvaluator.Decide(request, Path(account, parents, before));
            var will = ScpEvaluator.Decide(request, Path(account, parents, after));
            var allowedBefore = was.Outcome is ScpOutcome.Allowed or ScpOutcome.NotRestricted;
            var allowedAfter = will.Outcome is ScpOutcome.Allowed or ScpOutcome.NotRestricted;
            if (allowedBefore && !allowedAfter)
            {
                lose.Add(new AccountImpact(account.Id, account.Name, was, will));
            }
            else if (!allowedBefore && allowedAfter)
            {
                gain.Add(new AccountImpact(account.Id, account.Name, was, will));
            }
        }
        return new Impact(lose, gain, checkedAccounts);
    }

    /// <summary>Each target's level: FullAWSAccess and the baseline's policies attached to it, one policy swapped if asked.</summary>
    private static Dictionary<string, ScpLevel> Levels(AwsBaseline baseline, (string Id, ScpPolicy Policy)? swap)
    {
        var attached = new Dictionary<string, List<ScpPolicy>>(StringComparer.Ordinal);
        foreach (var policy in baseline.Policies)
        {
            var compiled = swap is { } s && s.Id == policy.Id ? s.Policy : policy.Compiled;
            foreach (var target in policy.Targets)
            {
                if (!attached.TryGetValue(target, out var list))
                {
                    attached[target] = list = [ScpPolicy.FullAwsAccess];
                }
                list.Add(compiled);
            }
        }
        return attached.ToDictionary(a => a.Key, a => new ScpLevel(a.Key, a.Value), StringComparer.Ordinal);
    }

    private static List<ScpLevel> Path(BaselineAccount account, IReadOnlyDictionary<string, string> parents, Dictionary<string, ScpLevel> levels) =>
        [.. BaselineTree.PathTo(account, parents).Select(t => levels.TryGetValue(t, out var level) ? level : new ScpLevel(t, [ScpPolicy.FullAwsAccess]))];
}
