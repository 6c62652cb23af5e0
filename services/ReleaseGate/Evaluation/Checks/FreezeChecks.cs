using ControlTower.ReleaseGate.Policies;
using static ControlTower.ReleaseGate.Evaluation.Checks.CheckResult;
using static ControlTower.ReleaseGate.Evaluation.Checks.Words;

namespace ControlTower.ReleaseGate.Evaluation.Checks;

/// <summary><c>freeze.calendars</c>: any closed calendar closes the gate (SSM semantics). Needs no evidence: the calendars are in the policy.</summary>
public static class FreezeChecks
{
    public static CheckResult Calendars(FreezeWindowRule rule, CheckContext context)
    {
        var names = rule.Calendars.Count > 0 ? rule.Calendars : [.. context.Policy.Calendars.Select(c => c.Name).Order(StringComparer.Ordinal)];
        var calendars = context.Policy.Calendars.Where(c => names.Contains(c.Name)).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        var expected = Facts(("calendars", List(names)), ("state", "open"));
        var observed = Facts(("at", Time(context.EvaluatedAt)));
        var closed = new List<string>();
        foreach (var calendar in calendars)
        {
            CalendarState state;
            try
            {
                state = FreezeCalendars.StateAt(calendar, context.EvaluatedAt);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or Cronos.CronFormatException)
            {
                // The parser refuses these; a policy built another way (or a host without that zone) must still
                // get an answer, and the answer is that the evaluator could not tell.
                return new CheckResult(GateOutcome.Error, "CalendarUnreadable", $"calendar '{calendar.Name}' cannot be read here: {e.Message}", observed, expected, []);
            }
            if (!state.Closed)
            {
                observed["calendar." + calendar.Name] = "open";
                continue;
            }
            var why = state.Window!.Reason is { } reason ? $" ({reason})" : "";
            var what = state.Window.Cron is { } cron ? Invariant($"cron '{cron}' for {Words.Duration(state.Window.Duration!.Value)}") : "date range";
            observed["calendar." + calendar.Name] = Invariant($"closed from {Time(state.ClosedFrom!.Value)} until {Time(state.ClosedUntil!.Value)} by {what}{why}");
            closed.Add(Invariant($"'{calendar.Name}' ({calendar.TimeZone}) is closed until {Time(state.ClosedUntil!.Value)} by {what}{why}"));
        }
        return closed.Count > 0
            ? new CheckResult(GateOutcome.Fail, "FreezeWindow", $"freeze: {string.Join("; ", closed)}", observed, expected, [])
            : new CheckResult(GateOutcome.Pass, "CalendarsOpen", $"every calendar is open at {Time(context.EvaluatedAt)}: {List(names)}", observed, expected, []);
    }
}
