using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace ControlTower.Testing;

/// <summary>Builds CloudTrail log-file bodies for tests, with fresh event ids so tests never collide.</summary>
public static class CloudTrailFiles
{
    public static JsonObject Record(string? eventId = null, string account = "111122223333", string eventName = "CreateUser",
        string time = "2026-11-28T10:00:00Z") => new()
        {
            ["eventVersion"] = "1.09",
            ["userIdentity"] = new JsonObject
            {
                ["type"] = "IAMUser",
                ["arn"] = $"arn:aws:iam::{account}:user/test-operator",
                ["accountId"] = account,
                ["userName"] = "test-operator",
            },
            ["eventTime"] = time,
            ["eventSource"] = "iam.amazonaws.com",
            ["eventName"] = eventName,
            ["awsRegion"] = "us-east-1",
            ["sourceIPAddress"] = "203.0.113.10",
            ["userAgent"] = "aws-cli/2.22.4",
            ["requestParameters"] = null,
            ["responseElements"] = null,
            ["eventID"] = eventId ?? Guid.NewGuid().ToString(),
            ["readOnly"] = false,
            ["eventType"] = "AwsApiCall",
            ["managementEvent"] = true,
            ["recipientAccountId"] = account,
        };

    /// <summary>An EventBridge event carrying <paramref name="record"/>, as CloudTrail's rules deliver it.</summary>
    public static JsonObject EventBridgeEnvelope(JsonNode record, string source = "aws.iam", string detailType = "AWS API Call via CloudTrail") => new()
    {
        ["version"] = "0",
        ["id"] = Guid.NewGuid().ToString(),
        ["detail-type"] = detailType,
        ["source"] = source,
        ["account"] = "111122223333",
        ["time"] = "2026-11-28T10:00:00Z",
        ["region"] = "us-east-1",
        ["resources"] = new JsonArray(),
        ["detail"] = record,
    };

    /// <summary>The <c>eventID</c> of every record of a log file, in order.</summary>
    public static List<string> EventIds(byte[] file)
    {
        using var document = System.Text.Json.JsonDocument.Parse(file);
        return [.. document.RootElement.GetProperty("Records").EnumerateArray().Select(record => record.GetProperty("eventID").GetString()!)];
    }

    public static string File(params JsonNode[] records) =>
        new JsonObject { ["Records"] = new JsonArray(records) }.ToJsonString();

    public static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            zip.Write(Encoding.UTF8.GetBytes(text));
        }
        return buffer.ToArray();
    }
}
