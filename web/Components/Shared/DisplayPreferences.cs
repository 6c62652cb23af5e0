namespace ControlTower.Web.Components.Shared;

/// <summary>
/// How this person wants times shown: in UTC (the default, as stored) or in their browser's time zone, which only the
/// browser knows. The choice is kept in the browser (local storage) and read when the circuit starts.
/// </summary>
public sealed class DisplayPreferences
{
    public bool LocalTime { get; private set; }

    /// <summary>The browser's zone (IANA id), once the browser said it.</summary>
    public TimeZoneInfo? BrowserZone { get; private set; }

    public event Action? Changed;

    public string ZoneLabel => LocalTime && BrowserZone is not null ? BrowserZone.Id : "UTC";

    public void Set(bool localTime, string? browserZoneId)
    {
        if (browserZoneId is not null && TimeZoneInfo.TryFindSystemTimeZoneById(browserZoneId, out var zone))
        {
            BrowserZone = zone;
        }
        LocalTime = localTime && BrowserZone is not null;
        Changed?.Invoke();
    }

    public DateTimeOffset Convert(DateTimeOffset time) =>
        LocalTime && BrowserZone is not null ? TimeZoneInfo.ConvertTime(time, BrowserZone) : time.ToUniversalTime();

    /// <summary>The time as shown everywhere: <c>2026-11-29 14:03:07</c> plus the zone when it is not UTC (offset form).</summary>
    public string Format(DateTimeOffset time, bool withSeconds = true)
    {
        var shown = Convert(time);
        var text = shown.ToString(withSeconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        return LocalTime ? $"{text} {shown:zzz}" : text;
    }
}
