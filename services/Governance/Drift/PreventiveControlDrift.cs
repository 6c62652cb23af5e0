using ControlTower.Governance.Apis;
using ControlTower.Governance.Baseline;
using ControlTower.Governance.Controls;
using ControlTower.Governance.Scp;

namespace ControlTower.Governance.Drift;

/// <summary>
/// Whether the SCPs as observed still enforce each preventive control where the baseline enables it. A
/// preventive control asserts that its actions (the service and operations its matcher names) are denied to an
/// ordinary principal of every account it is on. Each assertion the baseline's own SCPs make hold is asked again
/// of the observed ones (their documents and attachments, and any policy not in the baseline attached on the
/// way), in every region the policies name: one that no longer holds is PREVENTIVE_CONTROL_WEAKENED, whichever
/// policy changed, managed or not. Accounts whose paths carry the same policies are decided once, for a principal
/// of the first of them (the guardrails' conditions name roles, not accounts).
/// </summary>
public static class PreventiveControlDrift
{
    private const string Probe = "ControlTowerProbe";

    public static IEnumerable<DriftFinding> Evaluate(LandingZoneBaseline landingZone, ObservedOrganizationView observed, ControlCatalog catalog)
    {
        if (landingZone.Aws is not { } baseline)
        {
            yield break;
        }
        var placement = new ControlPlacement(landingZone, catalog);
        var controls = PreventiveControls(catalog);
        if (controls.Count == 0)
        {
            yield break;
        }
        var before = BaselineLevels(baseline);
        var after = ObservedLevels(baseline, observed);
        var regions = Regions(before.Values.Concat(after.Values).SelectMany(l => l));
        // Weakened: the baseline's SCPs deny it in every region, the observed ones not in some.
        var lost = Collect(baseline, placement, controls, before, after, regions,
            requests => requests.All(r => Denied(r.Request, r.Before)) && requests.Any(r => !Denied(r.Request, r.After)));
        var evidence = observed.Policies.Where(p => p.ChangedAt is not null).MaxBy(p => p.ChangedAt);

        foreach (var (controlId, byAction) in lost)
        {
            var control = controls.First(c => c.Control.Id == controlId).Control;
            var accounts = byAction.Values.SelectMany(a => a).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            yield return new DriftFinding("PREVENTIVE_CONTROL_WEAKENED", controlId, control.Severity == "critical" ? "critical" : "high",
                $"{control.Title}: the SCPs deny {string.Join(", ", byAction.Keys)} in every account it is on",
                $"the SCPs as observed no longer deny {string.Join(", ", byAction.Keys)} in {accounts.Count} account(s): "
                    + string.Join(", ", accounts.Take(10)) + (accounts.Count > 10 ? ", …" : ""),
                $"Restore the SCPs that enforce {controlId} (the baseline's documents and attachments); {control.Repair}",
                evidence?.EventId, evidence?.ChangedAt);
        }
    }

    /// <summary>
    /// Where the baseline enables a preventive control its own SCPs do not enforce: per control, the accounts
    /// where some of its actions are not denied (in some region the policies name). Such a control can only be
    /// watched after the fact; nothing stops the call.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> NotEnforced(LandingZoneBaseline landingZone, ControlCatalog catalog)
    {
        if (landingZone.Aws is not { } baseline)
        {
            return new Dictionary<string, IReadOnlyList<string>>();
        }
        var levels = BaselineLevels(baseline);
        var open = Collect(baseline, new ControlPlacement(landingZone, catalog), PreventiveControls(catalog), levels, levels,
            Regions(levels.Values.SelectMany(l => l)), requests => requests.Any(r => !Denied(r.Request, r.Before)));
        return open.ToDictionary(c => c.Key,
            c => (IReadOnlyList<string>)[.. c.Value.Values.SelectMany(a => a).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            StringComparer.Ordinal);
    }

    private static List<(Control Control, List<string> Actions)> PreventiveControls(ControlCatalog catalog) =>
        [.. catalog.Controls.Where(c => c.Provider == "aws" && c.IsPreventive)
            .Select(c => (Control: c, Actions: Actions(c.Match).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList()))
            .Where(c => c.Actions.Count > 0)];

    /// <summary>
    /// The accounts, per control and action, where <paramref name="test"/> holds over the requests of every region: each
    /// account's paths built from <paramref name="before"/> and <paramref name="after"/>; paths that carry the same
    /// policies are decided once, for a principal of the first account (the guardrails' conditions name roles, not accounts).
    /// </summary>
    private static SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> Collect(AwsBaseline baseline, ControlPlacement placement,
        List<(Control Control, List<string> Actions)> controls, Dictionary<string, List<ScpPolicy>> before, Dictionary<string, List<ScpPolicy>> after,
        IReadOnlyList<string> regions, Func<IEnumerable<(ScpRequest Request, IReadOnlyList<ScpLevel> Before, IReadOnlyList<ScpLevel> After)>, bool> test)
    {
        var parents = BaselineTree.Parents(baseline);
        var noOus = new Dictionary<string, string?>(StringComparer.Ordinal);
        var found = new SortedDictionary<string, SortedDictionary<string, SortedSet<string>>>(StringComparer.Ordinal);
        var decided = new Dictionary<(string Path, string Action), bool>();
        var chains = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var enabledUnder = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var account in baseline.Accounts.Where(a => a.Id != baseline.ManagementAccount))
        {
            // What is on, and the path, depend on where the account sits: worked out once per parent.
            if (!enabledUnder.TryGetValue(account.ParentId, out var enabled))
            {
                enabledUnder[account.ParentId] = enabled = placement.Resolve("aws", account.Id, null, noOus).Enabled;
                chains[account.ParentId] = BaselineTree.PathTo(account.ParentId, parents);
            }
            var chain = chains[account.ParentId].Append(account.Id).ToList();
            var beforePath = chain.Select(t => new ScpLevel(t, before.GetValueOrDefault(t) ?? [ScpPolicy.FullAwsAccess])).ToList();
            var afterPath = chain.Select(t => new ScpLevel(t, after.GetValueOrDefault(t) ?? [ScpPolicy.FullAwsAccess])).ToList();
            // Paths that carry the same policies decide alike (a level with FullAWSAccess alone changes nothing): decided once.
            var signature = string.Join(';', chain.Where(t => before.ContainsKey(t) || after.ContainsKey(t))
                .Select(t => Signature(before.GetValueOrDefault(t)) + "/" + Signature(after.GetValueOrDefault(t))));
            foreach (var (control, actions) in controls.Where(c => enabled.ContainsKey(c.Control.Id)))
            {
                foreach (var action in actions)
                {
                    if (!decided.TryGetValue((signature, action), out var weakened))
                    {
                        weakened = decided[(signature, action)] = test(regions.Select(region => (
                            ScpRequest.Of(action, "*", ("aws:PrincipalArn", $"arn:aws:iam::{account.Id}:role/{Probe}"),
                                ("aws:PrincipalAccount", account.Id), ("aws:RequestedRegion", region)),
                            (IReadOnlyList<ScpLevel>)beforePath, (IReadOnlyList<ScpLevel>)afterPath)));
                    }
                    if (weakened)
                    {
                        if (!found.TryGetValue(control.Id, out var byAction))
                        {
                            found[control.Id] = byAction = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
                        }
                        if (!byAction.TryGetValue(action, out var accounts))
                        {
                            byAction[action] = accounts = new SortedSet<string>(StringComparer.Ordinal);
                        }
                        accounts.Add(account.Id);
                    }
                }
            }
        }
        return found;
    }

    /// <summary>The IAM actions a control's matcher names: each service with each operation, in every alternative.</summary>
    public static IEnumerable<string> Actions(ActivityMatcher matcher)
    {
        var services = Values(matcher, "service");
        var operations = Values(matcher, "operation");
        foreach (var service in services)
        {
            foreach (var operation in operations)
            {
                yield return $"{service}:{operation}";
            }
        }
        foreach (var alternative in matcher.Any)
        {
            foreach (var action in Actions(alternative))
            {
                yield return action;
            }
        }

        static IReadOnlyList<string> Values(ActivityMatcher matcher, string attribute) =>
            matcher.Conditions.FirstOrDefault(c => c.Source.Path is null && c.Source.Name == attribute)?.Test is ValueTest.OneOf oneOf ? oneOf.Allowed : [];
    }

    private static bool Denied(ScpRequest request, IReadOnlyList<ScpLevel> path) =>
        ScpEvaluator.Decide(request, path).Outcome is ScpOutcome.ExplicitDeny or ScpOutcome.ImplicitDeny;

    private static string Signature(List<ScpPolicy>? level) => level is null ? "" : string.Join(',', level.Select(p => p.Id));


    private static Dictionary<string, List<ScpPolicy>> BaselineLevels(AwsBaseline baseline)
    {
        var levels = new Dictionary<string, List<ScpPolicy>>(StringComparer.Ordinal);
        foreach (var policy in baseline.Policies)
        {
            foreach (var target in policy.Targets)
            {
                Level(levels, target).Add(policy.Compiled);
            }
        }
        return levels;
    }

    /// <summary>
    /// The policies on each target as observed: a baseline policy where the baseline attaches it unless seen
    /// detached, and wherever seen attached, with its observed document if one was seen (and still an SCP);
    /// any other observed policy where seen attached. A deleted policy is nowhere.
    /// </summary>
    private static Dictionary<string, List<ScpPolicy>> ObservedLevels(AwsBaseline baseline, ObservedOrganizationView observed)
    {
        var seen = observed.Policies.ToDictionary(p => p.PolicyId, StringComparer.Ordinal);
        var levels = new Dictionary<string, List<ScpPolicy>>(StringComparer.Ordinal);
        foreach (var policy in baseline.Policies)
        {
            var view = seen.GetValueOrDefault(policy.Id);
            if (view?.Deleted == true)
            {
                continue;
            }
            var compiled = view?.Content is { } content ? ScpParser.Parse(policy.Id, policy.Name, content).Policy ?? policy.Compiled : policy.Compiled;
            var targets = policy.Targets.Except(view?.DetachedFrom ?? [], StringComparer.Ordinal).Union(view?.Targets ?? [], StringComparer.Ordinal);
            foreach (var target in targets)
            {
                Level(levels, target).Add(compiled);
            }
        }
        var baselineIds = baseline.Policies.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var view in observed.Policies.Where(p => !p.Deleted && !baselineIds.Contains(p.PolicyId) && p.Content is not null
                     && p.Type is null or "SERVICE_CONTROL_POLICY"))
        {
            if (ScpParser.Parse(view.PolicyId, view.Name ?? view.PolicyId, view.Content!).Policy is { } compiled)
            {
                foreach (var target in view.Targets)
                {
                    Level(levels, target).Add(compiled);
                }
            }
        }
        return levels;
    }

    private static List<ScpPolicy> Level(Dictionary<string, List<ScpPolicy>> levels, string target)
    {
        if (!levels.TryGetValue(target, out var list))
        {
            // The deny-list strategy: FullAWSAccess at every level.
            levels[target] = list = [ScpPolicy.FullAwsAccess];
        }
        return list;
    }

    /// <summary>The regions the policies name in aws:RequestedRegion conditions, and us-east-1: a denial must hold in each.</summary>
    private static IReadOnlyList<string> Regions(IEnumerable<ScpPolicy> policies)
    {
        var regions = new SortedSet<string>(StringComparer.Ordinal) { "us-east-1" };
        foreach (var condition in policies.Distinct().SelectMany(p => p.Statements).SelectMany(s => s.Conditions)
                     .Where(c => string.Equals(c.Key, "aws:RequestedRegion", StringComparison.OrdinalIgnoreCase)))
        {
            foreach (var value in condition.Values)
            {
                regions.Add(value);
            }
        }
        return [.. regions];
    }
}
