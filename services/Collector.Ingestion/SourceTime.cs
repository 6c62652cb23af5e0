using System.Globalization;

namespace ControlTower.Collector.Ingestion;

/// <summary>Reads source timestamps: ISO 8601 with any number of fraction digits, and the space-separated form older tools write.</summary>
public static class SourceTime
{
    private static readonly string[] TimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
    ];

    /// <summary>Reads the time forms sources write: ISO 8601, and <c>yyyy-MM-dd HH:mm:ss[.fraction]</c> (UTC) as older tools write it.</summary>
    public static bool TryParse(string value, out DateTimeOffset time)
    {
        var text = value.Trim();
        // More than 7 fractional digits (nanoseconds) is more than .NET reads: keep the first 7.
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }
            if (end - dot - 1 > 7)
            {
                text = text[..(dot + 8)] + text[end..];
            }
        }
        return DateTimeOffset.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    /// <summary>
    /// Reads <c>yyyy-MM-dd</c>, <c>T</c> or a space, <c>HH:mm:ss</c>, any number of fraction digits (the first
    /// seven kept), then <c>Z</c>, <c>±HH:mm</c> or nothing (UTC), from UTF-8 without decoding it; as UTC.
    /// False for anything else, which <see cref="TryParse(string, out DateTimeOffset)"/> may still read.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out DateTimeOffset time)
    {
        time = default;
        if (text.Length < 19 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':'
            || !Digits(text[..4], out var year) || !Digits(text[5..7], out var month) || !Digits(text[8..10], out var day)
            || !Digits(text[11..13], out var hour) || !Digits(text[14..16], out var minute) || !Digits(text[17..19], out var second)
            || year is < 2 or > 9998 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        var rest = text[19..];
        long ticks = 0;
        if (rest.Length > 0 && rest[0] == '.')
        {
            var digits = 1;
            var scale = TimeSpan.TicksPerSecond;
            while (digits < rest.Length && char.IsAsciiDigit((char)rest[digits]))
            {
                if (scale > 1)
                {
                    scale /= 10;
                    ticks += (rest[digits] - '0') * scale;
                }
                digits++;
            }
            if (digits == 1)
            {
                return false;
            }
            rest = rest[digits..];
        }
        var offset = TimeSpan.Zero;
        if (rest.Length == 1 && rest[0] == 'Z')
        {
            rest = [];
        }
        else if (rest.Length == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':'
            && Digits(rest[1..3], out var offsetHours) && Digits(rest[4..6], out var offsetMinutes) && offsetHours <= 14 && offsetMinutes <= 59)
        {
            offset = new TimeSpan(offsetHours, offsetMinutes, 0) * (rest[0] == '-' ? -1 : 1);
            rest = [];
        }
        if (rest.Length != 0)
        {
            return false;
        }
        // Years 2 to 9998 leave room for any offset either way.
        time = new DateTimeOffset(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(ticks) - offset, TimeSpan.Zero);
        return true;

        static bool Digits(ReadOnlySpan<byte> span, out int number)
        {
            number = 0;
            foreach (var b in span)
            {
                if (!char.IsAsciiDigit((char)b))
                {
                    return false;
                }
                number = (number * 10) + (b - '0');
            }
            return true;
        }
    }

    /// <summary>A JSON string holding a time in one of the forms above; false for anything else.</summary>
    public static bool TryRead(System.Text.Json.JsonElement value, out DateTimeOffset time)
    {
        time = default;
        if (value.ValueKind != System.Text.Json.JsonValueKind.String)
        {
            return false;
        }
        return TryParse(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value)[1..^1], out time)
            || (value.GetString() is { } text && TryParse(text, out time));
    }
}
