using ControlTower.Contracts.Activity;
using ControlTower.Contracts.Alerts;
using ControlTower.Governance.Drift;

namespace ControlTower.DemoSource.Tests;

/// <summary>
/// The Azure feeds through the real pieces: Collector.Azure's normalisers take every Activity Log record and
/// every alert; the subscription moves open and close drift through Governance's own interpreter and evaluator;
/// every alert that fires resolves, under the same id.
/// </summary>
public sealed class AzureFeedTests
{
    private static readonly DateTimeOffset Start = RealConsumers.Received;

    [Fact]
    public void EveryActivityLogRecordIsAcceptedAndBelongsToABaselineSubscription()
    {
        var options = new DemoSourceOptions().AzureActivity;
        var generator = new AzureActivityGenerator(new Random(2), options);
        var records = Enumerable.Range(0, 120).SelectMany(i => generator.Next(Start + (options.Interval * i))).Select(e => e.Record).ToList();

        var activities = RealConsumers.ActivityLog(records);

        Assert.Equal(records.Count, activities.Count);
        Assert.All(activities, a => Assert.Equal("azure", a.Provider));
        Assert.All(activities.Where(a => !AzureEventsConcern(a)), a => Assert.Contains(a.Account, DemoLandscape.Subscriptions));
        Assert.Contains(activities, a => a.Outcome == ActivityOutcome.Failure);
        Assert.Contains(activities, a => a.Outcome == ActivityOutcome.Success);
    }

    [Fact]
    public void TheSubscriptionMoveOpensDriftAgainstTheDevelopmentBaselineAndTheMoveBackClosesIt()
    {
        var options = new DemoSourceOptions().AzureActivity;
        var generator = new AzureActivityGenerator(new Random(4), options);
        var estate = new ObservedEstate();
        var openedAt = (DateTimeOffset?)null;
        var closedAt = (DateTimeOffset?)null;
        for (var now = Start; now <= Start + options.IncidentEvery && closedAt is null; now += options.Interval)
        {
            estate.Apply(RealConsumers.ActivityLog(generator.Next(now).Select(e => e.Record)));
            var drift = DriftEvaluator.Evaluate(RealConsumers.DevelopmentBaseline, estate.Aws, estate.Azure);
            if (drift.Any(f => f.Type == "SUBSCRIPTION_MOVED_BETWEEN_MANAGEMENT_GROUPS" && f.Subject == DemoLandscape.CorpPaymentsSubscription))
            {
                openedAt ??= now;
            }
            else if (openedAt is not null)
            {
                Assert.Empty(drift);
                closedAt = now;
            }
        }

        Assert.Equal(Start, openedAt);
        Assert.NotNull(closedAt);
        Assert.InRange(closedAt.Value - Start, options.RestoreAfter * 0.75, (options.RestoreAfter * 1.25) + options.Interval);
    }

    [Fact]
    public void EveryAlertIsAcceptedAndEachOneFiredResolvesUnderItsIdAfterSomeMinutes()
    {
        var options = new DemoSourceOptions().AzureAlerts;
        var generator = new AzureAlertGenerator(new Random(8), options);
        var alerts = new List<(DateTimeOffset At, MonitorAlert Alert)>();
        for (var now = Start; now <= Start.AddHours(2); now += options.Interval)
        {
            alerts.AddRange(generator.Next(now).Select(e => (now, RealConsumers.Alert(e.Record))));
        }

        var fired = alerts.Where(a => a.Alert.Condition == AlertCondition.Fired).ToList();
        var resolved = alerts.Where(a => a.Alert.Condition == AlertCondition.Resolved).ToDictionary(a => a.Alert.AlertId);
        Assert.InRange(fired.Count, 20, 40);
        Assert.All(alerts, a => Assert.Contains(a.Alert.Account, DemoLandscape.Subscriptions));
        Assert.All(fired.SkipLast(1), f =>
        {
            var resolution = resolved[f.Alert.AlertId];
            Assert.Equal(f.Alert.FiredAt, resolution.Alert.FiredAt);
            Assert.Equal(resolution.At, resolution.Alert.ResolvedAt);
            Assert.InRange(resolution.At - f.At, options.RestoreAfter * 0.75, (options.RestoreAfter * 1.25) + options.Interval);
        });
    }

    private static bool AzureEventsConcern(CloudActivity activity) => Governance.Observed.AzureEvents.Concerns(activity);
}
