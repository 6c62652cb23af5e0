using ControlTower.ReleaseGate.Evaluation;
using ControlTower.ReleaseGate.Evidence;
using ControlTower.ReleaseGate.Policies;
using static ControlTower.ReleaseGate.Tests.Gates.Gate;

namespace ControlTower.ReleaseGate.Tests.Gates;

/// <summary>
/// Every rule kind against every outcome it can give, one blocking rule at a time, so the rule's own outcome is
/// also the verdict. Each row names the case; the table below holds the policy, the evidence and the answer.
/// </summary>
public sealed class RuleKindTests
{
    public sealed record Case(string Rule, EvidenceItem[] Evidence, GateOutcome Outcome, string Reason, ReleaseClaim? Release = null);

    private const string PassRate = "  - { id: r, kind: smoke.passRate, minPassRate: 0.95, maxAge: 2h }";
    private const string PassRateNoDataFail = "  - { id: r, kind: smoke.passRate, minPassRate: 0.95, maxAge: 2h, noData: fail }";
    private const string Suites = "  - { id: r, kind: smoke.requiredSuites, suites: [api-smoke, ingestion], maxAge: 2h }";
    private const string Truth = "  - { id: r, kind: truth.deployment, minReplicas: 2, maxAge: 30m }";
    private const string Findings = "  - { id: r, kind: findings.maxSeverity, maxSeverity: medium, maxAge: 1h }";
    private const string Approvals = "  - { id: r, kind: approval.required, count: 2 }";
    private const string Metric = "  - { id: r, kind: metric.threshold, metric: http.error_rate, operator: '<=', value: 0.01, maxAge: 15m }";

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // smoke.passRate
        ["pass rate: no run at all"] = new(PassRate, [], GateOutcome.Inconclusive, "NoSmokeRun"),
        ["pass rate: no run, noData fail"] = new(PassRateNoDataFail, [], GateOutcome.Fail, "NoSmokeRun"),
        ["pass rate: all passed"] = new(PassRate, [Smoke("s1", passed: 20)], GateOutcome.Pass, "PassRateMet"),
        ["pass rate: exactly the minimum"] = new(PassRate, [Smoke("s1", passed: 19, failed: 1)], GateOutcome.Pass, "PassRateMet"),
        ["pass rate: below the minimum"] = new(PassRate, [Smoke("s1", passed: 18, failed: 1, errored: 1)], GateOutcome.Fail, "PassRateBelowMinimum"),
        ["pass rate: skipped cases do not count"] = new(PassRate, [Smoke("s1", passed: 19, failed: 1, skipped: 30)], GateOutcome.Pass, "PassRateMet"),
        ["pass rate: every case skipped"] = new(PassRate, [Smoke("s1", passed: 0, skipped: 5)], GateOutcome.Inconclusive, "NoTestsRan"),
        ["pass rate: stale run"] = new(PassRate, [Smoke("s1", passed: 20, age: TimeSpan.FromHours(3))], GateOutcome.Inconclusive, "EvidenceStale"),
        ["pass rate: exactly max age is fresh"] = new(PassRate, [Smoke("s1", passed: 20, age: TimeSpan.FromHours(2))], GateOutcome.Pass, "PassRateMet"),
        ["pass rate: run for another commit"] = new(PassRate, [Smoke("s1", passed: 20, commit: OtherCommit)], GateOutcome.Inconclusive, "SmokeForDifferentRevision"),
        ["pass rate: run for another service"] = new(PassRate, [Smoke("s1", passed: 20, service: "payments")], GateOutcome.Inconclusive, "NoSmokeRun"),
        ["pass rate: run collected after the evaluation time"] = new(PassRate, [Smoke("s1", passed: 20, age: TimeSpan.FromMinutes(-5))], GateOutcome.Inconclusive, "NoSmokeRun"),
        ["pass rate: newer rerun of a suite replaces the failed run"] = new(PassRate,
            [Smoke("s1", passed: 10, failed: 10, age: TimeSpan.FromMinutes(50)), Smoke("s2", passed: 20, age: TimeSpan.FromMinutes(5))], GateOutcome.Pass, "PassRateMet"),
        ["pass rate: newer failed rerun replaces the passing run"] = new(PassRate,
            [Smoke("s1", passed: 20, age: TimeSpan.FromMinutes(50)), Smoke("s2", passed: 10, failed: 10, age: TimeSpan.FromMinutes(5))], GateOutcome.Fail, "PassRateBelowMinimum"),
        ["pass rate: suites add up"] = new(PassRate,
            [Smoke("s1", passed: 10, suite: "a"), Smoke("s2", passed: 8, failed: 2, suite: "b")], GateOutcome.Fail, "PassRateBelowMinimum"),

        // smoke.requiredSuites
        ["suites: both passed"] = new(Suites, [Smoke("s1", 5, suite: "api-smoke"), Smoke("s2", 3, suite: "ingestion")], GateOutcome.Pass, "RequiredSuitesPassed"),
        ["suites: one failed"] = new(Suites, [Smoke("s1", 5, suite: "api-smoke"), Smoke("s2", 2, failed: 1, suite: "ingestion")], GateOutcome.Fail, "RequiredSuiteFailed"),
        ["suites: one errored"] = new(Suites, [Smoke("s1", 5, suite: "api-smoke"), Smoke("s2", 2, errored: 1, suite: "ingestion")], GateOutcome.Fail, "RequiredSuiteFailed"),
        ["suites: one missing"] = new(Suites, [Smoke("s1", 5, suite: "api-smoke")], GateOutcome.Inconclusive, "RequiredSuiteMissing"),
        ["suites: one only for another commit"] = new(Suites,
            [Smoke("s1", 5, suite: "api-smoke"), Smoke("s2", 3, suite: "ingestion", commit: OtherCommit)], GateOutcome.Inconclusive, "RequiredSuiteMissing"),
        ["suites: one stale"] = new(Suites,
            [Smoke("s1", 5, suite: "api-smoke"), Smoke("s2", 3, suite: "ingestion", age: TimeSpan.FromHours(5))], GateOutcome.Inconclusive, "RequiredSuiteMissing"),
        ["suites: none"] = new(Suites, [], GateOutcome.Inconclusive, "RequiredSuiteMissing"),

        // truth.deployment
        ["truth: both replicas match"] = new(Truth, [Truth("t1", "pod-a"), Truth("t2", "pod-b")], GateOutcome.Pass, "TruthMatches"),
        ["truth: one replica runs another digest"] = new(Truth,
            [Truth("t1", "pod-a"), Truth("t2", "pod-b", digest: "sha256:2222222222222222222222222222222222222222222222222222222222222222")], GateOutcome.Fail, "TruthMismatch"),
        ["truth: one replica runs another commit"] = new(Truth, [Truth("t1", "pod-a"), Truth("t2", "pod-b", commit: OtherCommit)], GateOutcome.Fail, "TruthMismatch"),
        ["truth: one replica runs another version"] = new(Truth, [Truth("t1", "pod-a"), Truth("t2", "pod-b", version: "2.4.0")], GateOutcome.Fail, "TruthMismatch"),
        ["truth: digest compared without case"] = new(Truth, [Truth("t1", "pod-a"), Truth("t2", "pod-b", digest: Digest.ToUpperInvariant().Replace("SHA256", "sha256", StringComparison.Ordinal))], GateOutcome.Pass, "TruthMatches"),
        ["truth: one replica unreachable"] = new(Truth, [Truth("t1", "pod-a"), Truth("t2", "pod-b", error: "connection refused")], GateOutcome.Error, "TruthUnobservable"),
        ["truth: too few replicas"] = new(Truth, [Truth("t1", "pod-a")], GateOutcome.Fail, "ReplicasBelowMinimum"),
        ["truth: nothing observed"] = new(Truth, [], GateOutcome.Inconclusive, "NoTruthObservation"),
        ["truth: observations stale"] = new(Truth, [Truth("t1", "pod-a", age: TimeSpan.FromHours(1)), Truth("t2", "pod-b", age: TimeSpan.FromHours(1))], GateOutcome.Inconclusive, "EvidenceStale"),
        ["truth: newer observation of a replica replaces an old mismatch"] = new(Truth,
            [Truth("t1", "pod-a"), Truth("t0", "pod-b", version: "2.4.0", age: TimeSpan.FromMinutes(20)), Truth("t2", "pod-b", age: TimeSpan.FromMinutes(2))], GateOutcome.Pass, "TruthMatches"),
        ["truth: release claims no digest"] = new(Truth, [Truth("t1", "pod-a"), Truth("t2", "pod-b")], GateOutcome.Inconclusive, "ClaimHasNoDigest", Release(digests: [])),

        // findings.maxSeverity
        ["findings: none open"] = new(Findings, [Findings("f1")], GateOutcome.Pass, "NoFindingAboveSeverity"),
        ["findings: medium open is allowed"] = new(Findings,
            [Findings("f1", findings: new OpenFinding("F-1", "CONFIG_RECORDER", FindingSeverity.Medium, "eu-west-1"))], GateOutcome.Pass, "NoFindingAboveSeverity"),
        ["findings: high open"] = new(Findings,
            [Findings("f1", findings: new OpenFinding("F-2", "CLOUDTRAIL_STOPPED", FindingSeverity.High, "org-trail"))], GateOutcome.Fail, "OpenFindingAboveSeverity"),
        ["findings: newer snapshot without the high finding"] = new(Findings,
            [Findings("f1", age: TimeSpan.FromMinutes(30), findings: new OpenFinding("F-2", "CLOUDTRAIL_STOPPED", FindingSeverity.High, "org-trail")), Findings("f2", age: TimeSpan.FromMinutes(2))],
            GateOutcome.Pass, "NoFindingAboveSeverity"),
        ["findings: high open in another account does not count"] = new(Findings,
            [Findings("f1"), Findings("f2", scope: "999988887777", findings: new OpenFinding("F-3", "ROOT_KEY", FindingSeverity.Critical, "root"))], GateOutcome.Pass, "NoFindingAboveSeverity"),
        ["findings: no snapshot for the account"] = new(Findings, [Findings("f2", scope: "999988887777")], GateOutcome.Inconclusive, "FindingsUnknown"),
        ["findings: snapshot stale"] = new(Findings, [Findings("f1", age: TimeSpan.FromHours(2))], GateOutcome.Inconclusive, "FindingsUnknown"),
        ["findings: release names no target"] = new(Findings, [Findings("f1")], GateOutcome.Inconclusive, "NoTargets", Release(targets: [])),

        // approval.required
        ["approvals: two distinct approvers"] = new(Approvals, [Approval("a1", "alice"), Approval("a2", "bob")], GateOutcome.Pass, "ApprovalsMet"),
        ["approvals: approver is the requester"] = new(Approvals, [Approval("a1", "alice"), Approval("a2", Requester.ToUpperInvariant())], GateOutcome.Inconclusive, "ApprovalsMissing"),
        ["approvals: the same person twice"] = new(Approvals, [Approval("a1", "alice"), Approval("a2", "Alice", age: TimeSpan.FromMinutes(5))], GateOutcome.Inconclusive, "ApprovalsMissing"),
        ["approvals: one for another commit"] = new(Approvals, [Approval("a1", "alice"), Approval("a2", "bob", commit: OtherCommit)], GateOutcome.Inconclusive, "ApprovalsMissing"),
        ["approvals: a rejection"] = new(Approvals, [Approval("a1", "alice"), Approval("a2", "bob"), Approval("a3", "carol", approved: false)], GateOutcome.Fail, "ApprovalRejected"),
        ["approvals: approver changed their mind"] = new(Approvals,
            [Approval("a1", "alice"), Approval("a2", "bob", age: TimeSpan.FromMinutes(30)), Approval("a3", "bob", approved: false, age: TimeSpan.FromMinutes(5))], GateOutcome.Fail, "ApprovalRejected"),
        ["approvals: none"] = new(Approvals, [], GateOutcome.Inconclusive, "ApprovalsMissing"),

        // metric.threshold
        ["metric: under the threshold"] = new(Metric, [Metric("m1", "http.error_rate", 0.005m)], GateOutcome.Pass, "ThresholdMet"),
        ["metric: exactly the threshold"] = new(Metric, [Metric("m1", "http.error_rate", 0.0100m)], GateOutcome.Pass, "ThresholdMet"),
        ["metric: over the threshold"] = new(Metric, [Metric("m1", "http.error_rate", 0.0101m)], GateOutcome.Fail, "ThresholdBreached"),
        ["metric: newest sample counts"] = new(Metric,
            [Metric("m1", "http.error_rate", 0.5m, age: TimeSpan.FromMinutes(10)), Metric("m2", "http.error_rate", 0.001m, age: TimeSpan.FromMinutes(1))], GateOutcome.Pass, "ThresholdMet"),
        ["metric: sample without a value (NaN)"] = new(Metric, [Metric("m1", "http.error_rate", null)], GateOutcome.Inconclusive, "NoMetricValue"),
        ["metric: stale sample"] = new(Metric, [Metric("m1", "http.error_rate", 0.001m, age: TimeSpan.FromMinutes(20))], GateOutcome.Inconclusive, "EvidenceStale"),
        ["metric: only another metric"] = new(Metric, [Metric("m1", "http.latency_p99_ms", 120m)], GateOutcome.Inconclusive, "NoMetricSample"),
        ["metric: no sample, noData warn"] = new(Metric.Replace(" }", ", noData: warn }", StringComparison.Ordinal), [], GateOutcome.Warn, "NoMetricSample"),
        ["approvals: none, noData fail"] = new(Approvals.Replace(" }", ", noData: fail }", StringComparison.Ordinal), [], GateOutcome.Fail, "ApprovalsMissing"),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void EachRuleKindGivesTheOutcomeItsEvidenceCallsFor(string name)
    {
        var c = Cases[name];
        var verdict = GateEvaluator.Evaluate(Policy(c.Rule), new EvidenceSnapshot(c.Evidence), c.Release ?? Release(), Now);

        var rule = Only(verdict);
        Assert.Equal(c.Outcome, rule.Outcome);
        Assert.Equal(c.Reason, rule.ReasonCode);
        Assert.Equal(c.Outcome, verdict.RawOutcome);
        Assert.False(string.IsNullOrWhiteSpace(rule.Explanation));
        Assert.NotEmpty(rule.Expected);
    }

    [Fact]
    public void APassRateFailureSaysObservedAgainstExpectedInWordsAndData()
    {
        var verdict = Evaluate(Policy(PassRate), Smoke("s1", passed: 18, failed: 1, errored: 1, skipped: 2));

        var rule = Only(verdict);
        Assert.Equal("pass rate 0.9 (18 of 20 run passed, 1 failed, 1 errored, 2 skipped) is below the minimum 0.95", rule.Explanation);
        Assert.Equal("0.9", rule.Observed["passRate"]);
        Assert.Equal("0.95", rule.Expected["minPassRate"]);
        Assert.Equal(["s1"], rule.EvidenceIds);
    }

    [Fact]
    public void ATruthMismatchNamesTheReplicaAndWhatItRuns()
    {
        var verdict = Evaluate(Policy(Truth), Truth("t1", "pod-a"), Truth("t2", "pod-b", commit: OtherCommit));

        var rule = Only(verdict);
        Assert.Equal($"not running what the release claims: pod-b runs commit {OtherCommit}", rule.Explanation);
        Assert.Equal("matches", rule.Observed["replica.pod-a"]);
        Assert.Equal(Commit, rule.Expected["commit"]);
    }

    [Fact]
    public void SelfApprovalsAreCountedOutAndSaidSo()
    {
        var verdict = Evaluate(Policy(Approvals), Approval("a1", "alice"), Approval("a2", Requester));

        var rule = Only(verdict);
        Assert.Equal("1", rule.Observed["approvals"]);
        Assert.Equal("1", rule.Observed["ignoredSelfApprovals"]);
        Assert.Contains("approval(s) by the requester pipeline@ci do not count", rule.Explanation, StringComparison.Ordinal);
    }
}
