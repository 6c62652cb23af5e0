using System.Collections.Concurrent;
using Cronos;
using ControlTower.ReleaseGate.Policies;

namespace ControlTower.ReleaseGate.Evaluation;

/// <summary>Whether a calendar is closed at an instant, and by which window until when.</summary>
public sealed record CalendarState(string Calendar, bool Closed, FreezeWindow? Window, DateTimeOffset? ClosedFrom, DateTimeOffset? ClosedUntil);

/// <summary>
/// Reads change calendars the way AWS SSM Change Calendar and Argo CD sync windows do: open unless a window is
/// closed now. A cron window starts at each occurrence of its expression in the calendar's time zone and lasts its
/// duration (Cronos handles the DST gaps and overlaps: a start that falls in a spring-forward gap happens at the
/// transition, one in an autumn overlap happens once). A range window runs from <c>from</c> (inclusive) to
/// <c>to</c> (exclusive) in local time; a bound in a gap moves to the transition, and an ambiguous bound is read
/// so the window is the longer of the two (a freeze errs on the closed side).
/// </summary>
public static class FreezeCalendars
{
    private static readonly ConcurrentDictionary<string, CronExpression> Expressions = new(StringComparer.Ordinal);

    public static CalendarState StateAt(FreezeCalendar calendar, DateTimeOffset at)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(calendar.TimeZone);
        CalendarState? closed = null;
        foreach (var window in calendar.Windows)
        {
            if (ClosedBy(window, zone, at) is { } period && (closed is null || period.Until > closed.ClosedUntil))
            {
                closed = new CalendarState(calendar.Name, true, window, period.From, period.Until);
            }
        }
        return closed ?? new CalendarState(calendar.Name, false, null, null, null);
    }

    private static (DateTimeOffset From, DateTimeOffset Until)? ClosedBy(FreezeWindow window, TimeZoneInfo zone, DateTimeOffset at)
    {
        if (window.Cron is { } cron && window.Duration is { } duration)
        {
            var expression = Expressions.GetOrAdd(cron, c => CronExpression.Parse(c, CronFormat.Standard));
            // Searched forwards from (at − duration), not backwards from at: Cronos moves a start that falls in a
            // spring-forward gap to the transition only when searching forwards (backwards it answers a second
            // before the gap). Any start in (at − duration, at] means closed; the newest one says until when.
            var first = expression.GetNextOccurrence(at - duration, zone, inclusive: false);
            if (first is not { } start || start > at)
            {
                return null;
            }
            // REVIEW: walks every start inside the window; fine for freeze calendars (hourly at the densest in practice).
            var last = start;
            while (expression.GetNextOccurrence(last, zone, inclusive: false) is { } next && next <= at)
            {
                last = next;
            }
            return (start.ToUniversalTime(), (last + duration).ToUniversalTime());
        }
        if (window.From is { } from && window.To is { } to)
        {
            var begin = ToInstant(from, zone, earliest: true);
            var end = ToInstant(to, zone, earliest: false);
            return begin <= at && at < end ? (begin, end) : null;
        }
        return null;
    }

    /// <summary>The instant a local wall-clock time names in a zone.</summary>
    public static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone, bool earliest)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        // In a spring-forward gap the wall clock never shows this time: take the first minute it does show.
        for (var i = 0; zone.IsInvalidTime(local) && i < 24 * 60; i++)
        {
            local = local.AddMinutes(1);
        }
        if (zone.IsAmbiguousTime(local))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            // The larger offset is the earlier instant.
            var offset = earliest ? offsets.Max() : offsets.Min();
            return new DateTimeOffset(local, offset).ToUniversalTime();
        }
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
