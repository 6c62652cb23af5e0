using ControlTower.Governance.Baseline;

namespace ControlTower.Governance.Scp;

/// <summary>A denial a policy made that its new document no longer makes, with the accounts that lose it.</summary>
public sealed record WeakenedDenial(string Action, string Resource, string? StatementSid, IReadOnlyList<string> Accounts);

/// <summary>
/// What an SCP change means rather than that its bytes changed: every denial the baseline's document makes
/// itself (each Deny statement's actions and resources, a wildcard standing for an action or resource it covers)
/// is asked again of the new document, for a principal of each account the policy governs. A denial the new
/// document no longer makes weakens the guardrail, however the document was rewritten.
/// </summary>
public static class ScpSemantics
{
    /// <summary>Stands in for the name a wildcard would match: specific enough that only a pattern covers it.</summary>
    private const string Probe = "ControlTowerProbe";

    public static IReadOnlyList<WeakenedDenial> Weakened(ScpPolicy baseline, ScpPolicy observed, IReadOnlyList<string> accounts)
    {
        var weakened = new List<WeakenedDenial>();
        foreach (var statement in baseline.Statements.Where(s => s.Effect == ScpEffect.Deny && !s.NotAction))
        {
            // "*" stays itself: any resource, which only a new "*" (or NotResource) still covers.
            var resources = statement.NotResource ? ["*"] : statement.Resources.Select(r => r.Pattern == "*" ? "*" : Representative(r.Pattern)).ToArray();
            foreach (var action in statement.Actions.Select(a => Representative(a.Pattern)))
            {
                foreach (var resource in resources)
                {
                    var lost = accounts.Where(account =>
                    {
                        var request = Request(action, resource, account);
                        return Denies(baseline, request) && !Denies(observed, request);
                    }).ToList();
                    if (lost.Count > 0)
                    {
                        weakened.Add(new WeakenedDenial(action, resource, statement.Sid, lost));
                    }
                }
            }
        }
        return weakened;
    }

    /// <summary>The member accounts (not the management account) at or below any of <paramref name="targets"/> in the baseline's tree.</summary>
    public static IReadOnlyList<string> AccountsUnder(AwsBaseline baseline, IReadOnlyCollection<string> targets)
    {
        var parents = BaselineTree.Parents(baseline);
        return [.. baseline.Accounts.Where(a => a.Id != baseline.ManagementAccount && BaselineTree.PathTo(a, parents).Any(targets.Contains)).Select(a => a.Id)];
    }

    /// <summary>The policy on its own denies the request explicitly.</summary>
    private static bool Denies(ScpPolicy policy, ScpRequest request) =>
        ScpEvaluator.Decide(request, [new ScpLevel("policy", [policy])]).Outcome == ScpOutcome.ExplicitDeny;

    /// <summary>A request from an ordinary role of the account (not one the guardrails exempt).</summary>
    private static ScpRequest Request(string action, string resource, string account) =>
        ScpRequest.Of(action, resource, ("aws:PrincipalArn", $"arn:aws:iam::{account}:role/{Probe}"), ("aws:PrincipalAccount", account));

    private static string Representative(string pattern) => pattern.Replace("*", Probe, StringComparison.Ordinal).Replace('?', 'x');
}
