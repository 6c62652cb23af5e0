using System.Globalization;
using ControlTower.ReleaseGate.Evaluation;
using ControlTower.ReleaseGate.Evidence;
using ControlTower.ReleaseGate.Policies;
using static ControlTower.ReleaseGate.Tests.Gates.Gate;

namespace ControlTower.ReleaseGate.Tests.Gates;

/// <summary>Freeze windows at their edges, in several time zones, and across the Europe/London DST changes of 2026 (29 March, 25 October).</summary>
public sealed class FreezeWindowTests
{
    private const string Freeze = "  - { id: freeze, kind: freeze.calendars }";

    private static string Calendar(string name, string zone, string window) =>
        $"  - name: {name}\n    timeZone: {zone}\n    windows:\n      - {window}\n";

    private static GateOutcome At(string calendars, string instant, string rule = Freeze)
    {
        var at = DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var verdict = GateEvaluator.Evaluate(Policy(rule, calendars), EvidenceSnapshot.Empty, Release(), at);
        return Only(verdict).Outcome;
    }

    // London office hours on weekdays: 09:00 to 17:00 local, so 09:00Z in winter and 08:00Z in summer.
    private static readonly string OfficeHours = Calendar("office", "Europe/London", "{ cron: '0 9 * * 1-5', duration: 8h }");

    [Theory]
    [InlineData("2026-03-27T08:59:59Z", GateOutcome.Pass)] // Friday before the change, GMT
    [InlineData("2026-03-27T09:00:00Z", GateOutcome.Fail)]
    [InlineData("2026-03-27T16:59:59Z", GateOutcome.Fail)]
    [InlineData("2026-03-27T17:00:00Z", GateOutcome.Pass)]
    [InlineData("2026-03-30T07:59:59Z", GateOutcome.Pass)] // Monday after the change, BST
    [InlineData("2026-03-30T08:00:00Z", GateOutcome.Fail)]
    [InlineData("2026-03-30T15:59:59Z", GateOutcome.Fail)]
    [InlineData("2026-03-30T16:00:00Z", GateOutcome.Pass)]
    [InlineData("2026-10-23T07:59:59Z", GateOutcome.Pass)] // Friday before the change back, BST
    [InlineData("2026-10-23T08:00:00Z", GateOutcome.Fail)]
    [InlineData("2026-10-26T08:30:00Z", GateOutcome.Pass)] // Monday after, GMT again
    [InlineData("2026-10-26T09:00:00Z", GateOutcome.Fail)]
    [InlineData("2026-03-28T12:00:00Z", GateOutcome.Pass)] // Saturday
    public void ACronWindowFollowsTheCalendarsWallClockAcrossDst(string instant, GateOutcome expected) =>
        Assert.Equal(expected, At(OfficeHours, instant));

    // 01:30 London does not exist on 29 March (01:00 → 02:00) and happens twice on 25 October.
    private static readonly string Nightly = Calendar("nightly", "Europe/London", "{ cron: '30 1 * * *', duration: 1h }");

    [Theory]
    [InlineData("2026-03-28T01:29:59Z", GateOutcome.Pass)]
    [InlineData("2026-03-28T01:30:00Z", GateOutcome.Fail)]
    [InlineData("2026-03-29T00:59:59Z", GateOutcome.Pass)] // the start in the gap moves to the transition, 01:00Z
    [InlineData("2026-03-29T01:00:00Z", GateOutcome.Fail)]
    [InlineData("2026-03-29T01:59:59Z", GateOutcome.Fail)]
    [InlineData("2026-03-29T02:00:00Z", GateOutcome.Pass)]
    [InlineData("2026-10-25T00:29:59Z", GateOutcome.Pass)] // the first 01:30 (BST) is 00:30Z
    [InlineData("2026-10-25T00:30:00Z", GateOutcome.Fail)]
    [InlineData("2026-10-25T01:29:59Z", GateOutcome.Fail)]
    [InlineData("2026-10-25T01:45:00Z", GateOutcome.Pass)] // the repeated 01:30 (GMT) does not start it again
    public void ACronStartInTheDstGapOrOverlapHappensOnce(string instant, GateOutcome expected) =>
        Assert.Equal(expected, At(Nightly, instant));

    [Theory]
    [InlineData("America/New_York", "2026-11-26T04:59:59Z", GateOutcome.Pass)] // midnight in New York is 05:00Z (EST)
    [InlineData("America/New_York", "2026-11-26T05:00:00Z", GateOutcome.Fail)]
    [InlineData("America/New_York", "2026-12-01T04:59:59Z", GateOutcome.Fail)]
    [InlineData("America/New_York", "2026-12-01T05:00:00Z", GateOutcome.Pass)] // the end is exclusive
    [InlineData("Asia/Tokyo", "2026-11-25T14:59:59Z", GateOutcome.Pass)] // midnight in Tokyo is 15:00Z the day before
    [InlineData("Asia/Tokyo", "2026-11-25T15:00:00Z", GateOutcome.Fail)]
    [InlineData("Asia/Tokyo", "2026-11-30T14:59:59Z", GateOutcome.Fail)]
    [InlineData("Asia/Tokyo", "2026-11-30T15:00:00Z", GateOutcome.Pass)]
    [InlineData("UTC", "2026-11-26T00:00:00Z", GateOutcome.Fail)]
    [InlineData("UTC", "2026-11-25T23:59:59Z", GateOutcome.Pass)]
    public void ADateRangeIsReadInItsOwnTimeZone(string zone, string instant, GateOutcome expected) =>
        Assert.Equal(expected, At(Calendar("peak", zone, "{ from: '2026-11-26T00:00', to: '2026-12-01' }"), instant));

    [Fact]
    public void AnyClosedCalendarClosesTheGate()
    {
        var calendars = Calendar("open-one", "UTC", "{ from: '2027-01-01', to: '2027-01-02' }") + Calendar("closed-one", "UTC", "{ from: '2026-11-20', to: '2026-11-21' }");

        var verdict = GateEvaluator.Evaluate(Policy(Freeze, calendars), EvidenceSnapshot.Empty, Release(), Now);

        var rule = Only(verdict);
        Assert.Equal(GateOutcome.Fail, rule.Outcome);
        Assert.Equal("FreezeWindow", rule.ReasonCode);
        Assert.Equal("open", rule.Observed["calendar.open-one"]);
        Assert.StartsWith("closed from 2026-11-20T00:00:00.0000000Z until 2026-11-21T00:00:00.0000000Z", rule.Observed["calendar.closed-one"], StringComparison.Ordinal);
    }

    [Fact]
    public void ARuleNamingCalendarsChecksOnlyThose()
    {
        var calendars = Calendar("release-train", "UTC", "{ from: '2027-01-01', to: '2027-01-02' }") + Calendar("other-team", "UTC", "{ from: '2026-11-20', to: '2026-11-21' }");

        Assert.Equal(GateOutcome.Pass, At(calendars, "2026-11-20T12:00:00Z", "  - { id: freeze, kind: freeze.calendars, calendars: [release-train] }"));
        Assert.Equal(GateOutcome.Fail, At(calendars, "2026-11-20T12:00:00Z"));
    }

    [Fact]
    public void AnAmbiguousRangeStartTakesTheEarlierInstantAndAGapMovesToTheTransition()
    {
        var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

        Assert.Equal(DateTimeOffset.Parse("2026-10-25T00:30:00Z", CultureInfo.InvariantCulture),
            FreezeCalendars.ToInstant(new DateTime(2026, 10, 25, 1, 30, 0), london, earliest: true));
        Assert.Equal(DateTimeOffset.Parse("2026-10-25T01:30:00Z", CultureInfo.InvariantCulture),
            FreezeCalendars.ToInstant(new DateTime(2026, 10, 25, 1, 30, 0), london, earliest: false));
        Assert.Equal(DateTimeOffset.Parse("2026-03-29T01:00:00Z", CultureInfo.InvariantCulture),
            FreezeCalendars.ToInstant(new DateTime(2026, 3, 29, 1, 30, 0), london, earliest: true));
    }

    [Fact]
    public void ACalendarInAZoneThisHostDoesNotKnowIsAnErrorNotAnOpenCalendar()
    {
        var parsed = Policy(Freeze, Calendar("c", "UTC", "{ from: '2026-11-20', to: '2026-11-21' }"));
        var policy = parsed.Policy with { Calendars = [parsed.Policy.Calendars[0] with { TimeZone = "Mars/Olympus_Mons" }] };

        var verdict = GateEvaluator.Evaluate(GatePolicySnapshot.Create(policy), EvidenceSnapshot.Empty, Release(), Now);

        Assert.Equal(GateOutcome.Error, Only(verdict).Outcome);
        Assert.Equal("CalendarUnreadable", Only(verdict).ReasonCode);
        Assert.Equal(GateDecision.Error, verdict.Decision);
    }
}
