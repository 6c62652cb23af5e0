using System.Text.Json;
using System.Text.Json.Nodes;
using ControlTower.Collector.Aws.Parsing;
using ControlTower.Contracts.Activity;
using ControlTower.Testing;

namespace ControlTower.Collector.Aws.Tests;

public sealed class EventBridgeAndS3KeyTests
{
    private static readonly RecordContext Context = RecordContext.None with { ReceivedAt = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero) };

    private static CloudActivity Normalize(string envelope)
    {
        Assert.True(EventBridgeNormalizer.TryNormalize(JsonDocument.Parse(envelope).RootElement, 0, Context, out var activity, out var error), error?.Message);
        return activity;
    }

    [Fact]
    public void EverySampleEventBridgeEventIsTheCloudTrailRecordItCarries()
    {
        var lines = File.ReadAllLines(Repository.TestData("aws/eventbridge-events.jsonl")).Where(l => l.Length > 0).ToList();
        var batch = JsonNode.Parse(File.ReadAllText(Repository.TestData("aws/eventbridge-batch.json")))!.AsArray();

        foreach (var line in lines.Concat(batch.Select(e => e!.ToJsonString())))
        {
            var envelope = JsonNode.Parse(line)!;
            var activity = Normalize(line);

            Assert.Equal(envelope["detail"]!["eventID"]!.GetValue<string>(), activity.EventId);
            Assert.Equal(envelope["account"]!.GetValue<string>(), activity.Account);
            Assert.True(JsonNode.DeepEquals(envelope["detail"], JsonNode.Parse(activity.Raw)));
        }
        Assert.Equal(60, lines.Count);
    }

    [Theory]
    [InlineData("AWS API Call via CloudTrail")]
    [InlineData("AWS Console Sign In via CloudTrail")]
    [InlineData("AWS Console Signin via CloudTrail")]
    [InlineData("AWS Service Event via CloudTrail")]
    public void EveryCloudTrailDetailTypeIsReadFromItsRecord(string detailType)
    {
        var envelope = Envelope(detailType, "aws.organizations", CloudTrailFiles.Record(eventId: "ct-1", eventName: "MoveAccount"));

        var activity = Normalize(envelope);

        Assert.Equal("ct-1", activity.EventId);
        Assert.Equal("MoveAccount", activity.Operation);
    }

    [Fact]
    public void ControlTowerLifecycleEventWithoutACloudTrailRecordIsKeptUnderItsDetailType()
    {
        var envelope = Envelope("AWS Control Tower Landing Zone Updated", "aws.controltower",
            new JsonObject { ["landingZoneVersion"] = "3.3" }, resources: ["arn:aws:controltower:us-east-1:111122223333:landingzone/1A2B"]);

        var activity = Normalize(envelope);

        Assert.Equal("eb-1", activity.EventId);
        Assert.Equal("controltower", activity.Service);
        Assert.Equal("AWS Control Tower Landing Zone Updated", activity.Operation);
        Assert.Equal("111122223333", activity.Account);
        Assert.Equal("EventBridge", activity.EventType);
        Assert.Equal("arn:aws:controltower:us-east-1:111122223333:landingzone/1A2B", Assert.Single(activity.Resources).Arn);
        Assert.Contains("landingZoneVersion", activity.Raw);
    }

    [Fact]
    public void EnvelopeFillsWhatTheRecordLacks()
    {
        var record = CloudTrailFiles.Record(eventId: "ct-2");
        record.Remove("recipientAccountId");
        record["userIdentity"] = new JsonObject { ["type"] = "AWSService", ["invokedBy"] = "sso.amazonaws.com" };
        record.Remove("awsRegion");

        var activity = Normalize(Envelope("AWS API Call via CloudTrail", "aws.sso", record));

        Assert.Equal("111122223333", activity.Account);
        Assert.Equal("us-east-1", activity.Region);
    }

    [Theory]
    [InlineData("id")]
    [InlineData("detail-type")]
    [InlineData("source")]
    [InlineData("detail")]
    public void EventWithoutAnEnvelopeFieldIsRejectedNamingIt(string field)
    {
        var envelope = JsonNode.Parse(Envelope("AWS API Call via CloudTrail", "aws.iam", CloudTrailFiles.Record()))!.AsObject();
        envelope.Remove(field);

        Assert.False(EventBridgeNormalizer.TryNormalize(JsonDocument.Parse(envelope.ToJsonString()).RootElement, 2, Context, out _, out var error));

        Assert.Equal(2, error.Index);
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void CloudTrailRecordFaultsAreNamedInsideDetail()
    {
        var record = CloudTrailFiles.Record();
        record.Remove("eventName");

        Assert.False(EventBridgeNormalizer.TryNormalize(JsonDocument.Parse(Envelope("AWS API Call via CloudTrail", "aws.iam", record)).RootElement, 0, Context, out _, out var error));

        Assert.Equal("detail.eventName", error.Field);
    }

    [Theory]
    [InlineData("AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz", "111122223333", "us-east-2", null)]
    [InlineData("trails/AWSLogs/o-exampleorgid/444455556666/CloudTrail/eu-west-1/2026/11/28/444455556666_CloudTrail_eu-west-1_20261128T0905Z_abcdefghijklmnop.json.gz", "444455556666", "eu-west-1", "o-exampleorgid")]
    public void S3KeysNameTheirAccountRegionAndOrganisation(string key, string account, string region, string? organization)
    {
        Assert.True(S3Key.TryParse(key, out var parsed));
        Assert.Equal(account, parsed.Account);
        Assert.Equal(region, parsed.Region);
        Assert.Equal(organization, parsed.OrganizationId);
    }

    [Theory]
    [InlineData("AWSLogs/1111/CloudTrail/us-east-2/2015/08/01/file.json.gz")]
    [InlineData("AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/01/file.json.gz")]
    [InlineData("AWSLogs/111122223333/CloudTrail/us-east-2/2015/13/01/file.json.gz")]
    [InlineData("../../etc/passwd")]
    public void KeysThatAreNotCloudTrailLogFilesAreRefused(string key) => Assert.False(S3Key.TryParse(key, out _));

    private static string Envelope(string detailType, string source, JsonNode detail, string[]? resources = null) => new JsonObject
    {
        ["version"] = "0",
        ["id"] = "eb-1",
        ["detail-type"] = detailType,
        ["source"] = source,
        ["account"] = "111122223333",
        ["time"] = "2026-11-28T09:00:00Z",
        ["region"] = "us-east-1",
        ["resources"] = new JsonArray((resources ?? []).Select(r => (JsonNode)JsonValue.Create(r)!).ToArray()),
        ["detail"] = detail,
    }.ToJsonString();
}
