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
        var operationName = AzureFields.Value(record, "operationName");
        if (operationName is null)
        {
            error = new RecordError(index, "operationName", "'operationName' is missing or not a non-empty string");
            return false;
        }

        List<string>? anomalies = null;
        var rest = record.TryGetProperty("eventTimestamp", out _) || record.TryGetProperty("eventDataId", out _);
        var properties = AzureFields.Object(record, "properties");
        var identityElement = AzureFields.Object(record, "identity");
        var claims = rest ? AzureFields.Object(record, "claims") : AzureFields.Object(identityElement, "claims");
        var authorization = rest ? AzureFields.Object(record, "authorization") : AzureFields.Object(identityElement, "authorization");
        var http = AzureFields.Object(record, "httpRequest");

        var timeName = rest ? "eventTimestamp" : "time";
        DateTimeOffset time;
        if (record.TryGetProperty(timeName, out var timeValue) && SourceTime.TryRead(timeValue, out var parsed))
        {
            time = parsed;
        }
        else
        {
            time = context.ReceivedAt;
            Note(ref anomalies, timeValue.ValueKind == JsonValueKind.String
                ? $"{timeName} '{AzureFields.Truncate(timeValue.GetString()!)}' is not a time; received time used"
                : $"{timeName} missing; received time used");
        }

        var raw = RawRecords.Of(record, context.Source);
        var eventId = AzureFields.Text(record, "eventDataId") ?? AzureFields.Text(properties, "eventDataId") ?? ContentKey(raw);
        var resourceId = AzureFields.Text(record, "resourceId");
        var account = AzureFields.Text(record, "subscriptionId")?.ToLowerInvariant() ?? AzureFields.Subscription(resourceId);
        if (account is null)
        {
            Note(ref anomalies, "no subscription in the record or its resource id");
        }
        var status = rest ? AzureFields.Value(record, "status") : AzureFields.Text(record, "resultType");
        var subStatus = rest ? AzureFields.Value(record, "subStatus") : AzureFields.Text(record, "resultSignature");
        var outcome = AzureFields.Outcome(status);
        var identity = AzureFields.Identity(claims, authorization);
        var caller = AzureFields.Text(record, "caller");
        var category = AzureFields.Category(AzureFields.Value(record, "category") ?? AzureFields.Text(properties, "eventCategory"));
        var operation = AzureFields.Operation(operationName);

        activity = new CloudActivity
        {
            Provider = AzureFields.Provider,
            EventId = eventId,
            Time = time,
            Account = account ?? AzureFields.UnknownAccount,
            Region = AzureFields.Text(record, "location"),
            Service = AzureFields.Value(record, "resourceProviderName")?.ToLowerInvariant()
                ?? AzureFields.OperationNamespace(operationName) ?? AzureFields.ProviderOf(resourceId)?.ToLowerInvariant() ?? AzureFields.Provider,
            Operation = operation,
            ResourceId = resourceId,
            ResourceGroup = AzureFields.Text(record, "resourceGroupName") ?? AzureFields.ResourceGroup(resourceId),
            CorrelationId = AzureFields.Text(record, "correlationId"),
            Level = AzureFields.Level(AzureFields.Value(record, "level")),
            Actor = AzureFields.Actor(identity, caller),
            ActorType = identity?.Type,
            Identity = identity,
            MfaUsed = AzureFields.MfaUsed(claims),
            SourceIp = AzureFields.Address(rest ? AzureFields.Text(http, "clientIpAddress") : AzureFields.Text(record, "callerIpAddress")),
            RequestId = AzureFields.Text(http, "clientRequestId"),
            Outcome = outcome,
            ErrorCode = outcome == ActivityOutcome.Failure ? subStatus ?? Code(properties) ?? status : null,
            ErrorMessage = outcome == ActivityOutcome.Failure ? AzureFields.Text(record, "resultDescription") : null,
            ReadOnly = operation.Contains('/', StringComparison.Ordinal) ? operation.EndsWith("/read", StringComparison.Ordinal) : null,
            ManagementEvent = category == "Administrative" ? true : null,
            EventType = "ActivityLog",
            EventCategory = category,
            EventVersion = AzureFields.Text(record, "schemaVersion"),
            OrganizationId = AzureFields.Text(record, "tenantId") ?? identity?.Account,
            Resources = AzureFields.Resources(resourceId, account),
            Anomalies = (IReadOnlyList<string>?)anomalies ?? [],
            Raw = raw,
        };
        return true;
    }

    /// <summary>The key of a record without an id: <c>sha256:</c> and the first 128 bits of the SHA-256 of its bytes, in hex.</summary>
    public static string ContentKey(RawJson raw)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        if (raw.TryGetUtf8(out var utf8))
        {
            SHA256.HashData(utf8, hash);
        }
        else
        {
            SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(raw.ToString()), hash);
        }
        return ContentKeyPrefix + Convert.ToHexStringLower(hash[..16]);
    }

    private static string? Code(JsonElement properties) =>
        properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("statusCode", out var code)
            ? code.ValueKind == JsonValueKind.Number ? code.GetRawText() : AzureFields.Text(code)
            : null;

    private static void Note(ref List<string>? anomalies, string note) => (anomalies ??= []).Add(note);
}
