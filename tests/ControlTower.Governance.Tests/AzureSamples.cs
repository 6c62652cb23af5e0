using System.Globalization;
using System.Text.Json.Nodes;
using ControlTower.Contracts.Activity;
using ControlTower.Testing;

namespace ControlTower.Governance.Tests;

/// <summary>
/// Azure Activity Log records (tests/TestData/azure/governance-activity-records.jsonl and the REST sample) as
/// Governance receives them from Collector.Azure, and the baseline they drift from.
/// </summary>
internal static class AzureSamples
{
    public static string BaselinePath => Repository.TestData("azure/governance-baseline.yaml");

    public const string CorpSubscription = "11112222-bbbb-3333-cccc-4444dddd5555";
    public const string PlatformSubscription = "22223333-cccc-4444-dddd-5555eeee6666";

    /// <summary>The governance records, each as the collector would normalise it, with fresh event ids.</summary>
    public static List<CloudActivity> Events() =>
        [.. Records().Select(Activity)];

    public static List<JsonObject> Records() =>
        [.. File.ReadAllLines(Repository.TestData("azure/governance-activity-records.jsonl")).Where(l => l.Length > 0)
            .Select(line => JsonNode.Parse(line)!.AsObject())];

    /// <summary>The REST-form policy assignment delete of the shared samples (activity-log-rest-events.json).</summary>
    public static JsonObject RestAssignmentDelete() =>
        JsonNode.Parse(File.ReadAllText(Repository.TestData("azure/activity-log-rest-events.json")))!.AsArray()
            .Select(n => n!.AsObject())
            .Single(r => r["operationName"]!["value"]!.GetValue<string>() == "Microsoft.Authorization/policyAssignments/delete");

    /// <summary>
    /// An Activity Log record (export or REST form) as Collector.Azure normalises the fields Governance reads:
    /// operation and service in lower case, the outcome from resultType/status, under a fresh event id.
    /// </summary>
    public static CloudActivity Activity(JsonObject record)
    {
        var rest = record["eventTimestamp"] is not null;
        var operation = (rest ? record["operationName"]!["value"] : record["operationName"])!.GetValue<string>().ToLowerInvariant();
        var status = (rest ? record["status"]!["value"] : record["resultType"])!.GetValue<string>().ToLowerInvariant();
        var resourceId = record["resourceId"]!.GetValue<string>();
        var subscription = resourceId.Split('/') is { Length: > 2 } parts && parts[1].Equals("subscriptions", StringComparison.OrdinalIgnoreCase)
            ? parts[2].ToLowerInvariant() : "unknown";
        return new CloudActivity
        {
            Provider = "azure",
            EventId = Guid.NewGuid().ToString(),
            Time = DateTimeOffset.Parse((rest ? record["eventTimestamp"] : record["time"])!.GetValue<string>(), CultureInfo.InvariantCulture),
            Account = subscription,
            Service = operation[..operation.IndexOf('/', StringComparison.Ordinal)],
            Operation = operation,
            ResourceId = resourceId,
            Outcome = status switch
            {
                "success" or "succeeded" => ActivityOutcome.Success,
                "failure" or "failed" => ActivityOutcome.Failure,
                _ => ActivityOutcome.Unknown,
            },
            Raw = record.ToJsonString(),
        };
    }

    /// <summary>An export-form record of <paramref name="operation"/> on <paramref name="resourceId"/> at <paramref name="time"/>, with an optional request body.</summary>
    public static CloudActivity Record(string operation, string resourceId, string time, JsonObject? requestBody = null)
    {
        var record = new JsonObject
        {
            ["time"] = time,
            ["resourceId"] = resourceId,
            ["operationName"] = operation,
            ["category"] = "Administrative",
            ["resultType"] = "Success",
            ["properties"] = new JsonObject { ["eventCategory"] = "Administrative" },
        };
        if (requestBody is not null)
        {
            record["properties"]!["requestbody"] = requestBody.ToJsonString();
        }
        return Activity(record);
    }
}
