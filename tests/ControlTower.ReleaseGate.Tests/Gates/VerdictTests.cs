using ControlTower.ReleaseGate.Evaluation;
using ControlTower.ReleaseGate.Evidence;
using static ControlTower.ReleaseGate.Tests.Gates.Gate;

namespace ControlTower.ReleaseGate.Tests.Gates;

/// <summary>How rule outcomes combine into a verdict: severities, worst wins, no blocking rule, dry runs, and waivers after the raw verdict.</summary>
public sealed class VerdictTests
{
    private const string PassingSmoke = "  - { id: smoke, kind: smoke.passRate, minPassRate: 0.9, maxAge: 2h }";
    private const string FailingMetric = "  - { id: errors, kind: metric.threshold, metric: err, operator: '<', value: 1, maxAge: 1h, severity: SEVERITY }";
    private const string MissingMetric = "  - { id: latency, kind: metric.threshold, metric: absent, operator: '<', value: 1, maxAge: 1h, severity: SEVERITY }";
    private const string ErroringTruth = "  - { id: truth, kind: truth.deployment, check: [version], maxAge: 1h, severity: SEVERITY }";

    private static EvidenceItem[] Evidence() =>
        [Smoke("s1", passed: 10), Metric("m1", "err", 5m), Truth("t1", "pod-a", error: "timeout")];

    private static string Rules(params string[] rules) => string.Join("\n", rules);

    private static string With(string rule, string severity) => rule.Replace("SEVERITY", severity, StringComparison.Ordinal);

    public static TheoryData<string, string, GateOutcome, GateDecision> Aggregations() => new()
    {
        { "no rules at all", "", GateOutcome.Inconclusive, GateDecision.Inconclusive },
        { "one passing blocking rule", Rules(PassingSmoke), GateOutcome.Pass, GateDecision.Pass },
        { "only a passing warning rule: nothing blocks, nothing vouches", Rules(PassingSmoke.Replace(" }", ", severity: warning }", StringComparison.Ordinal)), GateOutcome.Inconclusive, GateDecision.Inconclusive },
        { "only a passing dry-run rule", Rules(PassingSmoke.Replace(" }", ", severity: dryRun }", StringComparison.Ordinal)), GateOutcome.Inconclusive, GateDecision.Inconclusive },
        { "a failing warning rule gives Warn", Rules(PassingSmoke, With(FailingMetric, "warning")), GateOutcome.Warn, GateDecision.Warn },
        { "an inconclusive warning rule gives Warn", Rules(PassingSmoke, With(MissingMetric, "warning")), GateOutcome.Warn, GateDecision.Warn },
        { "an erroring warning rule gives Warn", Rules(PassingSmoke, With(ErroringTruth, "warning")), GateOutcome.Warn, GateDecision.Warn },
        { "a failing dry-run rule changes nothing", Rules(PassingSmoke, With(FailingMetric, "dryRun")), GateOutcome.Pass, GateDecision.Pass },
        { "a blocking inconclusive rule", Rules(PassingSmoke, With(MissingMetric, "blocking")), GateOutcome.Inconclusive, GateDecision.Inconclusive },
        { "a blocking erroring rule", Rules(PassingSmoke, With(ErroringTruth, "blocking")), GateOutcome.Error, GateDecision.Error },
        { "error beats inconclusive", Rules(With(MissingMetric, "blocking"), With(ErroringTruth, "blocking")), GateOutcome.Error, GateDecision.Error },
        { "fail beats error", Rules(With(ErroringTruth, "blocking"), With(FailingMetric, "blocking")), GateOutcome.Fail, GateDecision.Fail },
        { "inconclusive beats warn", Rules(With(FailingMetric, "warning"), With(MissingMetric, "blocking")), GateOutcome.Inconclusive, GateDecision.Inconclusive },
    };

    [Theory]
    [MemberData(nameof(Aggregations))]
    public void TheWorstCountedOutcomeWins(string name, string rules, GateOutcome raw, GateDecision decision)
    {
        var verdict = Evaluate(Policy(rules), Evidence());

        Assert.True(raw == verdict.RawOutcome, $"{name}: raw {verdict.RawOutcome}, expected {raw}");
        Assert.Equal(decision, verdict.Decision);
    }

    [Fact]
    public void DryRunRulesAreReportedButNotCounted()
    {
        var verdict = Evaluate(Policy(Rules(PassingSmoke, With(FailingMetric, "dryRun"))), Evidence());

        var dryRun = verdict.Rules.Single(r => r.RuleId == "errors");
        Assert.Equal(GateOutcome.Fail, dryRun.Outcome);
        Assert.Null(dryRun.Counted);
        Assert.Equal((1, 1), verdict.DryRun);
        Assert.Contains("dry run: 1 of 1 would not pass", verdict.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void AWarningRuleKeepsItsOwnOutcomeButCountsAsWarn()
    {
        var verdict = Evaluate(Policy(Rules(PassingSmoke, With(FailingMetric, "warning"))), Evidence());

        var rule = verdict.Rules.Single(r => r.RuleId == "errors");
        Assert.Equal(GateOutcome.Fail, rule.Outcome);
        Assert.Equal(GateOutcome.Warn, rule.Counted);
    }

    public static TheoryData<GateDecision, GitHubGateState, string> GitHubMappings() => new()
    {
        { GateDecision.Pass, GitHubGateState.Approved, "success" },
        { GateDecision.PassWithWaiver, GitHubGateState.Approved, "success" },
        { GateDecision.Warn, GitHubGateState.Approved, "neutral" },
        { GateDecision.Inconclusive, GitHubGateState.ActionRequired, "action_required" },
        { GateDecision.Error, GitHubGateState.ActionRequired, "action_required" },
        { GateDecision.Fail, GitHubGateState.Rejected, "failure" },
    };

    [Theory]
    [MemberData(nameof(GitHubMappings))]
    public void DecisionsMapToWhatAGitHubProtectionRuleDoes(GateDecision decision, GitHubGateState state, string conclusion)
    {
        var verdict = Evaluate(Policy(PassingSmoke), Smoke("s1", 10)) with { Decision = decision };

        Assert.Equal(state, verdict.GitHub);
        Assert.Equal(conclusion, verdict.CheckConclusion);
    }

    // Waivers

    private const string Failing = "  - { id: errors, kind: metric.threshold, metric: err, operator: '<', value: 1, maxAge: 1h }";
    private const string AlsoFailing = "  - { id: approvals, kind: approval.required, count: 1, noData: fail }";

    public static TheoryData<string, string, GateDecision, string> WaiverCases() => new()
    {
        { "valid waiver for the rule", "valid", GateDecision.PassWithWaiver, "Applied" },
        { "waiver for the rule's kind", "kind", GateDecision.PassWithWaiver, "Applied" },
        { "waiver for every service", "any-service", GateDecision.PassWithWaiver, "Applied" },
        { "expired a second before", "expired", GateDecision.Fail, "Expired" },
        { "expires exactly now", "expires-now", GateDecision.Fail, "Expired" },
        { "approver is the requester", "self", GateDecision.Fail, "SelfApproved" },
        { "no reason", "no-reason", GateDecision.Fail, "NoReason" },
        { "neither rule nor kind", "no-scope", GateDecision.Fail, "NoScope" },
        { "another rule that passed", "other-rule", GateDecision.Fail, "NothingToWaive" },
    };

    private static Waiver WaiverFor(string shape) => shape switch
    {
        "valid" => Waiver("w1", ruleId: "errors"),
        "kind" => Waiver("w1", ruleKind: "metric.threshold"),
        "any-service" => Waiver("w1", ruleId: "errors", service: "*"),
        "expired" => Waiver("w1", ruleId: "errors", expiresAt: Now.AddSeconds(-1)),
        "expires-now" => Waiver("w1", ruleId: "errors", expiresAt: Now),
        "self" => Waiver("w1", ruleId: "errors", approvedBy: Requester),
        "no-reason" => Waiver("w1", ruleId: "errors", reason: " "),
        "no-scope" => Waiver("w1"),
        "other-rule" => Waiver("w1", ruleId: "smoke"),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    [Theory]
    [MemberData(nameof(WaiverCases))]
    public void WaiversApplyAfterTheRawVerdictOnlyWhenValid(string name, string shape, GateDecision decision, string status)
    {
        var verdict = Evaluate(Policy(Rules(PassingSmoke, Failing)), Smoke("s1", 10), Metric("m1", "err", 5m), WaiverFor(shape));

        Assert.Equal(GateOutcome.Fail, verdict.RawOutcome);
        Assert.True(decision == verdict.Decision, $"{name}: {verdict.Decision}");
        Assert.Equal(status, Assert.Single(verdict.Waivers).Status);
        Assert.Equal(decision == GateDecision.PassWithWaiver ? "w1" : null, verdict.Rules.Single(r => r.RuleId == "errors").WaivedBy);
    }

    [Fact]
    public void AWaiverForOneOfTwoFailingRulesLeavesTheVerdictFailed()
    {
        var verdict = Evaluate(Policy(Rules(Failing, AlsoFailing)), Metric("m1", "err", 5m), Waiver("w1", ruleId: "errors"));

        Assert.Equal(GateDecision.Fail, verdict.Decision);
        Assert.Equal(["errors"], Assert.Single(verdict.Waivers).RuleIds);
        Assert.Equal(GitHubGateState.Rejected, verdict.GitHub);
    }

    [Fact]
    public void AWaiverForAnotherServiceIsNotEvenConsidered()
    {
        var verdict = Evaluate(Policy(Failing), Metric("m1", "err", 5m), Waiver("w1", ruleId: "errors", service: "payments"));

        Assert.Equal(GateDecision.Fail, verdict.Decision);
        Assert.Empty(verdict.Waivers);
    }

    [Fact]
    public void AWaiverGrantedAfterTheEvaluationTimeDoesNotApply()
    {
        var verdict = Evaluate(Policy(Failing), Metric("m1", "err", 5m), Waiver("w1", ruleId: "errors", age: TimeSpan.FromMinutes(-1)));

        Assert.Equal(GateDecision.Fail, verdict.Decision);
    }

    [Fact]
    public void AWaiverCannotMakeAPolicyWithoutBlockingRulesPass()
    {
        var verdict = Evaluate(Policy(Failing.Replace(" }", ", severity: warning }", StringComparison.Ordinal)), Metric("m1", "err", 5m), Waiver("w1", ruleId: "errors"));

        Assert.Equal(GateDecision.Inconclusive, verdict.Decision);
        Assert.Equal("w1", verdict.Rules.Single().WaivedBy);
    }

    [Fact]
    public void AWaivedInconclusiveRulePassesWithWaiver()
    {
        var verdict = Evaluate(Policy(Rules(PassingSmoke, AlsoFailing.Replace(", noData: fail", "", StringComparison.Ordinal))), Smoke("s1", 10), Waiver("w1", ruleId: "approvals"));

        Assert.Equal(GateOutcome.Inconclusive, verdict.RawOutcome);
        Assert.Equal(GateDecision.PassWithWaiver, verdict.Decision);
        Assert.Contains("inconclusive before waivers", verdict.Summary, StringComparison.Ordinal);
    }
}
