using ControlTower.Contracts.Activity;
using ControlTower.Contracts.Alerts;
using ControlTower.Contracts.Releases;
using ControlTower.Operations.Data;
using ControlTower.Operations.Incidents;
using ControlTower.Operations.Signals;

namespace ControlTower.Operations.Tests;

/// <summary>How messages read as observations, how kinds behave, how incidents are keyed; pure.</summary>
public sealed class SignalSourceMappingTests
{
    private static ReleaseVerdictIssued Verdict(string decision) => new()
    {
        EvaluationId = Guid.NewGuid(), ReleaseId = Guid.NewGuid(), Service = "Payments", Environment = "Prod", Version = "1", Commit = "c",
        Decision = decision, RawOutcome = decision, GitHub = "x", PolicyId = "p", PolicyVersion = 1, PolicyHash = "h", Digest = "d",
        EvaluatedAt = DateTimeOffset.UnixEpoch, Summary = "s",
    };

    [Theory]
    [InlineData("Pass", SourceCondition.Resolved, Severity.Low)]
    [InlineData("PassWithWaiver", SourceCondition.Resolved, Severity.Low)]
    [InlineData("Warn", SourceCondition.Firing, Severity.Low)]
    [InlineData("Inconclusive", SourceCondition.Firing, Severity.Medium)]
    [InlineData("Error", SourceCondition.Firing, Severity.High)]
    [InlineData("Fail", SourceCondition.Firing, Severity.High)]
    public void EveryVerdictButAPassFiresTheServiceAndEnvironmentsSignal(string decision, SourceCondition condition, Severity severity)
    {
        var observation = SignalSources.FromVerdict(Verdict(decision));
        Assert.Equal(("release:payments:prod", condition, severity, decision), (observation.DedupKey, observation.Condition, observation.Severity, observation.OriginalSeverity));
    }

    [Fact]
    public void AnAlertIsKeyedByRuleAndTargetAndItsFiredNotificationIsClearedByItsOwnResolvedOne()
    {
        MonitorAlert Alert(string id, AlertCondition condition) => new()
        {
            Provider = "azure", AlertId = id, Condition = condition, Rule = "CPU", RuleId = "/Subs/1/Rules/CPU", Severity = "Sev0", Account = "1",
            Targets = ["/Subs/1/VM/A"], FiredAt = DateTimeOffset.UnixEpoch, ResolvedAt = DateTimeOffset.UnixEpoch.AddMinutes(3), Raw = RawJson.FromText("{}"),
        };

        var fired = SignalSources.FromAlert(Alert("a1", AlertCondition.Fired));
        var other = SignalSources.FromAlert(Alert("a2", AlertCondition.Fired));
        var resolved = SignalSources.FromAlert(Alert("a1", AlertCondition.Resolved));

        Assert.Equal("alert:azure:/subs/1/rules/cpu:/subs/1/vm/a", fired.DedupKey);
        Assert.Equal(fired.DedupKey, other.DedupKey);
        Assert.NotEqual(fired.ObservationId, other.ObservationId);
        Assert.Equal(resolved.ObservationId, fired.ClearedBy);
        Assert.Equal((SourceCondition.Resolved, DateTimeOffset.UnixEpoch.AddMinutes(3)), (resolved.Condition, resolved.At));
        Assert.Equal((Severity.Critical, "CPU on A"), (fired.Severity, fired.Title));
    }

    [Fact]
    public void KindsHaveTheirDefaultsAndConfigurationOverridesThem()
    {
        var options = new SignalsOptions();
        Assert.Equal(new KindPolicy(RecurrencePolicy.NewSignal, false, TimeSpan.FromDays(30)), options.Policy(SignalKinds.Alert));
        Assert.Equal(new KindPolicy(RecurrencePolicy.Reopen, true, null), options.Policy(SignalKinds.Drift));

        options.Kinds["alert"] = new KindSettings { AutoResolve = true, StaleAfter = TimeSpan.Zero };
        options.Kinds["drift"] = new KindSettings { Recurrence = RecurrencePolicy.NewSignal, StaleAfter = TimeSpan.FromHours(6) };
        Assert.Equal(new KindPolicy(RecurrencePolicy.NewSignal, true, null), options.Policy(SignalKinds.Alert));
        Assert.Equal(new KindPolicy(RecurrencePolicy.NewSignal, true, TimeSpan.FromHours(6)), options.Policy(SignalKinds.Drift));
    }

    [Fact]
    public void IncidentKeysNameTheValuesTheyGroupBy()
    {
        var signal = new SignalRecord
        {
            Kind = "drift", DedupKey = "k", Title = "t", Account = "111122223333", Severity = Severity.High, Team = null,
        };
        Assert.Equal("account=111122223333|kind=drift", IncidentGrouping.GroupKey(signal, new SignalsOptions().EffectiveIncidentKeys));
        Assert.Equal("team=-|severity=high", IncidentGrouping.GroupKey(signal, ["team", "severity"]));
    }
}
