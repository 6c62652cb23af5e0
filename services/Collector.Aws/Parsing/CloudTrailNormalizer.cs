using System.Globalization;
using System.Text.Json;
using ControlTower.Collector.Aws.Ingestion;
using ControlTower.Contracts.Activity;

namespace ControlTower.Collector.Aws.Parsing;

/// <summary>
/// Turns CloudTrail records into <see cref="CloudActivity"/>. Pure: no I/O, no clock. A record is refused only
/// when it lacks what identifies it (<c>eventID</c>, <c>eventSource</c>, <c>eventName</c>); anything else that is
/// missing or odd is filled from the record's container or noted as an anomaly, and the raw record is kept.
/// </summary>
public static class CloudTrailNormalizer
{
    public const string UnknownAccount = "unknown";
    private const int KnownMajorVersion = 1;

    private static readonly string[] TimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
    ];

    /// <summary>
    /// Normalises the records of a CloudTrail log file (<c>{"Records":[...]}</c>). Each refused record yields a
    /// <see cref="RecordError"/> with its index; the others are returned in order.
    /// </summary>
    public static (List<CloudActivity> Activities, List<RecordError> Errors) NormalizeAll(JsonElement records, RecordContext context)
    {
        var activities = new List<CloudActivity>(records.GetArrayLength());
        var errors = new List<RecordError>();
        var index = 0;
        foreach (var record in records.EnumerateArray())
        {
            if (TryNormalize(record, index, context, out var activity, out var error))
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

    public static bool TryNormalize(JsonElement record, int index, RecordContext context, out CloudActivity activity, out RecordError error)
    {
        activity = null!;
        error = null!;
        if (record.ValueKind != JsonValueKind.Object)
        {
            error = new RecordError(index, "$", $"a record must be a JSON object, not {record.ValueKind}");
            return false;
        }

        var eventId = NonEmpty(record, "eventID");
        var eventSource = NonEmpty(record, "eventSource");
        var eventName = NonEmpty(record, "eventName");
        var missing = eventId is null ? "eventID" : eventSource is null ? "eventSource" : eventName is null ? "eventName" : null;
        if (missing is not null)
        {
            error = new RecordError(index, missing, $"'{missing}' is missing or not a non-empty string");
            return false;
        }

        var anomalies = new List<string>();
        var identity = Identity(record);
        var time = EventTime(record, context, anomalies);
        var recipient = NonEmpty(record, "recipientAccountId");
        var account = Account(recipient, identity, context, anomalies);
        var region = NonEmpty(record, "awsRegion");
        if (region is null && context.Region is not null)
        {
            region = context.Region;
            anomalies.Add($"awsRegion missing; taken from the container ({region})");
        }
        CrossCheck(context, recipient ?? identity?.Account, NonEmpty(record, "awsRegion"), anomalies);
        CheckVersion(record, anomalies);

        var errorCode = NonEmpty(record, "errorCode");
        var errorMessage = NonEmpty(record, "errorMessage");
        var failedSignIn = eventName == "ConsoleLogin"
            && record.TryGetProperty("responseElements", out var response) && response.ValueKind == JsonValueKind.Object
            && string.Equals(NonEmpty(response, "ConsoleLogin"), "Failure", StringComparison.OrdinalIgnoreCase);
        if (failedSignIn && errorCode is null)
        {
            // Console sign-in failures carry the verdict in responseElements and the reason in errorMessage only.
            errorCode = "ConsoleLoginFailure";
        }

        activity = new CloudActivity
        {
            Provider = "aws",
            EventId = eventId!,
            Time = time,
            Account = account,
            Region = region,
            Service = ServiceName(eventSource!),
            Operation = eventName!,
            Actor = identity?.Arn ?? identity?.UserName ?? identity?.PrincipalId ?? identity?.InvokedBy,
            ActorType = identity?.Type,
            Identity = identity,
            SourceIp = NonEmpty(record, "sourceIPAddress"),
            UserAgent = NonEmpty(record, "userAgent"),
            Outcome = errorCode is null ? ActivityOutcome.Success : ActivityOutcome.Failure,
            ErrorCode = errorCode,
            ErrorMessage = errorMessage,
            ReadOnly = Bool(record, "readOnly"),
            EventType = NonEmpty(record, "eventType"),
            EventCategory = NonEmpty(record, "eventCategory"),
            ManagementEvent = Bool(record, "managementEvent"),
            EventVersion = NonEmpty(record, "eventVersion"),
            RecipientAccount = recipient,
            OrganizationId = context.OrganizationId,
            MfaUsed = MfaUsed(record),
            RequestId = NonEmpty(record, "requestID"),
            Resources = Resources(record, context),
            Anomalies = anomalies,
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

    /// <summary>Reads CloudTrail's time forms: ISO 8601, and <c>yyyy-MM-dd HH:mm:ss[.fraction]</c> (UTC) as older tools write it.</summary>
    public static bool TryParseTime(string value, out DateTimeOffset time)
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

    private static DateTimeOffset EventTime(JsonElement record, RecordContext context, List<string> anomalies)
    {
        var text = record.TryGetProperty("eventTime", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (text is not null && TryParseTime(text, out var time))
        {
            return time;
        }
        var fallback = context.Time ?? context.ReceivedAt;
        anomalies.Add(text is null
            ? $"eventTime missing; {(context.Time is null ? "received time" : "envelope time")} used"
            : $"eventTime '{Truncate(text)}' is not a time; {(context.Time is null ? "received time" : "envelope time")} used");
        return fallback;
    }

    private static string Account(string? recipient, ActivityIdentity? identity, RecordContext context, List<string> anomalies)
    {
        if (recipient is not null)
        {
            return recipient;
        }
        if (identity?.Account is { } callerAccount)
        {
            return callerAccount;
        }
        if (context.Account is { } containerAccount)
        {
            anomalies.Add($"no account in the record; taken from the container ({containerAccount})");
            return containerAccount;
        }
        if (ArnAccount(identity?.Arn) is { } arnAccount)
        {
            anomalies.Add("no account in the record; taken from the caller's ARN");
            return arnAccount;
        }
        anomalies.Add("no account in the record or its container");
        return UnknownAccount;
    }

    private static void CrossCheck(RecordContext context, string? recordAccount, string? recordRegion, List<string> anomalies)
    {
        if (!context.CrossCheck)
        {
            return;
        }
        if (recordAccount is not null && context.Account is not null && recordAccount != context.Account)
        {
            anomalies.Add($"account {recordAccount} differs from the S3 key's account {context.Account}");
        }
        if (recordRegion is not null && context.Region is not null && recordRegion != context.Region)
        {
            anomalies.Add($"region {recordRegion} differs from the S3 key's region {context.Region}");
        }
    }

    private static void CheckVersion(JsonElement record, List<string> anomalies)
    {
        var version = NonEmpty(record, "eventVersion");
        if (version is null)
        {
            return;
        }
        var major = version.Split('.')[0];
        if (!int.TryParse(major, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number != KnownMajorVersion)
        {
            anomalies.Add($"eventVersion {Truncate(version)} is not a 1.x version; read as 1.x");
        }
    }

    private static ActivityIdentity? Identity(JsonElement record)
    {
        if (!record.TryGetProperty("userIdentity", out var id) || id.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        JsonElement issuer = default;
        if (id.TryGetProperty("sessionContext", out var session) && session.ValueKind == JsonValueKind.Object
            && session.TryGetProperty("sessionIssuer", out var found) && found.ValueKind == JsonValueKind.Object)
        {
            issuer = found;
        }
        return new ActivityIdentity
        {
            Type = NonEmpty(id, "type"),
            PrincipalId = NonEmpty(id, "principalId"),
            Arn = NonEmpty(id, "arn"),
            Account = NonEmpty(id, "accountId"),
            UserName = NonEmpty(id, "userName"),
            InvokedBy = NonEmpty(id, "invokedBy"),
            AccessKeyId = NonEmpty(id, "accessKeyId"),
            SessionIssuerArn = NonEmpty(issuer, "arn"),
            SessionIssuerType = NonEmpty(issuer, "type"),
            IdentityProvider = NonEmpty(id, "identityProvider"),
        };
    }

    private static bool? MfaUsed(JsonElement record)
    {
        if (record.TryGetProperty("additionalEventData", out var extra) && extra.ValueKind == JsonValueKind.Object
            && NonEmpty(extra, "MFAUsed") is { } used)
        {
            return string.Equals(used, "Yes", StringComparison.OrdinalIgnoreCase);
        }
        if (record.TryGetProperty("userIdentity", out var id) && id.ValueKind == JsonValueKind.Object
            && id.TryGetProperty("sessionContext", out var session) && session.ValueKind == JsonValueKind.Object
            && session.TryGetProperty("attributes", out var attributes) && attributes.ValueKind == JsonValueKind.Object
            && attributes.TryGetProperty("mfaAuthenticated", out var mfa))
        {
            return mfa.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String => string.Equals(mfa.GetString(), "true", StringComparison.OrdinalIgnoreCase),
                _ => null,
            };
        }
        return null;
    }

    private static List<ActivityResource> Resources(JsonElement record, RecordContext context)
    {
        var resources = new List<ActivityResource>();
        if (record.TryGetProperty("resources", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object)
                {
                    resources.Add(new ActivityResource
                    {
                        Arn = NonEmpty(item, "ARN") ?? NonEmpty(item, "arn"),
                        Type = NonEmpty(item, "type"),
                        Account = NonEmpty(item, "accountId"),
                    });
                }
            }
        }
        foreach (var arn in context.Resources)
        {
            if (!resources.Any(r => r.Arn == arn))
            {
                resources.Add(new ActivityResource { Arn = arn, Account = ArnAccount(arn) });
            }
        }
        return resources;
    }

    /// <summary>The account segment of an ARN (<c>arn:partition:service:region:account:resource</c>), if it has one.</summary>
    private static string? ArnAccount(string? arn)
    {
        if (arn is null)
        {
            return null;
        }
        var parts = arn.Split(':', 6);
        return parts.Length == 6 && parts[4].Length == 12 && parts[4].All(char.IsAsciiDigit) ? parts[4] : null;
    }

    private static bool? Bool(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        } : null;

    private static string? NonEmpty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
