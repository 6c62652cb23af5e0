using ControlTower.ReleaseGate.Evaluation;
using ControlTower.ReleaseGate.Evidence;
using ControlTower.ReleaseGate.Policies;
using ControlTower.Testing;

namespace ControlTower.DemoSource.Tests;

/// <summary>
/// The release feed's plans judged by ReleaseGate's pure core with the shipped policies (deploy/release-gates),
/// with the evidence the service would hold after the feed posted it: some pass, some are blocked, each for the
/// reason its scenario is meant to show.
/// </summary>
public sealed class ReleaseFeedTests
{
    // A Tuesday morning with no freeze window closed; and the Sunday of the US peak, in the weekend freeze.
    private static readonly DateTimeOffset OpenTuesday = new(2026, 12, 8, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset FrozenSunday = new(2026, 11, 29, 1, 0, 0, TimeSpan.Zero);

    private static readonly GatePolicies Policies = GatePolicies.Load(Path.Combine(Repository.Root, "deploy", "release-gates"));

    private static GateVerdict Judge(ReleasePlan plan, DateTimeOffset postedAt, DateTimeOffset evaluatedAt)
    {
        var policy = Policies.For(plan.Service, plan.Environment);
        Assert.NotNull(policy);
        var run = SmokeReportParser.Parse(SmokeReportParser.FormatNamed(plan.Smoke.Format)!.Value, plan.Smoke.Bytes);
        Assert.True(run.Succeeded, run.Error?.ToString());
        var id = 0;
        string Next() => $"e{++id}";
        var items = new List<EvidenceItem>
        {
            new SmokeRunEvidence
            {
                Id = Next(), Service = plan.Service, Environment = plan.Environment, CollectedAt = postedAt, Commit = plan.Commit, Version = plan.Version, Run = run.Run!,
            },
        };
        items.AddRange(plan.Replicas.Select(r => new TruthObservation
        {
            Id = Next(), Service = plan.Service, Environment = plan.Environment, CollectedAt = postedAt,
            Replica = r.Replica, Version = r.Version, Commit = r.Commit, ImageDigest = r.ImageDigest,
        }));
        items.AddRange(plan.Approvers.Select(a => new ApprovalEvidence
        {
            Id = Next(), Service = plan.Service, Environment = plan.Environment, CollectedAt = postedAt, Approver = a, Commit = plan.Commit, Approved = true,
        }));
        items.AddRange(plan.Metrics.Select(m => new MetricSample
        {
            Id = Next(), Service = plan.Service, Environment = plan.Environment, CollectedAt = postedAt, Metric = m.Metric, Value = m.Value,
        }));
        // What the service snapshots from Governance at evaluation: here, nothing open in any target.
        items.AddRange(plan.Targets.Select(t => new FindingsSnapshot
        {
            Id = Next(), Service = plan.Service, Environment = plan.Environment, CollectedAt = evaluatedAt, Scope = t, Findings = [],
        }));
        var claim = new ReleaseClaim
        {
            Service = plan.Service, Environment = plan.Environment, Version = plan.Version, Commit = plan.Commit,
            ArtifactDigests = plan.ArtifactDigests, RequestedBy = "pipeline", Targets = plan.Targets, PipelineRun = plan.PipelineRun,
        };
        return GateEvaluator.Evaluate(policy.Snapshot, new EvidenceSnapshot(items), claim, evaluatedAt);
    }

    private static List<ReleasePlan> Plans(int seed, int count, DateTimeOffset from)
    {
        var planner = new ReleasePlanner(new Random(seed));
        return [.. Enumerable.Range(0, count).Select(i => planner.Next(from.AddMinutes(3 * i)))];
    }

    [Fact]
    public void OnAnOpenWeekdaySomeReleasesPassAndTheOthersAreBlockedForTheirScenariosReason()
    {
        var plans = Plans(21, 40, OpenTuesday);

        var verdicts = plans.Select(p => (Plan: p, Verdict: Judge(p, OpenTuesday, OpenTuesday.AddMinutes(1)))).ToList();

        Assert.All(verdicts, v =>
        {
            var failing = v.Verdict.Rules.Where(r => r.Counted is GateOutcome.Fail).Select(r => r.RuleId).Order().ToList();
            switch (v.Plan.Scenario)
            {
                case ReleaseScenario.Healthy or ReleaseScenario.OwnGate:
                    Assert.Equal(GitHubGateState.Approved, v.Verdict.GitHub);
                    break;
                case ReleaseScenario.FailingSmoke:
                    Assert.Equal(GateDecision.Fail, v.Verdict.Decision);
                    Assert.Equal(["smoke-pass-rate", "smoke-suites"], failing);
                    break;
                case ReleaseScenario.MissingTruth:
                    Assert.Equal(GateDecision.Fail, v.Verdict.Decision);
                    Assert.Equal(["running-what-was-claimed"], failing);
                    break;
            }
        });
        Assert.Equal(Enum.GetValues<ReleaseScenario>(), verdicts.Select(v => v.Plan.Scenario).Distinct().Order());
        Assert.Contains(verdicts, v => v.Verdict.Decision == GateDecision.Pass && v.Plan.Service != ReleasePlanner.OwnService);
    }

    [Fact]
    public void InTheWeekendFreezeOnlyControlTowersOwnReleasesGoThroughWithAWarning()
    {
        var plans = Plans(22, 30, FrozenSunday);

        var verdicts = plans.Select(p => (Plan: p, Verdict: Judge(p, FrozenSunday, FrozenSunday.AddMinutes(1)))).ToList();

        Assert.All(verdicts.Where(v => v.Plan.Scenario == ReleaseScenario.OwnGate), v => Assert.Equal(GateDecision.Warn, v.Verdict.Decision));
        Assert.All(verdicts.Where(v => v.Plan.Scenario != ReleaseScenario.OwnGate), v =>
        {
            Assert.Equal(GitHubGateState.Rejected, v.Verdict.GitHub);
            Assert.Contains(v.Verdict.Rules, r => r.RuleId == "freeze" && r.Outcome == GateOutcome.Fail);
        });
    }

    [Fact]
    public void EachSmokeReportParsesToTheSuitesTheGatesRequireWithItsPlannedFailures()
    {
        var plans = Plans(23, 30, OpenTuesday);

        Assert.Contains(plans, p => p.Smoke.Format == "junit");
        Assert.Contains(plans, p => p.Smoke.Format == "ctrf");
        Assert.All(plans, p =>
        {
            var run = SmokeReportParser.Parse(SmokeReportParser.FormatNamed(p.Smoke.Format)!.Value, p.Smoke.Bytes).Run;
            Assert.NotNull(run);
            Assert.Equal(["api-smoke", "ingestion-roundtrip"], run.Suites.Select(s => s.Name).Order());
            Assert.Equal(p.Smoke.Cases, run.Suites.Sum(s => s.Counts.Total));
            Assert.Equal(p.Scenario == ReleaseScenario.FailingSmoke ? 2 : 0, run.Suites.Sum(s => s.Counts.Failed));
        });
    }

    [Fact]
    public void ReleasesLandInBaselineAccountsAndSubscriptionsAndVersionsDifferFromMinuteToMinute()
    {
        var plans = Plans(24, 30, OpenTuesday);

        Assert.All(plans.SelectMany(p => p.Targets), t => Assert.True(DemoLandscape.Accounts.Contains(t) || DemoLandscape.Subscriptions.Contains(t), t));
        Assert.Equal(plans.Count, plans.Select(p => (p.Service, p.Environment, p.Version)).Distinct().Count());
    }
}
