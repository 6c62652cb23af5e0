using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using ControlTower.Collector.Ingestion;
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

    private static readonly Utf8Interner Interned = new();

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

        var f = Fields.Read(record);
        var eventId = Text(f.EventId);
        var eventSource = Shared(f.EventSource);
        var eventName = Shared(f.EventName);
        var missing = eventId is null ? "eventID" : eventSource is null ? "eventSource" : eventName is null ? "eventName" : null;
        if (missing is not null)
        {
            error = new RecordError(index, missing, $"'{missing}' is missing or not a non-empty string");
            return false;
        }

        List<string>? anomalies = null;
        var identity = Identity(f.Identity);
        var time = EventTime(f.EventTime, context, ref anomalies);
        var recipient = Shared(f.Recipient);
        var account = Account(recipient, identity, context, ref anomalies);
        var recordRegion = Shared(f.Region);
        var region = recordRegion;
        if (region is null && context.Region is not null)
        {
            region = context.Region;
            Note(ref anomalies, $"awsRegion missing; taken from the container ({region})");
        }
        CrossCheck(context, recipient ?? identity?.Account, recordRegion, ref anomalies);
        var version = Shared(f.EventVersion);
        CheckVersion(version, ref anomalies);

        var errorCode = Shared(f.ErrorCode);
        if (errorCode is null && eventName == "ConsoleLogin" && f.ResponseElements.ValueKind == JsonValueKind.Object
            && string.Equals(NonEmpty(f.ResponseElements, "ConsoleLogin"), "Failure", StringComparison.OrdinalIgnoreCase))
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
            Service = Service(f.EventSource, eventSource!),
            Operation = eventName!,
            Actor = identity?.Arn ?? identity?.UserName ?? identity?.PrincipalId ?? identity?.InvokedBy,
            ActorType = identity?.Type,
            Identity = identity,
            SourceIp = Shared(f.SourceIp),
            UserAgent = Shared(f.UserAgent),
            Outcome = errorCode is null ? ActivityOutcome.Success : ActivityOutcome.Failure,
            ErrorCode = errorCode,
            ErrorMessage = Text(f.ErrorMessage),
            ReadOnly = Bool(f.ReadOnly),
            EventType = Shared(f.EventType),
            EventCategory = Shared(f.EventCategory),
            ManagementEvent = Bool(f.ManagementEvent),
            EventVersion = version,
            RecipientAccount = recipient,
            OrganizationId = context.OrganizationId,
            MfaUsed = MfaUsed(f.AdditionalEventData, f.Identity),
            RequestId = Text(f.RequestId),
            Resources = Resources(f.Resources, context),
            Anomalies = (IReadOnlyList<string>?)anomalies ?? [],
            Raw = RawRecord(record, context),
        };
        return true;
    }

    /// <summary>
    /// The record's top-level fields, found in one pass over its properties (looking each up by name costs
    /// a scan of the object per field: several times the parse itself on a 1 KB record).
    /// </summary>
    private struct Fields
    {
        // The names read, in slot order; the properties below name the slots.
        private static readonly byte[][] Names =
        [
            "eventID"u8.ToArray(), "eventSource"u8.ToArray(), "eventName"u8.ToArray(), "eventTime"u8.ToArray(),
            "recipientAccountId"u8.ToArray(), "userIdentity"u8.ToArray(), "awsRegion"u8.ToArray(), "sourceIPAddress"u8.ToArray(),
            "userAgent"u8.ToArray(), "errorCode"u8.ToArray(), "errorMessage"u8.ToArray(), "readOnly"u8.ToArray(),
            "eventType"u8.ToArray(), "eventCategory"u8.ToArray(), "managementEvent"u8.ToArray(), "eventVersion"u8.ToArray(),
            "requestID"u8.ToArray(), "resources"u8.ToArray(), "additionalEventData"u8.ToArray(), "responseElements"u8.ToArray(),
        ];

        private Slots slots;

        public readonly JsonElement EventId => slots[0];
        public readonly JsonElement EventSource => slots[1];
        public readonly JsonElement EventName => slots[2];
        public readonly JsonElement EventTime => slots[3];
        public readonly JsonElement Recipient => slots[4];
        public readonly JsonElement Identity => slots[5];
        public readonly JsonElement Region => slots[6];
        public readonly JsonElement SourceIp => slots[7];
        public readonly JsonElement UserAgent => slots[8];
        public readonly JsonElement ErrorCode => slots[9];
        public readonly JsonElement ErrorMessage => slots[10];
        public readonly JsonElement ReadOnly => slots[11];
        public readonly JsonElement EventType => slots[12];
        public readonly JsonElement EventCategory => slots[13];
        public readonly JsonElement ManagementEvent => slots[14];
        public readonly JsonElement EventVersion => slots[15];
        public readonly JsonElement RequestId => slots[16];
        public readonly JsonElement Resources => slots[17];
        public readonly JsonElement AdditionalEventData => slots[18];
        public readonly JsonElement ResponseElements => slots[19];

        public static Fields Read(JsonElement record)
        {
            var fields = default(Fields);
            PropertySlots.Read(record, Names, fields.slots);
            return fields;
        }

        [System.Runtime.CompilerServices.InlineArray(20)]
        private struct Slots
        {
            private JsonElement first;
        }
    }

    /// <summary>The service of an event source read from the record, shared as <see cref="Shared"/> shares text.</summary>
    private static string Service(JsonElement value, string eventSource)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        var text = raw[1..^1];
        return text.EndsWith(".amazonaws.com"u8) && text.IndexOf((byte)'\\') < 0
            ? Interned.Get(text[..^".amazonaws.com"u8.Length])
            : ServiceName(eventSource);
    }

    /// <summary>
    /// The element's JSON exactly as received: a slice of <see cref="RecordContext.Source"/> when the element
    /// was parsed from it (no copy), else a copy of its bytes.
    /// </summary>
    internal static RawJson RawRecord(JsonElement element, RecordContext context) => RawRecords.Of(element, context.Source);

    /// <summary><c>iam.amazonaws.com</c> → <c>iam</c>; anything else unchanged.</summary>
    public static string ServiceName(string eventSource)
    {
        const string suffix = ".amazonaws.com";
        return eventSource.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) ? eventSource[..^suffix.Length] : eventSource;
    }

    /// <summary>Reads CloudTrail's time forms: ISO 8601, and <c>yyyy-MM-dd HH:mm:ss[.fraction]</c> (UTC) as older tools write it.</summary>
    public static bool TryParseTime(string value, out DateTimeOffset time) => SourceTime.TryParse(value, out time);

    /// <inheritdoc cref="SourceTime.TryParse(ReadOnlySpan{byte}, out DateTimeOffset)"/>
    public static bool TryParseTime(ReadOnlySpan<byte> text, out DateTimeOffset time) => SourceTime.TryParse(text, out time);

    private static DateTimeOffset EventTime(JsonElement value, RecordContext context, ref List<string>? anomalies)
    {
        // Every form the corpus uses, read straight from the UTF-8; anything odder by the slower path.
        if (value.ValueKind == JsonValueKind.String && TryParseTime(JsonMarshal.GetRawUtf8Value(value)[1..^1], out var fast))
        {
            return fast;
        }
        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (text is not null && TryParseTime(text, out var time))
        {
            return time;
        }
        var fallback = context.Time ?? context.ReceivedAt;
        Note(ref anomalies, text is null
            ? $"eventTime missing; {(context.Time is null ? "received time" : "envelope time")} used"
            : $"eventTime '{Truncate(text)}' is not a time; {(context.Time is null ? "received time" : "envelope time")} used");
        return fallback;
    }

    private static void Note(ref List<string>? anomalies, string note) => (anomalies ??= []).Add(note);

    private static string Account(string? recipient, ActivityIdentity? identity, RecordContext context, ref List<string>? anomalies)
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
            Note(ref anomalies, $"no account in the record; taken from the container ({containerAccount})");
            return containerAccount;
        }
        if (ArnAccount(identity?.Arn) is { } arnAccount)
        {
            Note(ref anomalies, "no account in the record; taken from the caller's ARN");
            return arnAccount;
        }
        Note(ref anomalies, "no account in the record or its container");
        return UnknownAccount;
    }

    private static void CrossCheck(RecordContext context, string? recordAccount, string? recordRegion, ref List<string>? anomalies)
    {
        if (!context.CrossCheck)
        {
            return;
        }
        if (recordAccount is not null && context.Account is not null && recordAccount != context.Account)
        {
            Note(ref anomalies, $"account {recordAccount} differs from the S3 key's account {context.Account}");
        }
        if (recordRegion is not null && context.Region is not null && recordRegion != context.Region)
        {
            Note(ref anomalies, $"region {recordRegion} differs from the S3 key's region {context.Region}");
        }
    }

    private static void CheckVersion(string? version, ref List<string>? anomalies)
    {
        // Only the major version matters (AWS: equal major, any minor); it is the text before the first dot.
        if (version is null || version.StartsWith("1.", StringComparison.Ordinal) || version == "1")
        {
            return;
        }
        Note(ref anomalies, $"eventVersion {Truncate(version)} is not a 1.x version; read as 1.x");
    }

    private static ActivityIdentity? Identity(JsonElement id)
    {
        if (id.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        string? type = null, principal = null, arn = null, account = null, user = null, invokedBy = null, accessKey = null, provider = null;
        JsonElement issuer = default;
        // One pass, as for the record itself.
        foreach (var property in id.EnumerateObject())
        {
            var name = JsonMarshal.GetRawUtf8PropertyName(property);
            var value = property.Value;
            switch (name.Length)
            {
                case 3 when name.SequenceEqual("arn"u8): arn = Shared(value); break;
                case 4 when name.SequenceEqual("type"u8): type = Shared(value); break;
                case 8 when name.SequenceEqual("userName"u8): user = Shared(value); break;
                case 9 when name.SequenceEqual("accountId"u8): account = Shared(value); break;
                case 9 when name.SequenceEqual("invokedBy"u8): invokedBy = Shared(value); break;
                case 11 when name.SequenceEqual("principalId"u8): principal = Shared(value); break;
                case 11 when name.SequenceEqual("accessKeyId"u8): accessKey = Shared(value); break;
                case 16 when name.SequenceEqual("identityProvider"u8): provider = Shared(value); break;
                case 14 when name.SequenceEqual("sessionContext"u8)
                    && value.ValueKind == JsonValueKind.Object
                    && value.TryGetProperty("sessionIssuer"u8, out var found) && found.ValueKind == JsonValueKind.Object:
                    issuer = found;
                    break;
            }
        }
        return new ActivityIdentity
        {
            Type = type,
            PrincipalId = principal,
            Arn = arn,
            Account = account,
            UserName = user,
            InvokedBy = invokedBy,
            AccessKeyId = accessKey,
            SessionIssuerArn = NonEmpty(issuer, "arn"),
            SessionIssuerType = NonEmpty(issuer, "type"),
            IdentityProvider = provider,
        };
    }

    private static bool? MfaUsed(JsonElement extra, JsonElement id)
    {
        if (extra.ValueKind == JsonValueKind.Object && NonEmpty(extra, "MFAUsed") is { } used)
        {
            return string.Equals(used, "Yes", StringComparison.OrdinalIgnoreCase);
        }
        if (id.ValueKind == JsonValueKind.Object
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

    private static IReadOnlyList<ActivityResource> Resources(JsonElement list, RecordContext context)
    {
        if (list.ValueKind != JsonValueKind.Array && context.Resources.Count == 0)
        {
            return [];
        }
        var resources = new List<ActivityResource>();
        if (list.ValueKind == JsonValueKind.Array)
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

    private static bool? Bool(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>
    /// <see cref="Text"/> for values that repeat from record to record (names, regions, accounts, callers):
    /// the same string comes back for the same text instead of a fresh copy per record.
    /// </summary>
    private static string? Shared(JsonElement value) => Interned.Text(value);

    private static string? Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    /// <summary>The named property's text, when the element is an object and the property a non-empty string.</summary>
    internal static string? NonEmpty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? Text(value) : null;

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
