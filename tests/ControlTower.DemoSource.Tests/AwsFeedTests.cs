using ControlTower.Contracts.Activity;
using ControlTower.Governance.Controls;
using ControlTower.Governance.Drift;

namespace ControlTower.DemoSource.Tests;

/// <summary>
/// The AWS feeds through the real pieces: Collector.Aws's normaliser takes every record, and what the
/// Organization feed sends opens drift against the development baseline through Governance's own interpreter and
/// drift evaluator, then closes it, or breaks a guardrail enabled where Governance's placement says.
/// </summary>
public sealed class AwsFeedTests
{
    private static readonly DateTimeOffset Start = RealConsumers.Received;
    private static readonly IReadOnlyDictionary<string, string?> NoObservedOus = new Dictionary<string, string?>();

    private static IncidentFeedOptions Incidents() => new DemoSourceOptions().Organization;

    [Fact]
    public void EveryTrickleRecordIsAcceptedAndBelongsToABaselineAccount()
    {
        var generator = new CloudTrailGenerator(new Random(1));
        var records = Enumerable.Range(0, 200).SelectMany(i => generator.NextFile(Start.AddSeconds(3 * i), 6)).ToList();

        var activities = RealConsumers.CloudTrail(records);

        Assert.Equal(records.Count, activities.Count);
        Assert.All(activities, a => Assert.Contains(a.Account, DemoLandscape.Accounts));
        Assert.Equal(activities.Count, activities.Select(a => a.EventId).Distinct().Count());
        Assert.Contains(activities, a => a.Outcome == ActivityOutcome.Failure);
    }

    [Fact]
    public void TheSameSeedAndTimesMakeTheSameRecords()
    {
        static string Run(int seed)
        {
            var generator = new OrganizationGenerator(new Random(seed), Incidents());
            var events = Enumerable.Range(0, 60).SelectMany(i => generator.Next(Start.AddSeconds(30 * i))).ToList();
            return System.Text.Json.JsonSerializer.Serialize(events.Select(e => e.Record));
        }

        Assert.Equal(Run(5), Run(5));
        Assert.NotEqual(Run(5), Run(6));
    }

    [Theory]
    [InlineData("move-payments-dev", "ACCOUNT_MOVED_BETWEEN_OUS", DemoLandscape.PaymentsDevAccount)]
    [InlineData("move-payments-prod", "ACCOUNT_MOVED_BETWEEN_OUS", DemoLandscape.PaymentsProdAccount)]
    [InlineData("attach-regionlock-infrastructure", "SCP_ATTACHED_TO_OU", "p-regionlock@ou-ab12-inf00001")]
    [InlineData("detach-protect-logging-log-archive", "SCP_DETACHED_FROM_ACCOUNT", "p-guardrail02@222233334444")]
    [InlineData("detach-regionlock-sandbox", "SCP_DETACHED_FROM_OU", "p-regionlock@ou-ab12-sbx00001")]
    public void EachDriftIncidentOpensDriftAgainstTheDevelopmentBaselineAndItsRestoreClosesIt(string id, string type, string subject)
    {
        var generator = new OrganizationGenerator(new Random(3), Incidents());
        var incident = OrganizationGenerator.Incidents.Single(i => i.Id == id);
        var estate = new ObservedEstate();

        estate.Apply(RealConsumers.CloudTrail([incident.Break(generator, Start).Record]));
        var opened = DriftEvaluator.Evaluate(RealConsumers.DevelopmentBaseline, estate.Aws, estate.Azure);
        estate.Apply(RealConsumers.CloudTrail([incident.Restore!(generator, Start.AddMinutes(5)).Record]));
        var afterRestore = DriftEvaluator.Evaluate(RealConsumers.DevelopmentBaseline, estate.Aws, estate.Azure);

        Assert.Contains(opened, f => f.Type == type && f.Subject == subject);
        Assert.Empty(afterRestore);
    }

    [Theory]
    [InlineData("stop-logging-audit", DemoLandscape.AuditAccount, "AWS-GR_DETECT_CLOUDTRAIL_ENABLED_ON_SHARED_ACCOUNTS")]
    [InlineData("delete-trail-shared-services", DemoLandscape.SharedServicesAccount, "GOV.CLOUDTRAIL.1")]
    [InlineData("root-sign-in-audit", DemoLandscape.AuditAccount, "AWS-GR_ROOT_ACCOUNT_MFA_ENABLED")]
    public void EachGuardrailIncidentBreaksAControlEnabledWhereItsAccountSits(string id, string account, string control)
    {
        var generator = new OrganizationGenerator(new Random(3), Incidents());
        var incident = OrganizationGenerator.Incidents.Single(i => i.Id == id);
        var placement = new ControlPlacement(RealConsumers.DevelopmentBaseline, ControlCatalog.Default);

        var activity = Assert.Single(RealConsumers.CloudTrail([incident.Break(generator, Start).Record]));
        var hits = GuardrailEvaluator.Evaluate(activity, ControlCatalog.Default, placement.Resolve("aws", activity.Account, null, NoObservedOus));

        Assert.Equal(account, activity.Account);
        Assert.Contains(hits, h => h.Control.Id == control && !h.Blocked);
    }

    [Fact]
    public void OverFourHoursDriftOfEveryKindOpensAndEachClosesWithinItsRestoreTime()
    {
        var options = Incidents();
        var generator = new OrganizationGenerator(new Random(11), options);
        var estate = new ObservedEstate();
        var longest = options.RestoreAfter * 1.25 + options.Interval;
        var open = new Dictionary<string, DateTimeOffset>();
        var kinds = new HashSet<string>();
        var guardrailBreaks = 0;
        var end = Start.AddHours(4);
        for (var now = Start; now <= end; now += options.Interval)
        {
            var events = generator.Next(now);
            guardrailBreaks += events.Count(e => e.Description.StartsWith("guardrail:", StringComparison.Ordinal));
            estate.Apply(RealConsumers.CloudTrail(events.Select(e => e.Record)));
            var findings = DriftEvaluator.Evaluate(RealConsumers.DevelopmentBaseline, estate.Aws, estate.Azure)
                .Select(f => $"{f.Type} {f.Subject}").ToHashSet();
            foreach (var finding in findings.Where(f => !open.ContainsKey(f)))
            {
                open[finding] = now;
                kinds.Add(finding.Split(' ')[0]);
            }
            foreach (var closed in open.Keys.Where(f => !findings.Contains(f)).ToList())
            {
                Assert.True(now - open[closed] <= longest, $"{closed} stayed open {now - open[closed]}");
                open.Remove(closed);
            }
        }

        Assert.Equal(["ACCOUNT_MOVED_BETWEEN_OUS", "SCP_ATTACHED_TO_OU", "SCP_DETACHED_FROM_ACCOUNT", "SCP_DETACHED_FROM_OU"], kinds.Order());
        Assert.All(open, o => Assert.True(end - o.Value <= longest, $"{o.Key} stayed open since {o.Value}"));
        Assert.InRange(guardrailBreaks, 1, 40);
    }
}
