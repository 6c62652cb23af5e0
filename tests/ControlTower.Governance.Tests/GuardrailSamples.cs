extern alias collectoraws;
extern alias collectorazure;

using System.Text.Json;
using System.Text.Json.Nodes;
using ControlTower.Contracts.Activity;
using ControlTower.Testing;
using AwsParsing = collectoraws::ControlTower.Collector.Aws.Parsing;
using AzureParsing = collectorazure::ControlTower.Collector.Azure.Parsing;

namespace ControlTower.Governance.Tests;

/// <summary>
/// CloudTrail and Activity Log records for the guardrail tests, normalised by the collectors' own normalisers:
/// the shared samples where one shows the event, else records shaped like real ones (CloudTrail's field names
/// and shapes from the CloudTrail user guide; Activity Log's export form).
/// </summary>
internal static class GuardrailSamples
{
    private static readonly Lazy<Dictionary<string, string>> CloudTrailRecords = new(() =>
        File.ReadAllLines(Repository.TestData("aws/cloudtrail-records.jsonl")).Where(l => l.Length > 0)
            .ToDictionary(l => JsonNode.Parse(l)!["eventID"]!.GetValue<string>(), l => l));

    /// <summary>A record of the shared CloudTrail samples (tests/TestData/aws/cloudtrail-records.jsonl) by its eventID.</summary>
    public static JsonObject Sample(string eventId) => JsonNode.Parse(CloudTrailRecords.Value[eventId])!.AsObject();

    /// <summary>A record of the shared Activity Log samples in the REST form (activity-log-rest-events.json) by its eventDataId.</summary>
    public static JsonObject AzureRestSample(string eventDataId)
    {
        var root = JsonNode.Parse(File.ReadAllText(Repository.TestData("azure/activity-log-rest-events.json")))!;
        var list = root is JsonArray array ? array : root["value"]!.AsArray();
        return list.Single(r => r!["eventDataId"]!.GetValue<string>() == eventDataId)!.DeepClone().AsObject();
    }

    /// <summary>The identities CloudTrail records name, by kind.</summary>
    public static JsonObject Identity(string account, string kind = "role", string name = "Operator") => kind switch
    {
        "root" => new JsonObject
        {
            ["type"] = "Root", ["principalId"] = account, ["arn"] = $"arn:aws:iam::{account}:root", ["accountId"] = account,
            ["accessKeyId"] = "ASIAEXAMPLEROOT00001",
        },
        "user" => new JsonObject
        {
            ["type"] = "IAMUser", ["principalId"] = "AIDAEXAMPLEUSER00001", ["arn"] = $"arn:aws:iam::{account}:user/{name}", ["accountId"] = account,
            ["accessKeyId"] = "AKIAEXAMPLEUSER00001", ["userName"] = name,
        },
        "service-linked" => AssumedRole(account, $"aws-service-role/{name}.amazonaws.com/", $"AWSServiceRoleFor{name}", name),
        _ => AssumedRole(account, "", name, "alex@example.com"),
    };

    private static JsonObject AssumedRole(string account, string path, string role, string session) => new()
    {
        ["type"] = "AssumedRole",
        ["principalId"] = $"AROAEXAMPLEROLE00001:{session}",
        ["arn"] = $"arn:aws:sts::{account}:assumed-role/{role}/{session}",
        ["accountId"] = account,
        ["accessKeyId"] = "ASIAEXAMPLEROLE00001",
        ["sessionContext"] = new JsonObject
        {
            ["sessionIssuer"] = new JsonObject
            {
                ["type"] = "Role", ["principalId"] = "AROAEXAMPLEROLE00001", ["arn"] = $"arn:aws:iam::{account}:role/{path}{role}",
                ["accountId"] = account, ["userName"] = role,
            },
            ["attributes"] = new JsonObject { ["creationDate"] = "2026-11-28T09:00:00Z", ["mfaAuthenticated"] = "false" },
        },
    };

    /// <summary>A management-event CloudTrail record as a trail delivers it, under a fresh eventID.</summary>
    public static JsonObject CloudTrail(string eventSource, string eventName, string account, JsonNode? requestParameters = null,
        JsonObject? identity = null, string? errorCode = null, string region = "eu-west-1", JsonNode? responseElements = null,
        JsonObject? additionalEventData = null, string eventType = "AwsApiCall")
    {
        var record = new JsonObject
        {
            ["eventVersion"] = "1.10",
            ["userIdentity"] = identity ?? Identity(account),
            ["eventTime"] = "2026-11-28T10:15:00Z",
            ["eventSource"] = eventSource,
            ["eventName"] = eventName,
            ["awsRegion"] = region,
            ["sourceIPAddress"] = "203.0.113.10",
            ["userAgent"] = "aws-cli/2.15.0 md/awscrt#0.19.19 ua/2.0 os/linux#6.1",
            ["requestParameters"] = requestParameters,
            ["responseElements"] = responseElements,
            ["requestID"] = Guid.NewGuid().ToString(),
            ["eventID"] = Guid.NewGuid().ToString(),
            ["readOnly"] = false,
            ["eventType"] = eventType,
            ["managementEvent"] = true,
            ["recipientAccountId"] = account,
            ["eventCategory"] = "Management",
        };
        if (additionalEventData is not null)
        {
            record["additionalEventData"] = additionalEventData;
        }
        if (errorCode is not null)
        {
            record["errorCode"] = errorCode;
            record["errorMessage"] = $"User is not authorized to perform: {eventSource.Split('.')[0]}:{eventName} with an explicit deny in a service control policy";
        }
        return record;
    }

    /// <summary>
    /// An Activity Log record in the diagnostic-settings export form, as Event Hubs and storage carry it. The form has
    /// no id of its own (the collector keys it by its content); the fresh correlation id makes each record distinct.
    /// </summary>
    public static JsonObject ActivityLog(string operationName, string subscription, string resourceId, string resultType = "Success",
        JsonObject? properties = null, string caller = "avery.admin@contoso.com")
    {
        return new JsonObject
        {
            ["time"] = "2026-11-28T10:20:00.1234567Z",
            ["resourceId"] = resourceId,
            ["operationName"] = operationName,
            ["category"] = "Administrative",
            ["resultType"] = resultType,
            ["resultSignature"] = resultType == "Success" ? "Succeeded.OK" : "Failed.Forbidden",
            ["durationMs"] = "412",
            ["callerIpAddress"] = "203.0.113.24",
            ["correlationId"] = Guid.NewGuid().ToString(),
            ["identity"] = new JsonObject
            {
                ["authorization"] = new JsonObject { ["scope"] = resourceId, ["action"] = operationName },
                ["claims"] = new JsonObject
                {
                    ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"] = caller,
                    ["http://schemas.microsoft.com/identity/claims/objectidentifier"] = "cccccccc-2222-3333-4444-dddddddddddd",
                },
            },
            ["level"] = "Information",
            ["location"] = "global",
            ["properties"] = properties ?? new JsonObject(),
            ["subscriptionId"] = subscription,
        };
    }

    /// <summary>A CloudTrail record as Collector.Aws normalises it.</summary>
    public static CloudActivity FromCloudTrail(JsonObject record)
    {
        using var document = JsonDocument.Parse(record.ToJsonString());
        var context = AwsParsing.RecordContext.None with { ReceivedAt = DateTimeOffset.UtcNow };
        Assert.True(AwsParsing.CloudTrailNormalizer.TryNormalize(document.RootElement, 0, context, out var activity, out var error), error?.Message);
        return activity;
    }

    /// <summary>An Activity Log record (either form) as Collector.Azure normalises it.</summary>
    public static CloudActivity FromActivityLog(JsonObject record)
    {
        using var document = JsonDocument.Parse(record.ToJsonString());
        var context = AzureParsing.AzureContext.None with { ReceivedAt = DateTimeOffset.UtcNow };
        Assert.True(AzureParsing.ActivityLogNormalizer.TryNormalize(document.RootElement, 0, context, out var activity, out var error), error?.Message);
        return activity;
    }
}
