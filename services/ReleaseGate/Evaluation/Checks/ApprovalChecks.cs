using ControlTower.ReleaseGate.Policies;
using static ControlTower.ReleaseGate.Evaluation.Checks.CheckResult;
using static ControlTower.ReleaseGate.Evaluation.Checks.Words;

namespace ControlTower.ReleaseGate.Evaluation.Checks;

/// <summary><c>approval.required</c>: distinct approvers, never the requester, for the release's own commit; each person's newest word counts.</summary>
public static class ApprovalChecks
{
    public static CheckResult Required(ApprovalRule rule, CheckContext context)
    {
        var requester = context.Release.RequestedBy;
        var expected = Facts(("count", Number(rule.Count)), ("notBy", requester), ("commit", context.Release.Commit));
        var forCommit = context.Approvals.Where(a => context.IsReleaseCommit(a.Commit)).ToList();
        var self = forCommit.Where(a => string.Equals(a.Approver, requester, StringComparison.OrdinalIgnoreCase)).ToList();
        var newest = forCommit
            .Where(a => !string.Equals(a.Approver, requester, StringComparison.OrdinalIgnoreCase))
            .GroupBy(a => a.Approver.ToLowerInvariant(), StringComparer.Ordinal)
            .Select(g => g.First())
            .OrderBy(a => a.Approver, StringComparer.Ordinal)
            .ToList();
        var approvers = newest.Where(a => a.Approved).Select(a => a.Approver).ToList();
        var rejecters = newest.Where(a => !a.Approved).Select(a => a.Approver).ToList();
        var observed = Facts(("approvals", Number(approvers.Count)), ("approvers", List(approvers)));
        if (self.Count > 0)
        {
            observed["ignoredSelfApprovals"] = Number(self.Count);
        }
        if (rejecters.Count > 0)
        {
            observed["rejectedBy"] = List(rejecters);
        }
        IReadOnlyList<string> ids = [.. newest.Select(a => a.Id).Order(StringComparer.Ordinal)];
        if (rejecters.Count > 0)
        {
            return new CheckResult(GateOutcome.Fail, "ApprovalRejected", $"rejected by {List(rejecters)}", observed, expected, ids);
        }
        if (approvers.Count >= rule.Count)
        {
            return new CheckResult(GateOutcome.Pass, "ApprovalsMet",
                Invariant($"{approvers.Count} of {rule.Count} required approval(s), by {List(approvers)}"), observed, expected, ids);
        }
        var selfNote = self.Count > 0 ? Invariant($"; {self.Count} approval(s) by the requester {requester} do not count") : "";
        return new CheckResult(NoData(rule), "ApprovalsMissing",
            Invariant($"{approvers.Count} of {rule.Count} required approval(s){selfNote}"), observed, expected, ids);
    }
}
