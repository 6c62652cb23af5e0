namespace ControlTower.Web.Components.Pages.LandingZone;

/// <summary>How long until an expiry, in words a person reads at a glance: <c>expires in 6 d 23 h</c>, <c>expired 2 h ago</c>.</summary>
public static class Countdown
{
    public static string Until(DateTimeOffset expiry, DateTimeOffset now)
    {
        var left = expiry - now;
        return left <= TimeSpan.Zero ? $"expired {Span(-left)} ago" : $"expires in {Span(left)}";
    }

    private static string Span(TimeSpan span) => span switch
    {
        { TotalDays: >= 1 } => $"{(int)span.TotalDays} d {span.Hours} h",
        { TotalHours: >= 1 } => $"{span.Hours} h {span.Minutes} min",
        { TotalMinutes: >= 1 } => $"{span.Minutes} min {span.Seconds} s",
        _ => $"{Math.Max(0, span.Seconds)} s",
    };
}
