using System.Text.Json;
using ControlTower.Collector.Ingestion;
using ControlTower.Contracts.Activity;

namespace ControlTower.Collector.Azure.Parsing;

/// <summary>
/// Turns Event Grid events, in the Event Grid schema or as CloudEvents 1.0, into <see cref="CloudActivity"/>. Both
/// schemas carry the same <c>data</c>; only the envelope's names differ (<c>eventType</c>/<c>type</c>,
/// <c>topic</c>/<c>source</c>, <c>eventTime</c>/<c>time</c>), so the same event arriving either way is one activity
/// under its <c>id</c>. Resource events (<c>Microsoft.Resources.*</c>) and policy state events
/// (<c>Microsoft.PolicyInsights.*</c>) are read in full; any other event type is kept by its type and subject.
/// </summary>
public static class EventGridNormalizer
{
    public const string ValidationEventType = "Microsoft.EventGrid.SubscriptionValidationEvent";
    private const string ResourcesPrefix = "Microsoft.Resources.";
    private const string PolicyPrefix = "Microsoft.PolicyInsights.PolicyState";

    /// <summary>An array of events, or one event object (CloudEvents structured mode).</summary>
    public static IReadOnlyList<JsonElement>? Select(JsonElement root) => root.ValueKind switch
    {
        JsonValueKind.Array => root.EnumerateArray().ToList(),
        JsonValueKind.Object => [root],
        _ => null,
    };

    /// <summary>The validation code when every record is a subscription validation event (Event Grid sends it alone); else null.</summary>
    public static string? ValidationCode(IReadOnlyList<JsonElement> records)
    {
        string? code = null;
        foreach (var record in records)
        {
            if (AzureFields.Text(record, "eventType") != ValidationEventType)
            {
                return null;
            }
            code ??= AzureFields.Text(AzureFields.Object(record, "data"), "validationCode");
        }
        return code;
    }

    public static bool TryNormalizeEventGrid(JsonElement record, int index, AzureContext context, out CloudActivity activity, out RecordError error) =>
        TryNormalize(record, index, context, cloudEvent: false, out activity, out error);

    public static bool TryNormalizeCloudEvent(JsonElement record, int index, AzureContext context, out CloudActivity activity, out RecordError error) =>
        TryNormalize(record, index, context, cloudEvent: true, out activity, out error);

    private static bool TryNormalize(JsonElement record, int index, AzureContext context, bool cloudEvent, out CloudActivity activity, out RecordError error)
    {
        activity = null!;
        error = null!;
        if (record.ValueKind != JsonValueKind.Object)
        {
            error = new RecordError(index, "$", $"an event must be a JSON object, not {record.ValueKind}");
            return false;
        }
        var (typeName, topicName, timeName) = cloudEvent ? ("type", "source", "time") : ("eventType", "topic", "eventTime");
        var id = AzureFields.Text(record, "id");
        var type = AzureFields.Text(record, typeName);
        var missing = id is null ? "id" : type is null ? typeName : null;
        if (cloudEvent && missing is null && AzureFields.Text(record, "source") is null)
        {
            missing = "source";
        }
        if (missing is not null)
        {
            error = new RecordError(index, missing, $"'{missing}' is missing or not a non-empty string");
            return false;
        }
        if (cloudEvent && AzureFields.Text(record, "specversion") is var version && version != "1.0")
        {
            error = new RecordError(index, "specversion", $"specversion '{version ?? "(none)"}' is not 1.0, the CloudEvents version accepted");
            return false;
        }
        if (type == ValidationEventType)
        {
            error = new RecordError(index, typeName,
                "a subscription validation event is a handshake, not an activity: it is answered only when it arrives alone, as Event Grid sends it");
            return false;
        }

        List<string>? anomalies = null;
        var data = AzureFields.Object(record, "data");
        var topic = AzureFields.Text(record, topicName);
        var subject = AzureFields.Text(record, "subject");
        DateTimeOffset time;
        if (record.TryGetProperty(timeName, out var timeValue) && SourceTime.TryRead(timeValue, out var parsed))
        {
            time = parsed;
        }
        else
        {
            time = context.ReceivedAt;
            (anomalies ??= []).Add($"{timeName} missing or not a time; received time used");
        }

        var raw = RawRecords.Of(record, context.Source);
        activity = type!.StartsWith(PolicyPrefix, StringComparison.OrdinalIgnoreCase)
            ? PolicyState(id!, type, time, topic, subject, data, raw)
            : type.StartsWith(ResourcesPrefix, StringComparison.OrdinalIgnoreCase)
                ? ResourceEvent(id!, type, time, topic, subject, data, raw)
                : OtherEvent(id!, type, time, topic, subject, raw);
        if (activity.Account == AzureFields.UnknownAccount)
        {
            (anomalies ??= []).Add("no subscription in the event's data, topic or subject");
        }
        activity = activity with
        {
            EventVersion = AzureFields.Text(record, "dataVersion") ?? (cloudEvent ? "cloudevents/1.0" : null),
            Anomalies = (IReadOnlyList<string>?)anomalies ?? [],
        };
        return true;
    }

    /// <summary>
    /// <c>Microsoft.Resources.Resource{Write|Delete|Action}{Success|Failure|Cancel}</c>: an ARM operation, with its
    /// caller's claims and the role assignment that allowed it.
    /// </summary>
    private static CloudActivity ResourceEvent(string id, string type, DateTimeOffset time, string? topic, string? subject, JsonElement data, RawJson raw)
    {
        var resourceId = AzureFields.Text(data, "resourceUri") ?? subject;
        var account = AzureFields.Text(data, "subscriptionId")?.ToLowerInvariant()
            ?? AzureFields.Subscription(topic) ?? AzureFields.Subscription(resourceId) ?? AzureFields.UnknownAccount;
        var operationName = AzureFields.Text(data, "operationName");
        var claims = AzureFields.Object(data, "claims");
        var http = AzureFields.Object(data, "httpRequest");
        var caller = AzureFields.ReadCaller(claims, AzureFields.Object(data, "authorization"));
        var identity = caller.Identity;
        var status = AzureFields.Text(data, "status");
        var (outcome, errorCode) = type.EndsWith("Success", StringComparison.OrdinalIgnoreCase) ? (ActivityOutcome.Success, (string?)null)
            : type.EndsWith("Failure", StringComparison.OrdinalIgnoreCase) ? (ActivityOutcome.Failure, status ?? "Failed")
            : type.EndsWith("Cancel", StringComparison.OrdinalIgnoreCase) ? (ActivityOutcome.Failure, status ?? "Canceled")
            : (AzureFields.Outcome(status), null);
        return new CloudActivity
        {
            Provider = AzureFields.Provider,
            EventId = id,
            Time = time,
            Account = account,
            Service = AzureFields.Text(data, "resourceProvider")?.ToLowerInvariant()
                ?? AzureFields.OperationNamespace(operationName) ?? AzureFields.ProviderOf(resourceId)?.ToLowerInvariant() ?? "microsoft.resources",
            Operation = operationName is null ? type : AzureFields.Operation(operationName),
            ResourceId = resourceId,
            ResourceGroup = AzureFields.ResourceGroup(resourceId),
            CorrelationId = AzureFields.Text(data, "correlationId"),
            Actor = AzureFields.Actor(identity),
            ActorType = identity?.Type,
            Identity = identity,
            MfaUsed = caller.MfaUsed,
            SourceIp = AzureFields.Address(AzureFields.Text(http, "clientIpAddress") ?? caller.IpAddress),
            RequestId = AzureFields.Text(http, "clientRequestId"),
            Outcome = outcome,
            ErrorCode = errorCode,
            // Resource events are emitted for PUT, PATCH, POST and DELETE on the management plane, never for reads.
            ReadOnly = false,
            ManagementEvent = true,
            EventType = type,
            EventCategory = "Administrative",
            OrganizationId = AzureFields.Text(data, "tenantId") ?? identity?.Account,
            Resources = AzureFields.Resources(resourceId, account),
            Raw = raw,
        };
    }

    /// <summary>
    /// <c>Microsoft.PolicyInsights.PolicyState{Created|Changed|Deleted}</c>: a resource's compliance with a policy
    /// assignment. Non-compliance is read as a failed outcome with the compliance state as its code, so that it
    /// reads like any other failed check downstream; the assignment and definition are listed as resources.
    /// </summary>
    private static CloudActivity PolicyState(string id, string type, DateTimeOffset time, string? topic, string? subject, JsonElement data, RawJson raw)
    {
        var account = AzureFields.Text(data, "subscriptionId")?.ToLowerInvariant()
            ?? AzureFields.Subscription(subject) ?? AzureFields.Subscription(topic) ?? AzureFields.UnknownAccount;
        var state = AzureFields.Text(data, "complianceState");
        var deleted = type.EndsWith("Deleted", StringComparison.OrdinalIgnoreCase);
        var outcome = deleted ? ActivityOutcome.Unknown : state?.ToLowerInvariant() switch
        {
            "compliant" => ActivityOutcome.Success,
            "noncompliant" => ActivityOutcome.Failure,
            _ => ActivityOutcome.Unknown,
        };
        var resources = new List<ActivityResource>(AzureFields.Resources(subject, account));
        foreach (var name in new[] { "policyAssignmentId", "policyDefinitionId" })
        {
            if (AzureFields.Text(data, name) is { } policy)
            {
                resources.Add(new ActivityResource { Id = policy, Type = AzureFields.ResourceType(policy), Account = AzureFields.Subscription(policy) });
            }
        }
        var change = type[PolicyPrefix.Length..].ToLowerInvariant();
        return new CloudActivity
        {
            Provider = AzureFields.Provider,
            EventId = id,
            Time = time,
            Account = account,
            Service = "microsoft.policyinsights",
            Operation = "microsoft.policyinsights/policystates/" + change,
            ResourceId = subject,
            ResourceGroup = AzureFields.ResourceGroup(subject),
            Outcome = outcome,
            ErrorCode = outcome == ActivityOutcome.Failure ? state : null,
            ErrorMessage = AzureFields.Text(data, "complianceReasonCode"),
            ReadOnly = false,
            ManagementEvent = true,
            EventType = type,
            EventCategory = "Policy",
            // A management-group system topic names the tenant: /tenants/{tenant}/providers/Microsoft.Management/managementGroups/{id}.
            OrganizationId = AzureFields.Segment(topic, "tenants"),
            Resources = resources,
            Raw = raw,
        };
    }

    /// <summary>Any other event type (a storage blob created, a key vault secret near expiry): kept by its type and subject.</summary>
    private static CloudActivity OtherEvent(string id, string type, DateTimeOffset time, string? topic, string? subject, RawJson raw)
    {
        var resourceId = subject is not null && subject.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase) ? subject : topic;
        var account = AzureFields.Subscription(topic) ?? AzureFields.Subscription(subject) ?? AzureFields.UnknownAccount;
        var dot = type.IndexOf('.', type.IndexOf('.', StringComparison.Ordinal) + 1);
        return new CloudActivity
        {
            Provider = AzureFields.Provider,
            EventId = id,
            Time = time,
            Account = account,
            Service = (dot > 0 ? type[..dot] : type).ToLowerInvariant(),
            Operation = type,
            ResourceId = resourceId,
            ResourceGroup = AzureFields.ResourceGroup(resourceId),
            Outcome = ActivityOutcome.Unknown,
            EventType = type,
            Resources = AzureFields.Resources(resourceId, account),
            Raw = raw,
        };
    }
}
