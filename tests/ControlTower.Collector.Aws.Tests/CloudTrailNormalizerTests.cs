using System.Text.Json;
using System.Text.Json.Nodes;
using ControlTower.Collector.Aws.Parsing;
using ControlTower.Collector.Ingestion;
using ControlTower.Contracts.Activity;
using ControlTower.Testing;

namespace ControlTower.Collector.Aws.Tests;

public sealed class CloudTrailNormalizerTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly RecordContext Context = RecordContext.None with { ReceivedAt = Received };

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    private static CloudActivity Normalize(JsonNode record, RecordContext? context = null)
    {
        Assert.True(CloudTrailNormalizer.TryNormalize(Parse(record.ToJsonString()), 0, context ?? Context, out var activity, out var error),
            error?.Message);
        return activity;
    }

    private static List<string> SampleLines(string file) =>
        File.ReadAllLines(Repository.TestData(file)).Where(l => l.Length > 0).ToList();

    [Fact]
    public void EverySampleRecordIsAcceptedWithItsRawRecordIntact()
    {
        var lines = SampleLines("aws/cloudtrail-records.jsonl");
        var records = Parse("[" + string.Join(',', lines) + "]");

        var (activities, errors) = CloudTrailNormalizer.NormalizeAll(records, Context);

        Assert.Empty(errors);
        Assert.Equal(lines.Count, activities.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(lines[i]), JsonNode.Parse(activities[i].Raw)), $"record {i} changed");
            Assert.Equal(Parse(lines[i]).GetProperty("eventID").GetString(), activities[i].EventId);
        }
        // The corpus has one record whose eventTime is a placeholder ("..."): kept, with the received time, and said so.
        var placeholder = Assert.Single(activities, a => a.Anomalies.Any(n => n.StartsWith("eventTime '...'", StringComparison.Ordinal)));
        Assert.Equal(Received, placeholder.Time);
        // Records that name no account anywhere are kept under "unknown", not dropped.
        Assert.All(activities.Where(a => a.Account == CloudTrailNormalizer.UnknownAccount),
            a => Assert.Contains(a.Anomalies, n => n.Contains("no account", StringComparison.Ordinal)));
    }

    [Fact]
    public void EveryOrganizationsSampleEventIsReadWithItsServiceEventAndPolicyTextKept()
    {
        var lines = SampleLines("aws/organizations-events.jsonl");

        var activities = lines.Select(l => Normalize(JsonNode.Parse(l)!)).ToList();

        Assert.All(activities, a =>
        {
            Assert.Equal("organizations", a.Service);
            Assert.Equal("us-east-1", a.Region);
            Assert.Empty(a.Anomalies);
        });
        var created = Assert.Single(activities, a => a.Operation == "CreateAccountResult");
        Assert.Equal("AwsServiceEvent", created.EventType);
        Assert.Contains("\"completedTimestamp\"", created.Raw);
        var update = Assert.Single(activities, a => a.Operation == "UpdatePolicy");
        // The escaped policy document survives as the string it was, for Governance to read.
        var content = Parse(update.Raw).GetProperty("requestParameters").GetProperty("content").GetString();
        Assert.Equal(JsonValueKind.Object, Parse(content!).ValueKind);
        var ou = Assert.Single(activities, a => a.Operation == "CreateOrganizationalUnit");
        Assert.Equal("arn:aws:iam::111122223333:role/service-role/AWSControlTowerAdmin", ou.Identity!.SessionIssuerArn);
        Assert.Equal("controltower.amazonaws.com", ou.Identity.InvokedBy);
        Assert.False(ou.MfaUsed);
    }

    [Theory]
    [InlineData("2024-01-15 10:30:00.123", "2024-01-15T10:30:00.1230000+00:00")]
    [InlineData("2022-09-30 15:11:25.000000000", "2022-09-30T15:11:25.0000000+00:00")]
    [InlineData("2026-11-28T09:02:11Z", "2026-11-28T09:02:11.0000000+00:00")]
    [InlineData("2026-11-28T10:02:11+01:00", "2026-11-28T09:02:11.0000000+00:00")]
    public void EventTimesInEveryFormTheCorpusUsesAreReadAsUtc(string text, string expected)
    {
        Assert.True(CloudTrailNormalizer.TryParseTime(text, out var time));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), time);
        Assert.Equal(TimeSpan.Zero, time.Offset);
    }

    [Theory]
    [InlineData("2024-01-15 10:30:00.123", "2024-01-15T10:30:00.1230000+00:00")]
    [InlineData("2022-09-30 15:11:25.000000000", "2022-09-30T15:11:25.0000000+00:00")]
    [InlineData("2022-09-30 15:11:25.123456789", "2022-09-30T15:11:25.1234567+00:00")]
    [InlineData("2026-11-28T09:02:11Z", "2026-11-28T09:02:11.0000000+00:00")]
    [InlineData("2026-11-28T09:02:11.5Z", "2026-11-28T09:02:11.5000000+00:00")]
    [InlineData("2026-11-28T10:02:11+01:00", "2026-11-28T09:02:11.0000000+00:00")]
    [InlineData("2026-11-28T00:30:00-05:30", "2026-11-28T06:00:00.0000000+00:00")]
    [InlineData("2024-02-29T23:59:59Z", "2024-02-29T23:59:59.0000000+00:00")]
    public void TimesAreReadStraightFromUtf8AsUtc(string text, string expected)
    {
        Assert.True(CloudTrailNormalizer.TryParseTime(System.Text.Encoding.UTF8.GetBytes(text), out var time));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), time);
        Assert.Equal(TimeSpan.Zero, time.Offset);
    }

    [Theory]
    [InlineData("2023-02-29T00:00:00Z")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("2026-11-28T24:00:00Z")]
    [InlineData("2026-11-28T09:02:11.Z")]
    [InlineData("2026-11-28T09:02:11+1:00")]
    [InlineData("2026-11-28T09:02:11 UTC")]
    [InlineData("2026-11-28")]
    [InlineData("yesterday at noon!!")]
    public void TextThatIsNotATimeIsNotReadAsOne(string text) =>
        Assert.False(CloudTrailNormalizer.TryParseTime(System.Text.Encoding.UTF8.GetBytes(text), out _));

    [Fact]
    public void RawRecordsShareTheBodyTheyWereParsedFromAndSurviveTheBus()
    {
        var body = System.Text.Encoding.UTF8.GetBytes(new JsonObject { ["Records"] = new JsonArray(CloudTrailFiles.Record(), CloudTrailFiles.Record()) }.ToJsonString());
        using var document = JsonDocument.Parse(body);
        var (activities, errors) = CloudTrailNormalizer.NormalizeAll(document.RootElement.GetProperty("Records"), Context with { Source = body });

        Assert.Empty(errors);
        var second = activities[1];
        Assert.True(second.Raw.TryGetUtf8(out var shared));
        // The raw record is the body's own bytes at the record's place, not a copy.
        Assert.True(System.Runtime.CompilerServices.Unsafe.AreSame(
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(shared),
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(document.RootElement.GetProperty("Records")[1]))));

        // On the bus it is the record's UTF-8 in base64 (no escaped quotes to read byte by byte); read back, it is the same text.
        var json = JsonSerializer.Serialize(second);
        var back = JsonSerializer.Deserialize<CloudActivity>(json)!;
        Assert.Equal(shared.ToArray(), Parse(json).GetProperty("Raw").GetBytesFromBase64());
        Assert.True(back.Raw.TryGetUtf8(out var decoded));
        Assert.Equal(shared.ToArray(), decoded.ToArray());
        Assert.Equal(second.Raw.ToString(), back.Raw.ToString());
        // Held as text, it travels the same way.
        var fromText = JsonSerializer.Deserialize<CloudActivity>(JsonSerializer.Serialize(new CloudActivity
        {
            Provider = "aws", EventId = "e", Time = Received, Account = "a", Service = "s", Operation = "o", Outcome = ActivityOutcome.Success, Raw = "{\"k\":\"välue\"}",
        }))!;
        Assert.Equal("{\"k\":\"välue\"}", fromText.Raw.ToString());
        Assert.True(JsonNode.DeepEquals(CloudTrailFiles.Record()["eventVersion"], JsonNode.Parse(back.Raw)!["eventVersion"]));
    }

    [Fact]
    public void RepeatedValuesComeBackAsOneStringAndEscapedOnesAreUnescaped()
    {
        var interner = new Utf8Interner(size: 2);
        var values = Parse("""["us-east-1", "us-east-1", "eu-west-1", "a\"quoted\"", "", 7]""");

        var first = interner.Text(values[0]);
        Assert.Equal("us-east-1", first);
        Assert.Same(first, interner.Text(values[1]));
        // With two slots, other values take them over; the answers stay right.
        Assert.Equal("eu-west-1", interner.Text(values[2]));
        Assert.Equal("us-east-1", interner.Text(values[1]));
        Assert.Equal("a\"quoted\"", interner.Text(values[3]));
        Assert.Null(interner.Text(values[4]));
        Assert.Null(interner.Text(values[5]));
    }

    [Fact]
    public void FailedCallsCarryTheirErrorCodeAndMessage()
    {
        var json = CloudTrailFiles.Record();
        json["errorCode"] = "AccessDenied";
        json["errorMessage"] = "User is not authorized";

        var activity = Normalize(json);

        Assert.Equal(ActivityOutcome.Failure, activity.Outcome);
        Assert.Equal("AccessDenied", activity.ErrorCode);
        Assert.Equal("User is not authorized", activity.ErrorMessage);
    }

    [Fact]
    public void FailedConsoleSignInIsAFailureEvenWithoutAnErrorCode()
    {
        var json = CloudTrailFiles.Record(eventName: "ConsoleLogin");
        json["eventSource"] = "signin.amazonaws.com";
        json["responseElements"] = new JsonObject { ["ConsoleLogin"] = "Failure" };
        json["errorMessage"] = "Failed authentication";
        json["additionalEventData"] = new JsonObject { ["MFAUsed"] = "no", ["LoginTo"] = "https://console.aws.amazon.com/" };

        var activity = Normalize(json);

        Assert.Equal(ActivityOutcome.Failure, activity.Outcome);
        Assert.Equal("ConsoleLoginFailure", activity.ErrorCode);
        Assert.False(activity.MfaUsed);
    }

    [Theory]
    [InlineData("Yes", true)]
    [InlineData("yes", true)]
    [InlineData("No", false)]
    public void MfaUsedIsReadWhateverItsCase(string value, bool expected)
    {
        var json = CloudTrailFiles.Record();
        json["additionalEventData"] = new JsonObject { ["MFAUsed"] = value };

        Assert.Equal(expected, Normalize(json).MfaUsed);
    }

    public static TheoryData<string, string, string?> Identities() => new()
    {
        { """{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"}""", "arn:aws:iam::111122223333:root", null },
        { """{"type":"AssumedRole","principalId":"AROA1:s","arn":"arn:aws:sts::111122223333:assumed-role/Admin/s","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/Admin"},"attributes":{"mfaAuthenticated":"true"}}}""", "arn:aws:sts::111122223333:assumed-role/Admin/s", "arn:aws:iam::111122223333:role/Admin" },
        { """{"type":"FederatedUser","principalId":"111122223333:bob","arn":"arn:aws:sts::111122223333:federated-user/bob","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/broker"}}}""", "arn:aws:sts::111122223333:federated-user/bob", "arn:aws:iam::111122223333:user/broker" },
        { """{"type":"AWSService","invokedBy":"config.amazonaws.com"}""", "config.amazonaws.com", null },
        { """{"type":"AWSAccount","principalId":"AIDAEXAMPLE","accountId":"444455556666"}""", "AIDAEXAMPLE", null },
        { """{"type":"Unknown","principalId":"anonymous","userName":"someone@example.com"}""", "someone@example.com", null },
        { """{"type":"SAMLUser","principalId":"SampleUkh1i4+ExamplexL/jEvs=:SamlExample","userName":"SamlExample","identityProvider":"bdGOnTesti4+ExampleGj/Kw=="}""", "SamlExample", null },
        { """{"type":"WebIdentityUser","principalId":"accounts.google.com:app:user","userName":"user","identityProvider":"accounts.google.com"}""", "user", null },
    };

    [Theory]
    [MemberData(nameof(Identities))]
    public void EveryIdentityTypeNamesItsActor(string identity, string actor, string? issuer)
    {
        var json = CloudTrailFiles.Record();
        json["userIdentity"] = JsonNode.Parse(identity);

        var activity = Normalize(json);

        Assert.Equal(actor, activity.Actor);
        Assert.Equal(Parse(identity).GetProperty("type").GetString(), activity.ActorType);
        Assert.Equal(issuer, activity.Identity!.SessionIssuerArn);
    }

    [Fact]
    public void SessionMfaIsReadWhenTheRecordSaysNothingElse()
    {
        var json = CloudTrailFiles.Record();
        json["userIdentity"] = JsonNode.Parse(Identities().ElementAt(1).Data.Item1);

        Assert.True(Normalize(json).MfaUsed);
    }

    [Fact]
    public void NullRequestParametersResourcesAndUnknownFieldsAreKept()
    {
        var json = CloudTrailFiles.Record(eventName: "SomeOperationNobodyHasSeen");
        json["requestParameters"] = null;
        json["brandNewField"] = new JsonObject { ["nested"] = 1 };
        json["resources"] = new JsonArray(new JsonObject { ["ARN"] = "arn:aws:s3:::bucket", ["accountId"] = "111122223333", ["type"] = "AWS::S3::Bucket" });
        json["managementEvent"] = true;
        json["eventCategory"] = "Management";

        var activity = Normalize(json);

        Assert.Equal("SomeOperationNobodyHasSeen", activity.Operation);
        Assert.Contains("brandNewField", activity.Raw);
        var resource = Assert.Single(activity.Resources);
        Assert.Equal("arn:aws:s3:::bucket", resource.Arn);
        Assert.Equal("AWS::S3::Bucket", resource.Type);
        Assert.True(activity.ManagementEvent);
        Assert.Equal("Management", activity.EventCategory);
    }

    [Fact]
    public void AFutureMajorEventVersionIsReadAndNoted()
    {
        var json = CloudTrailFiles.Record();
        json["eventVersion"] = "2.0";

        Assert.Contains(Normalize(json).Anomalies, a => a.Contains("eventVersion 2.0", StringComparison.Ordinal));
    }

    [Fact]
    public void AccountFallsBackToTheIdentityThenTheContainer()
    {
        var json = CloudTrailFiles.Record(account: "222233334444");
        json.Remove("recipientAccountId");
        Assert.Equal("222233334444", Normalize(json).Account);

        json["userIdentity"] = new JsonObject { ["type"] = "AWSService", ["invokedBy"] = "sso.amazonaws.com" };
        var fromContainer = Normalize(json, Context with { Account = "333344445555" });
        Assert.Equal("333344445555", fromContainer.Account);
        Assert.Contains(fromContainer.Anomalies, a => a.Contains("container", StringComparison.Ordinal));
    }

    [Fact]
    public void RecordsThatDisagreeWithTheirS3KeyAreKeptAndFlagged()
    {
        var context = Context with { Account = "999999999999", Region = "eu-west-1", CrossCheck = true, OrganizationId = "o-exampleorgid" };

        var activity = Normalize(CloudTrailFiles.Record(account: "111122223333"), context);

        Assert.Equal("111122223333", activity.Account);
        Assert.Equal("o-exampleorgid", activity.OrganizationId);
        Assert.Contains(activity.Anomalies, a => a.Contains("differs from the S3 key's account", StringComparison.Ordinal));
        Assert.Contains(activity.Anomalies, a => a.Contains("differs from the S3 key's region", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("eventID")]
    [InlineData("eventSource")]
    [InlineData("eventName")]
    public void RecordWithoutWhatIdentifiesItIsRejectedNamingTheField(string field)
    {
        var json = CloudTrailFiles.Record();
        json.Remove(field);

        Assert.False(CloudTrailNormalizer.TryNormalize(Parse(json.ToJsonString()), 7, Context, out _, out var error));

        Assert.Equal(7, error.Index);
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void NonObjectRecordIsRejected()
    {
        Assert.False(CloudTrailNormalizer.TryNormalize(Parse("42"), 3, Context, out _, out var error));
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
