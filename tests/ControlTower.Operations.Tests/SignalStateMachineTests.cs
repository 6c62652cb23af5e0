using ControlTower.Contracts.Activity;
using ControlTower.Operations.Signals;

namespace ControlTower.Operations.Tests;

/// <summary>The triage state machine alone: every action from every status, the fields each needs, expiry.</summary>
public sealed class SignalStateMachineTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly TriageLimits Limits = new(TimeSpan.FromDays(7), TimeSpan.FromDays(30));

    // Written out by hand from triage-and-portal.md §3, not derived from the code under test.
    private static readonly Dictionary<TriageAction, TriageStatus[]> Allowed = new()
    {
        [TriageAction.Acknowledge] = [TriageStatus.New],
        [TriageAction.Assign] = [TriageStatus.New, TriageStatus.Acknowledged, TriageStatus.Snoozed, TriageStatus.Suppressed, TriageStatus.Resolved],
        [TriageAction.Snooze] = [TriageStatus.Acknowledged],
        [TriageAction.Suppress] = [TriageStatus.New, TriageStatus.Acknowledged, TriageStatus.Snoozed],
        [TriageAction.Note] = [TriageStatus.New, TriageStatus.Acknowledged, TriageStatus.Snoozed, TriageStatus.Suppressed, TriageStatus.Resolved],
        [TriageAction.Resolve] = [TriageStatus.New, TriageStatus.Acknowledged, TriageStatus.Snoozed, TriageStatus.Suppressed],
        [TriageAction.Reopen] = [TriageStatus.Resolved],
        [TriageAction.Close] = [TriageStatus.New, TriageStatus.Acknowledged, TriageStatus.Snoozed, TriageStatus.Suppressed, TriageStatus.Resolved],
    };

    public static TheoryData<TriageStatus, TriageAction> EveryPair()
    {
        var data = new TheoryData<TriageStatus, TriageAction>();
        foreach (var status in Enum.GetValues<TriageStatus>())
        {
            foreach (var action in Enum.GetValues<TriageAction>())
            {
                data.Add(status, action);
            }
        }
        return data;
    }

    private static TriageCommand ValidCommand(TriageAction action) => action switch
    {
        TriageAction.Assign => new(action, Owner: "ana@example.com", Team: "platform"),
        TriageAction.Snooze => new(action, Until: Now.AddHours(4)),
        TriageAction.Suppress => new(action, Until: Now.AddDays(3), Reason: "maintenance window"),
        TriageAction.Note => new(action, Note: "looking"),
        TriageAction.Resolve => new(action, Classification: Classification.TruePositive),
        TriageAction.Close => new(action, Classification: Classification.FalsePositive),
        _ => new(action),
    };

    private static TriageState From(TriageStatus status) => new(status, SourceCondition.Firing,
        status is TriageStatus.Snoozed or TriageStatus.Suppressed ? Now.AddHours(1) : null,
        status is TriageStatus.Resolved or TriageStatus.Closed ? Classification.BenignPositive : null);

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void EveryActionIsAllowedOrRefusedFromEveryStatusAsTheModelSays(TriageStatus status, TriageAction action)
    {
        var outcome = SignalStateMachine.Apply(From(status), ValidCommand(action), Now, Limits);

        if (Allowed[action].Contains(status))
        {
            Assert.True(outcome.Succeeded, outcome.Message);
            var expected = action switch
            {
                TriageAction.Acknowledge => TriageStatus.Acknowledged,
                TriageAction.Snooze => TriageStatus.Snoozed,
                TriageAction.Suppress => TriageStatus.Suppressed,
                TriageAction.Resolve => TriageStatus.Resolved,
                TriageAction.Reopen => TriageStatus.New,
                TriageAction.Close => TriageStatus.Closed,
                // Handing a snoozed signal to someone else cancels the snooze.
                TriageAction.Assign when status == TriageStatus.Snoozed => TriageStatus.New,
                _ => status,
            };
            Assert.Equal(expected, outcome.State.Status);
        }
        else
        {
            Assert.Equal(TriageFault.Forbidden, outcome.Fault);
            Assert.Equal(status, outcome.State.Status);
            Assert.Contains(SignalStateMachine.Name(status), outcome.Message);
            Assert.Contains(SignalStateMachine.Name(action), outcome.Message);
        }
    }

    [Fact]
    public void ClosedIsReadOnly()
    {
        foreach (var action in Enum.GetValues<TriageAction>())
        {
            Assert.Equal(TriageFault.Forbidden, SignalStateMachine.Apply(From(TriageStatus.Closed), ValidCommand(action), Now, Limits).Fault);
        }
    }

    [Theory]
    [InlineData(TriageAction.Snooze, null, "until")]
    [InlineData(TriageAction.Snooze, -1.0, "until")]
    [InlineData(TriageAction.Snooze, 8 * 24.0, "until")]
    [InlineData(TriageAction.Suppress, null, "until")]
    [InlineData(TriageAction.Suppress, 0.0, "until")]
    [InlineData(TriageAction.Suppress, 31 * 24.0, "until")]
    public void SnoozeAndSuppressNeedAnExpiryInTheFutureWithinTheLimit(TriageAction action, double? hours, string field)
    {
        var command = new TriageCommand(action, Until: hours is { } h ? Now.AddHours(h) : null, Reason: "maintenance");

        var outcome = SignalStateMachine.Apply(From(TriageStatus.Acknowledged), command, Now, Limits);

        Assert.Equal(TriageFault.Invalid, outcome.Fault);
        Assert.Equal(field, outcome.Field);
    }

    [Fact]
    public void SuppressionAtTheLimitIsAllowedButNeedsAReason()
    {
        var atLimit = new TriageCommand(TriageAction.Suppress, Until: Now.AddDays(30), Reason: "planned migration");
        Assert.True(SignalStateMachine.Apply(From(TriageStatus.New), atLimit, Now, Limits).Succeeded);

        var noReason = SignalStateMachine.Apply(From(TriageStatus.New), atLimit with { Reason = "  " }, Now, Limits);
        Assert.Equal(TriageFault.Invalid, noReason.Fault);
        Assert.Equal("reason", noReason.Field);
    }

    [Fact]
    public void ResolvingNeedsAClassificationAndClosingAResolvedSignalKeepsItsOwn()
    {
        var bare = SignalStateMachine.Apply(From(TriageStatus.New), new TriageCommand(TriageAction.Resolve), Now, Limits);
        Assert.Equal(("classification", TriageFault.Invalid), (bare.Field, bare.Fault));

        var closeOpen = SignalStateMachine.Apply(From(TriageStatus.Acknowledged), new TriageCommand(TriageAction.Close), Now, Limits);
        Assert.Equal(("classification", TriageFault.Invalid), (closeOpen.Field, closeOpen.Fault));

        var closeResolved = SignalStateMachine.Apply(From(TriageStatus.Resolved), new TriageCommand(TriageAction.Close), Now, Limits);
        Assert.True(closeResolved.Succeeded);
        Assert.Equal(Classification.BenignPositive, closeResolved.State.Classification);
    }

    [Fact]
    public void ReopeningClearsTheClassificationAndAssignNeedsSomebody()
    {
        var reopened = SignalStateMachine.Apply(From(TriageStatus.Resolved), new TriageCommand(TriageAction.Reopen), Now, Limits);
        Assert.Null(reopened.State.Classification);

        var nobody = SignalStateMachine.Apply(From(TriageStatus.New), new TriageCommand(TriageAction.Assign), Now, Limits);
        Assert.Equal(("owner", TriageFault.Invalid), (nobody.Field, nobody.Fault));

        var teamOnly = SignalStateMachine.Apply(From(TriageStatus.New) with { Owner = "bo" }, new TriageCommand(TriageAction.Assign, Team: "sre"), Now, Limits);
        Assert.Equal(("bo", "sre"), (teamOnly.State.Owner, teamOnly.State.Team));
    }

    [Fact]
    public void ExpirySendsSnoozedBackToNewAndSuppressedToNewOrResolved()
    {
        var snoozed = new TriageState(TriageStatus.Snoozed, SourceCondition.Firing, Now);
        var suppressedFiring = new TriageState(TriageStatus.Suppressed, SourceCondition.Firing, Now.AddMinutes(-1));
        var suppressedCleared = new TriageState(TriageStatus.Suppressed, SourceCondition.Resolved, Now.AddMinutes(-1));

        Assert.Null(SignalStateMachine.Expire(snoozed, Now.AddSeconds(-1)));
        Assert.Equal(TriageStatus.New, SignalStateMachine.Expire(snoozed, Now)!.Status);
        Assert.Null(SignalStateMachine.Expire(snoozed, Now)!.Until);
        Assert.Equal(TriageStatus.New, SignalStateMachine.Expire(suppressedFiring, Now)!.Status);
        var resolved = SignalStateMachine.Expire(suppressedCleared, Now)!;
        Assert.Equal((TriageStatus.Resolved, Classification.Undetermined), (resolved.Status, resolved.Classification));
        Assert.Null(SignalStateMachine.Expire(new TriageState(TriageStatus.Acknowledged, SourceCondition.Firing), Now));
    }
}

/// <summary>What ingestion does with an observation, per kind policy; pure.</summary>
public sealed class SignalIngestionTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly KindPolicy Alerts = new(RecurrencePolicy.NewSignal, AutoResolve: false, StaleAfter: null);
    private static readonly KindPolicy Findings = new(RecurrencePolicy.Reopen, AutoResolve: true, StaleAfter: null);

    private static SignalObservation Observation(SourceCondition condition, DateTimeOffset? at = null) => new()
    {
        Kind = "alert", DedupKey = "k", ObservationId = Guid.NewGuid().ToString(), Condition = condition, At = at ?? At, Title = "t",
        Severity = Severity.High,
    };

    [Fact]
    public void AFirstFiringCreatesANewSignalAndAFirstResolveIsIgnored()
    {
        var created = SignalIngestion.Decide(null, null, Observation(SourceCondition.Firing), Alerts);
        Assert.Equal(IngestDecision.Create, created.Decision);
        Assert.Equal((TriageStatus.New, SourceCondition.Firing), (created.State!.Status, created.State.Condition));

        Assert.Equal(IngestDecision.Ignore, SignalIngestion.Decide(null, null, Observation(SourceCondition.Resolved), Alerts).Decision);
    }

    [Fact]
    public void ARepeatWhileOpenCountsAndKeepsTheStatus()
    {
        var acknowledged = new TriageState(TriageStatus.Acknowledged, SourceCondition.Resolved, Owner: "ana");
        var outcome = SignalIngestion.Decide(acknowledged, At, Observation(SourceCondition.Firing, At.AddMinutes(5)), Alerts);

        Assert.Equal(IngestDecision.Update, outcome.Decision);
        Assert.True(outcome.Occurred);
        Assert.Equal((TriageStatus.Acknowledged, SourceCondition.Firing, "ana"), (outcome.State!.Status, outcome.State.Condition, outcome.State.Owner));
    }

    [Fact]
    public void AfterResolveAnAlertStartsANewSignalAndAFindingReopens()
    {
        var resolved = new TriageState(TriageStatus.Resolved, SourceCondition.Resolved, Classification: Classification.TruePositive);

        Assert.Equal(IngestDecision.Create, SignalIngestion.Decide(resolved, At, Observation(SourceCondition.Firing, At.AddHours(1)), Alerts).Decision);
        var reopened = SignalIngestion.Decide(resolved, At, Observation(SourceCondition.Firing, At.AddHours(1)), Findings);
        Assert.Equal(IngestDecision.Update, reopened.Decision);
        Assert.True(reopened.Reopened);
        Assert.Equal(TriageStatus.New, reopened.State!.Status);
        Assert.Null(reopened.State.Classification);
    }

    [Fact]
    public void AClosedSignalIsNeverReopenedByItsSource()
    {
        var closed = new TriageState(TriageStatus.Closed, SourceCondition.Resolved, Classification: Classification.TruePositive);
        Assert.Equal(IngestDecision.Create, SignalIngestion.Decide(closed, At, Observation(SourceCondition.Firing, At.AddHours(1)), Findings).Decision);
    }

    [Fact]
    public void ClearingAutoResolvesOnlyWhereTheKindSaysAndNeverASuppressedOne()
    {
        var open = new TriageState(TriageStatus.Acknowledged, SourceCondition.Firing);

        var alert = SignalIngestion.Decide(open, At, Observation(SourceCondition.Resolved, At.AddMinutes(1)), Alerts);
        Assert.Equal((TriageStatus.Acknowledged, SourceCondition.Resolved), (alert.State!.Status, alert.State.Condition));

        var finding = SignalIngestion.Decide(open, At, Observation(SourceCondition.Resolved, At.AddMinutes(1)), Findings);
        Assert.True(finding.AutoResolved);
        Assert.Equal((TriageStatus.Resolved, Classification.Undetermined), (finding.State!.Status, finding.State.Classification));

        var suppressed = new TriageState(TriageStatus.Suppressed, SourceCondition.Firing, At.AddDays(1));
        var silenced = SignalIngestion.Decide(suppressed, At, Observation(SourceCondition.Resolved, At.AddMinutes(1)), Findings);
        Assert.Equal((TriageStatus.Suppressed, SourceCondition.Resolved), (silenced.State!.Status, silenced.State.Condition));
    }

    [Fact]
    public void AClearOlderThanTheLatestFiringChangesNothing()
    {
        var open = new TriageState(TriageStatus.New, SourceCondition.Firing);
        Assert.Equal(IngestDecision.Ignore, SignalIngestion.Decide(open, At, Observation(SourceCondition.Resolved, At.AddSeconds(-1)), Findings).Decision);
    }

    [Theory]
    [InlineData("Sev0", Severity.Critical)]
    [InlineData("Sev1", Severity.High)]
    [InlineData("Sev2", Severity.Medium)]
    [InlineData("Sev3", Severity.Low)]
    [InlineData("Sev4", Severity.Informational)]
    [InlineData("critical", Severity.Critical)]
    [InlineData("LOW", Severity.Low)]
    [InlineData(null, Severity.Medium)]
    public void SeveritiesMapToTheFiveCanonicalLabels(string? original, Severity expected) =>
        Assert.Equal(expected, SignalKeys.Canonical(original));

    [Fact]
    public void LongDedupKeysAreShortenedUniquelyTo255()
    {
        var a = SignalKeys.Dedup("alert:" + new string('a', 400));
        var b = SignalKeys.Dedup("alert:" + new string('a', 399) + "b");
        Assert.Equal(255, a.Length);
        Assert.NotEqual(a, b);
        Assert.StartsWith("alert:aaa", a);
        Assert.Equal("short", SignalKeys.Dedup("short"));
    }
}

/// <summary>The notable-activity rules match what they should and nothing else.</summary>
public sealed class NotableActivityRulesTests
{
    private static CloudActivity Activity(string operation, string? actorType = null, ActivityOutcome outcome = ActivityOutcome.Success,
        string provider = "aws") => new()
    {
        Provider = provider, EventId = Guid.NewGuid().ToString(), Time = DateTimeOffset.UnixEpoch, Account = "111122223333",
        Service = "signin", Operation = operation, ActorType = actorType, Outcome = outcome, Raw = RawJson.FromText("{}"),
    };

    [Fact]
    public void TheRulesMatchRootSignInTrailStoppedAndFailedSignIns()
    {
        Assert.Equal(NotableRule.RootSignIn, NotableActivityRules.Match(Activity("ConsoleLogin", "Root")));
        Assert.Equal(NotableRule.None, NotableActivityRules.Match(Activity("ConsoleLogin", "IAMUser")));
        Assert.Equal(NotableRule.FailedConsoleLogin, NotableActivityRules.Match(Activity("ConsoleLogin", "IAMUser", ActivityOutcome.Failure)));
        Assert.Equal(NotableRule.TrailStopped, NotableActivityRules.Match(Activity("StopLogging")));
        Assert.Equal(NotableRule.TrailStopped, NotableActivityRules.Match(Activity("DeleteTrail")));
        Assert.Equal(NotableRule.None, NotableActivityRules.Match(Activity("StartLogging")));
        Assert.Equal(NotableRule.None, NotableActivityRules.Match(Activity("CreateUser")));
        Assert.Equal(NotableRule.DiagnosticSettingDeleted,
            NotableActivityRules.Match(Activity("microsoft.insights/diagnosticsettings/delete", provider: "azure")));
    }
}
