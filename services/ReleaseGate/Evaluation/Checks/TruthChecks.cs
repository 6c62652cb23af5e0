using ControlTower.ReleaseGate.Evidence;
using ControlTower.ReleaseGate.Policies;
using static ControlTower.ReleaseGate.Evaluation.Checks.CheckResult;
using static ControlTower.ReleaseGate.Evaluation.Checks.Words;

namespace ControlTower.ReleaseGate.Evaluation.Checks;

/// <summary><c>truth.deployment</c>: the newest fresh observation of every replica matches the claim.</summary>
public static class TruthChecks
{
    public static CheckResult Deployment(DeploymentTruthRule rule, CheckContext context)
    {
        var claim = context.Release;
        var digests = claim.ArtifactDigests.Select(d => d.ToLowerInvariant()).Order(StringComparer.Ordinal).ToList();
        var expected = Facts(("minReplicas", Number(rule.MinReplicas)), ("maxAge", Words.Duration(rule.MaxAge)));
        if (rule.CheckVersion) { expected["version"] = claim.Version; }
        if (rule.CheckCommit) { expected["commit"] = claim.Commit; }
        if (rule.CheckDigest) { expected["imageDigest"] = digests.Count > 0 ? List(digests) : "(none claimed)"; }

        if (rule.CheckDigest && digests.Count == 0)
        {
            return new CheckResult(NoData(rule), "ClaimHasNoDigest", "the release claims no image digest, so the running digest cannot be checked", Facts(), expected, []);
        }
        var fresh = context.Truth.Where(o => context.Age(o.CollectedAt) <= rule.MaxAge).ToList();
        if (fresh.Count == 0)
        {
            return context.Truth.Count == 0
                ? new CheckResult(NoData(rule), "NoTruthObservation", "nothing has reported what is running", Facts(), expected, [])
                : new CheckResult(NoData(rule), "EvidenceStale",
                    Invariant($"the newest observation of what is running is {Words.Duration(context.Age(context.Truth[0].CollectedAt))} old; the limit is {Words.Duration(rule.MaxAge)}"),
                    Facts(("age", Words.Duration(context.Age(context.Truth[0].CollectedAt)))), expected, [context.Truth[0].Id]);
        }

        // Newest observation per replica (the list is newest first).
        var replicas = fresh.GroupBy(o => o.Replica, StringComparer.Ordinal).Select(g => g.First()).OrderBy(o => o.Replica, StringComparer.Ordinal).ToList();
        var observed = Facts(("replicas", Number(replicas.Count)));
        var mismatches = new List<string>();
        var errors = new List<string>();
        var healthy = 0;
        foreach (var replica in replicas)
        {
            if (replica.Error is { } error)
            {
                errors.Add(replica.Replica);
                observed["replica." + replica.Replica] = "not observed: " + error;
                continue;
            }
            var wrong = new List<string>();
            if (rule.CheckVersion && !string.Equals(replica.Version, claim.Version, StringComparison.Ordinal))
            {
                wrong.Add($"version {replica.Version ?? "(not reported)"}");
            }
            if (rule.CheckCommit && !context.IsReleaseCommit(replica.Commit))
            {
                wrong.Add($"commit {replica.Commit ?? "(not reported)"}");
            }
            if (rule.CheckDigest && (replica.ImageDigest is null || digests.BinarySearch(replica.ImageDigest.ToLowerInvariant(), StringComparer.Ordinal) < 0))
            {
                wrong.Add($"image {replica.ImageDigest ?? "(not reported)"}");
            }
            if (wrong.Count > 0)
            {
                mismatches.Add($"{replica.Replica} runs {List(wrong)}");
                observed["replica." + replica.Replica] = List(wrong);
            }
            else
            {
                healthy++;
                observed["replica." + replica.Replica] = "matches";
            }
        }
        IReadOnlyList<string> ids = [.. replicas.Select(r => r.Id).Order(StringComparer.Ordinal)];
        if (mismatches.Count > 0)
        {
            return new CheckResult(GateOutcome.Fail, "TruthMismatch", $"not running what the release claims: {string.Join("; ", mismatches)}", observed, expected, ids);
        }
        if (errors.Count > 0)
        {
            return new CheckResult(GateOutcome.Error, "TruthUnobservable", $"could not observe replica(s) {List(errors)}", observed, expected, ids);
        }
        if (healthy < rule.MinReplicas)
        {
            return new CheckResult(GateOutcome.Fail, "ReplicasBelowMinimum",
                Invariant($"{healthy} replica(s) run the release; at least {rule.MinReplicas} must"), observed, expected, ids);
        }
        return new CheckResult(GateOutcome.Pass, "TruthMatches",
            Invariant($"all {healthy} replica(s) run version {claim.Version}, commit {Short(claim.Commit)}{(rule.CheckDigest ? " and a claimed image digest" : "")}"),
            observed, expected, ids);
    }
}
