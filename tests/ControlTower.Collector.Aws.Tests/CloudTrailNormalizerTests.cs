using System.Text.Json;
using ControlTower.Collector.Aws.Parsing;
using ControlTower.Contracts.Activity;
using ControlTower.Testing;

namespace ControlTower.Collector.Aws.Tests;

public sealed class CloudTrailNormalizerTests
{
    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void EverySampleRecordIsEitherNormalisedOrRejectedNamingItsField()
    {
        var lines = File.ReadAllLines(Repository.TestData("aws/cloudtrail-records.jsonl")).Where(l => l.Length > 0).ToList();
        var records = Parse("[" + string.Join(',', lines) + "]");

        var (activities, errors) = CloudTrailNormalizer.NormalizeAll(records);

        Assert.Equal(lines.Count, activities.Count + errors.Count);
        Assert.All(errors, e => Assert.Contains(e.Field, new[] { "recipientAccountId", "eventTime" }));
        // The corpus has one record whose eventTime is a placeholder ("..."): it must be refused, not guessed.
        Assert.Contains(errors, e => e.Field == "eventTime");
        Assert.True(activities.Count >= 330, $"only {activities.Count} of {lines.Count} sample records normalised");
        Assert.All(activities, a =>
        {
            Assert.Equal("aws", a.Provider);
            Assert.False(string.IsNullOrWhiteSpace(a.Account));
            Assert.False(a.Service.EndsWith(".amazonaws.com", StringComparison.Ordinal));
            Assert.Equal(a.EventId, Parse(a.Raw).GetProperty("eventID").GetString());
        });
    }

    [Fact]
    public void NonIsoEventTimesAreReadAsUtc()
    {
        var record = Parse(CloudTrailFiles.Record(time: "2024-01-15 10:30:00.123").ToJsonString());

        Assert.True(CloudTrailNormalizer.TryNormalize(record, 0, out var activity, out _));

        Assert.Equal(new DateTimeOffset(2024, 1, 15, 10, 30, 0, 123, TimeSpan.Zero), activity.Time);
    }

    [Fact]
    public void FailedCallsCarryTheirErrorCodeAndFailureOutcome()
    {
        var json = CloudTrailFiles.Record();
        json["errorCode"] = "AccessDenied";

        Assert.True(CloudTrailNormalizer.TryNormalize(Parse(json.ToJsonString()), 0, out var activity, out _));

        Assert.Equal(ActivityOutcome.Failure, activity.Outcome);
        Assert.Equal("AccessDenied", activity.ErrorCode);
    }

    [Fact]
    public void SuccessfulCallKeepsActorServiceAndRawRecord()
    {
        var json = CloudTrailFiles.Record(eventId: "e-1", account: "444455556666", eventName: "AttachUserPolicy");

        Assert.True(CloudTrailNormalizer.TryNormalize(Parse(json.ToJsonString()), 0, out var activity, out _));

        Assert.Equal(ActivityOutcome.Success, activity.Outcome);
        Assert.Null(activity.ErrorCode);
        Assert.Equal("iam", activity.Service);
        Assert.Equal("AttachUserPolicy", activity.Operation);
        Assert.Equal("arn:aws:iam::444455556666:user/test-operator", activity.Actor);
        Assert.Equal("IAMUser", activity.ActorType);
        Assert.Equal("444455556666", activity.Account);
        Assert.False(activity.ReadOnly);
        Assert.Equal(json.ToJsonString(), activity.Raw);
    }

    [Fact]
    public void AccountFallsBackToTheIdentityWhenRecipientIsMissing()
    {
        var json = CloudTrailFiles.Record(account: "222233334444");
        json.Remove("recipientAccountId");

        Assert.True(CloudTrailNormalizer.TryNormalize(Parse(json.ToJsonString()), 0, out var activity, out _));

        Assert.Equal("222233334444", activity.Account);
    }

    [Theory]
    [InlineData("eventID")]
    [InlineData("eventSource")]
    [InlineData("eventName")]
    [InlineData("eventTime")]
    public void RecordWithoutARequiredFieldIsRejectedNamingIt(string field)
    {
        var json = CloudTrailFiles.Record();
        json.Remove(field);

        Assert.False(CloudTrailNormalizer.TryNormalize(Parse(json.ToJsonString()), 7, out _, out var error));

        Assert.Equal(7, error.Index);
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void NonObjectRecordIsRejected()
    {
        Assert.False(CloudTrailNormalizer.TryNormalize(Parse("42"), 3, out _, out var error));
        Assert.Equal(3, error.Index);
        Assert.Equal("$", error.Field);
    }

    [Theory]
    [InlineData("iam.amazonaws.com", "iam")]
    [InlineData("s3.amazonaws.com", "s3")]
    [InlineData("custom.example", "custom.example")]
    public void ServiceNameDropsTheAmazonawsSuffix(string source, string expected) =>
        Assert.Equal(expected, CloudTrailNormalizer.ServiceName(source));
}
