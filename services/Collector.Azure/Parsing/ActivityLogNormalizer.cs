using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using ControlTower.Collector.Ingestion;
using ControlTower.Contracts.Activity;

namespace ControlTower.Collector.Azure.Parsing;

/// <summary>
/// Turns Azure Activity Log records into <see cref="CloudActivity"/>: the form diagnostic settings export to
/// Event Hubs and storage (<c>time</c>, <c>operationName</c>, <c>resultType</c>, <c>identity</c>, ...) and the
/// REST/portal form (<c>eventTimestamp</c>, <c>operationName.value</c>, <c>status.value</c>, <c>claims</c>, ...),
/// which name the same things differently. Case and value variants are read as one: category
/// <c>Administrative</c>/<c>Write</c>/<c>Action</c>, upper-case operation names, result <c>Success</c>/<c>Succeeded</c>,
/// level <c>Information</c>/<c>Informational</c>. A record is refused only when it has no operation name.
/// </summary>
/// <remarks>
/// The export form carries no unique id of its own. Where a record has no <c>eventDataId</c>, its key is the
/// SHA-256 of its bytes (<c>sha256:</c> and 32 hex digits), so a record delivered twice is stored once; a record
/// re-serialised differently on the way is then a different record, which loses nothing.
/// </remarks>
public static class ActivityLogNormalizer
{
    public const string ContentKeyPrefix = "sha256:";

    /// <summary><c>{"records":[...]}</c> (diagnostic-settings export), <c>{"value":[...]}</c> (REST list), an array, or one record.</summary>
    public static IReadOnlyList<JsonElement>? Select(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            return root.EnumerateArray().ToList();
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        foreach (var name in new[] { "records", "value" })
        {
            if (root.TryGetProperty(name, out var list))
            {
                return list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList() : null;
            }
        }
        return root.TryGetProperty("operationName", out _) ? [root] : null;
    }

    public static bool TryNormalize(JsonElement record, int index, AzureContext context, out CloudActivity activity, out RecordError error)
    {
        activity = null!;
        error = null!;
        if (record.ValueKind != JsonValueKind.Object)
        {
            error = new RecordError(index, "$", $"a record must be a JSON object, not {record.ValueKind}");
            return false;
        }
        var f = Fields.Read(record);
        var operationName = AzureFields.SharedValue(f.OperationName);
        if (operationName is null)
        {
            error = new RecordError(index, "operationName", "'operationName' is missing or not a non-empty string");
            return false;
        }

        List<string>? anomalies = null;
        var rest = f.EventTimestamp.ValueKind != JsonValueKind.Undefined || f.EventDataId.ValueKind != JsonValueKind.Undefined;
        var claims = rest ? f.Claims : AzureFields.Object(f.Identity, "claims");
        var authorization = rest ? f.Authorization : AzureFields.Object(f.Identity, "authorization");

        var timeValue = rest ? f.EventTimestamp : f.Time;
        DateTimeOffset time;
        if (SourceTime.TryRead(timeValue, out var parsed))
        {
            time = parsed;
        }
        else
        {
            time = context.ReceivedAt;
            var timeName = rest ? "eventTimestamp" : "time";
            Note(ref anomalies, timeValue.ValueKind == JsonValueKind.String
                ? $"{timeName} '{AzureFields.Truncate(timeValue.GetString()!)}' is not a time; received time used"
                : $"{timeName} missing; received time used");
        }

        var raw = RawRecords.Of(record, context.Source);
        var eventId = AzureFields.Text(f.EventDataId) ?? AzureFields.Text(f.Properties, "eventDataId") ?? ContentKey(raw);
        var resourceId = AzureFields.Text(f.ResourceId);
        var parts = AzureFields.ResourceIdParts.Parse(resourceId);
        var account = AzureFields.SharedLower(f.SubscriptionId) ?? parts.Subscription;
        if (account is null)
        {
            Note(ref anomalies, "no subscription in the record or its resource id");
        }
        var status = rest ? AzureFields.SharedValue(f.Status) : AzureFields.Shared(f.ResultType);
        var subStatus = rest ? AzureFields.SharedValue(f.SubStatus) : AzureFields.Shared(f.ResultSignature);
        var outcome = AzureFields.Outcome(status);
        var caller = AzureFields.ReadCaller(claims, authorization);
        var identity = caller.Identity;
        var category = AzureFields.Category(AzureFields.SharedValue(f.Category) ?? AzureFields.Text(f.Properties, "eventCategory"));
        var operation = operationName.Contains('/', StringComparison.Ordinal)
            ? f.OperationName.ValueKind == JsonValueKind.String ? AzureFields.SharedLower(f.OperationName)! : operationName.ToLowerInvariant()
            : operationName;
        var service = AzureFields.SharedValue(f.ResourceProviderName)?.ToLowerInvariant()
            ?? AzureFields.OperationNamespace(operation) ?? parts.Provider ?? AzureFields.Provider;

        activity = new CloudActivity
        {
            Provider = AzureFields.Provider,
            EventId = eventId,
            Time = time,
            Account = account ?? AzureFields.UnknownAccount,
            Region = AzureFields.Shared(f.Location),
            Service = service,
            Operation = operation,
            ResourceId = resourceId,
            ResourceGroup = AzureFields.Shared(f.ResourceGroupName) ?? parts.ResourceGroup,
            CorrelationId = AzureFields.Text(f.CorrelationId),
            Level = AzureFields.Level(AzureFields.SharedValue(f.Level)),
            Actor = AzureFields.Actor(identity, AzureFields.Shared(f.Caller)),
            ActorType = identity?.Type,
            Identity = identity,
            MfaUsed = caller.MfaUsed,
            SourceIp = AzureFields.Address(rest ? AzureFields.Text(f.HttpRequest, "clientIpAddress") : AzureFields.Shared(f.CallerIpAddress)),
            RequestId = AzureFields.Text(f.HttpRequest, "clientRequestId"),
            Outcome = outcome,
            ErrorCode = outcome == ActivityOutcome.Failure ? subStatus ?? Code(f.Properties) ?? status : null,
            ErrorMessage = outcome == ActivityOutcome.Failure ? AzureFields.Text(f.ResultDescription) : null,
            ReadOnly = operation.Contains('/', StringComparison.Ordinal) ? operation.EndsWith("/read", StringComparison.Ordinal) : null,
            ManagementEvent = category == "Administrative" ? true : null,
            EventType = "ActivityLog",
            EventCategory = category,
            EventVersion = AzureFields.Shared(f.SchemaVersion),
            OrganizationId = AzureFields.Shared(f.TenantId) ?? identity?.Account,
            Resources = resourceId is null ? [] : [new ActivityResource { Id = resourceId, Type = parts.Type, Account = account }],
            Anomalies = (IReadOnlyList<string>?)anomalies ?? [],
            Raw = raw,
        };
        return true;
    }

    /// <summary>The key of a record without an id: <c>sha256:</c> and the first 128 bits of the SHA-256 of its bytes, in hex.</summary>
    public static string ContentKey(RawJson raw)
    {
        // One hasher per thread, reset after each use: a fresh one per record costs more than hashing the record.
        var hasher = sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        if (raw.TryGetUtf8(out var utf8))
        {
            hasher.AppendData(utf8);
        }
        else
        {
            hasher.AppendData(System.Text.Encoding.UTF8.GetBytes(raw.ToString()));
        }
        hasher.GetHashAndReset(hash);
        return string.Create(ContentKeyPrefix.Length + 32, hash[..16].ToArray(), static (chars, bytes) =>
        {
            ContentKeyPrefix.CopyTo(chars);
            Convert.TryToHexStringLower(bytes, chars[ContentKeyPrefix.Length..], out _);
        });
    }

    [ThreadStatic]
    private static IncrementalHash? sha256;

    private static string? Code(JsonElement properties) =>
        properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("statusCode", out var code)
            ? code.ValueKind == JsonValueKind.Number ? code.GetRawText() : AzureFields.Text(code)
            : null;

    private static void Note(ref List<string>? anomalies, string note) => (anomalies ??= []).Add(note);

    /// <summary>The record's top-level fields of both forms, found in one pass over its properties.</summary>
    private struct Fields
    {
        private static readonly byte[][] Names =
        [
            "time"u8.ToArray(), "eventTimestamp"u8.ToArray(), "resourceId"u8.ToArray(), "operationName"u8.ToArray(),
            "category"u8.ToArray(), "resultType"u8.ToArray(), "resultSignature"u8.ToArray(), "status"u8.ToArray(),
            "subStatus"u8.ToArray(), "callerIpAddress"u8.ToArray(), "correlationId"u8.ToArray(), "identity"u8.ToArray(),
            "level"u8.ToArray(), "location"u8.ToArray(), "properties"u8.ToArray(), "tenantId"u8.ToArray(),
            "eventDataId"u8.ToArray(), "subscriptionId"u8.ToArray(), "resourceGroupName"u8.ToArray(), "resourceProviderName"u8.ToArray(),
            "claims"u8.ToArray(), "authorization"u8.ToArray(), "httpRequest"u8.ToArray(), "caller"u8.ToArray(),
            "resultDescription"u8.ToArray(), "schemaVersion"u8.ToArray(),
        ];

        private Slots slots;

        public readonly JsonElement Time => slots[0];
        public readonly JsonElement EventTimestamp => slots[1];
        public readonly JsonElement ResourceId => slots[2];
        public readonly JsonElement OperationName => slots[3];
        public readonly JsonElement Category => slots[4];
        public readonly JsonElement ResultType => slots[5];
        public readonly JsonElement ResultSignature => slots[6];
        public readonly JsonElement Status => slots[7];
        public readonly JsonElement SubStatus => slots[8];
        public readonly JsonElement CallerIpAddress => slots[9];
        public readonly JsonElement CorrelationId => slots[10];
        public readonly JsonElement Identity => slots[11];
        public readonly JsonElement Level => slots[12];
        public readonly JsonElement Location => slots[13];
        public readonly JsonElement Properties => slots[14];
        public readonly JsonElement TenantId => slots[15];
        public readonly JsonElement EventDataId => slots[16];
        public readonly JsonElement SubscriptionId => slots[17];
        public readonly JsonElement ResourceGroupName => slots[18];
        public readonly JsonElement ResourceProviderName => slots[19];
        public readonly JsonElement Claims => slots[20];
        public readonly JsonElement Authorization => slots[21];
        public readonly JsonElement HttpRequest => slots[22];
        public readonly JsonElement Caller => slots[23];
        public readonly JsonElement ResultDescription => slots[24];
        public readonly JsonElement SchemaVersion => slots[25];

        public static Fields Read(JsonElement record)
        {
            var fields = default(Fields);
            PropertySlots.Read(record, Names, fields.slots);
            return fields;
        }

        [System.Runtime.CompilerServices.InlineArray(26)]
        private struct Slots
        {
            private JsonElement first;
        }
    }
}
