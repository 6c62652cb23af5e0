using System.Globalization;
using System.Text.Json;
using ControlTower.Collector.Aws.Ingestion;
using ControlTower.Contracts.Activity;

namespace ControlTower.Collector.Aws.Parsing;

/// <summary>
/// Turns CloudTrail records into <see cref="CloudActivity"/>. Pure: no I/O, no clock.
/// </summary>
public static class CloudTrailNormalizer
{
    private static readonly string[] TimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss'Z'",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
    ];

    /// <summary>
    /// Normalises the records of a CloudTrail log file (<c>{"Records":[...]}</c>). Each bad record yields a
    /// <see cref="RecordError"/> with its index; the good ones are returned in order.
    /// </summary>
    public static (List<CloudActivity> Activities, List<RecordError> Errors) NormalizeAll(JsonElement records)
    {
        var activities = new List<CloudActivity>(records.GetArrayLength());
        var errors = new List<RecordError>();
        var index = 0;
        foreach (var record in records.EnumerateArray())
        {
            if (TryNormalize(record, index, out var activity, out var error))
            {
                activities.Add(activity);
            }
            else
            {
                errors.Add(error);
            }
            index++;
        }
        return (activities, errors);
    }

    public static bool TryNormalize(JsonElement record, int index, out CloudActivity activity, out RecordError error)
    {
        activity = null!;
        error = null!;
        if (record.ValueKind != JsonValueKind.Object)
        {
            error = new RecordError(index, "$", $"a record must be a JSON object, not {record.ValueKind}");
            return false;
        }

        var eventId = String(record, "eventID");
        var eventSource = String(record, "eventSource");
        var eventName = String(record, "eventName");
        var eventTime = String(record, "eventTime");
        var identity = record.TryGetProperty("userIdentity", out var id) && id.ValueKind == JsonValueKind.Object ? id : default;
        var account = String(record, "recipientAccountId") ?? String(identity, "accountId");

        string? fault = eventId is null ? "eventID"
            : eventSource is null ? "eventSource"
            : eventName is null ? "eventName"
            : eventTime is null ? "eventTime"
            : account is null ? "recipientAccountId"
            : null;
        if (fault is not null)
        {
            error = new RecordError(index, fault, $"'{fault}' is missing or not a string");
            return false;
        }
        if (!TryParseTime(eventTime!, out var time))
        {
            error = new RecordError(index, "eventTime", $"'{eventTime}' is not an ISO 8601 or 'yyyy-MM-dd HH:mm:ss' UTC time");
            return false;
        }

        var errorCode = String(record, "errorCode");
        activity = new CloudActivity
        {
            Provider = "aws",
            EventId = eventId!,
            Time = time,
            Account = account!,
            Region = String(record, "awsRegion"),
            Service = ServiceName(eventSource!),
            Operation = eventName!,
            Actor = String(identity, "arn") ?? String(identity, "userName") ?? String(identity, "principalId") ?? String(identity, "invokedBy"),
            ActorType = String(identity, "type"),
            SourceIp = String(record, "sourceIPAddress"),
            UserAgent = String(record, "userAgent"),
            Outcome = string.IsNullOrEmpty(errorCode) ? ActivityOutcome.Success : ActivityOutcome.Failure,
            ErrorCode = string.IsNullOrEmpty(errorCode) ? null : errorCode,
            ReadOnly = record.TryGetProperty("readOnly", out var ro) && ro.ValueKind is JsonValueKind.True or JsonValueKind.False ? ro.GetBoolean() : null,
            EventType = String(record, "eventType"),
            Raw = record.GetRawText(),
        };
        return true;
    }

    /// <summary><c>iam.amazonaws.com</c> → <c>iam</c>; anything else unchanged.</summary>
    public static string ServiceName(string eventSource)
    {
        const string suffix = ".amazonaws.com";
        return eventSource.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) ? eventSource[..^suffix.Length] : eventSource;
    }

    private static bool TryParseTime(string value, out DateTimeOffset time)
    {
        if (DateTimeOffset.TryParseExact(value, TimeFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time))
        {
            return true;
        }
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time) && value.Contains('-');
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
