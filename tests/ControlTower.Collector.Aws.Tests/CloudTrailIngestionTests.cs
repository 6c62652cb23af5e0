using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;

namespace ControlTower.Collector.Aws.Tests;

/// <summary>The collector against a real RabbitMQ: what is accepted is published, what is refused is not.</summary>
public sealed class CloudTrailIngestionTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private const string Path = "/ingest/aws/cloudtrail";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private ServiceFactory<Program> factory = null!;
    private BatchSpy spy = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, settings: new Dictionary<string, string?>
        {
            ["Ingestion:MaxRequestBytes"] = "65536",
            ["Ingestion:MaxDecompressedBytes"] = "262144",
            ["Ingestion:MaxRecords"] = "50",
            ["Ingestion:MaxActivitiesPerMessage"] = "40",
        });
        client = factory.CreateTrustedClient();
        spy = await BatchSpy.StartAsync(infrastructure.RabbitMq, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await spy.DisposeAsync();
        client.Dispose();
        await factory.DisposeAsync();
    }

    private static ByteArrayContent Json(string text, string contentType = "application/json")
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    [Fact]
    public async Task SampleGzipLogFileIsAcceptedAndEveryRecordPublished()
    {
        var gz = await File.ReadAllBytesAsync(Repository.TestData("aws/cloudtrail-logfile.json.gz"), TestContext.Current.CancellationToken);
        using var content = new ByteArrayContent(gz);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        var sampleIds = EventIds(Encoding.UTF8.GetString(Inflate(gz)));

        // The sample file holds 100 records; the limit here is 50, so raise it for this request's factory.
        await using var roomy = ServiceFactory<Program>.OnServers(infrastructure, settings: new Dictionary<string, string?>
        {
            ["Ingestion:MaxActivitiesPerMessage"] = "40",
        });
        using var roomyClient = roomy.CreateTrustedClient();
        using var response = await roomyClient.PostAsync(Path, content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(sampleIds.Count, result.GetProperty("accepted").GetInt32() + result.GetProperty("rejected").GetInt32());
        Assert.Equal(0, result.GetProperty("rejected").GetInt32());
        await spy.WaitForAsync(sampleIds, Timeout);
        // 100 records in messages of at most 40: at least three messages.
        Assert.True(spy.Messages >= 3, $"expected the file split into at least 3 messages, saw {spy.Messages}");
    }

    [Fact]
    public async Task PlainAndGzipEncodedBodiesAreBothAccepted()
    {
        var plainId = Guid.NewGuid().ToString();
        var gzipId = Guid.NewGuid().ToString();

        using var plain = await client.PostAsync(Path, Json(CloudTrailFiles.File(CloudTrailFiles.Record(plainId))), TestContext.Current.CancellationToken);
        using var gzipContent = new ByteArrayContent(CloudTrailFiles.Gzip(CloudTrailFiles.File(CloudTrailFiles.Record(gzipId))));
        gzipContent.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        gzipContent.Headers.ContentEncoding.Add("gzip");
        using var gzip = await client.PostAsync(Path, gzipContent, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, plain.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, gzip.StatusCode);
        await spy.WaitForAsync([plainId, gzipId], Timeout);
    }

    [Fact]
    public async Task PartlyBadFileKeepsTheGoodRecordsAndNamesTheBadOnes()
    {
        var good1 = Guid.NewGuid().ToString();
        var good2 = Guid.NewGuid().ToString();
        var bad = CloudTrailFiles.Record();
        bad.Remove("eventID");
        var duplicate = CloudTrailFiles.Record(good1);

        using var response = await client.PostAsync(Path,
            Json(CloudTrailFiles.File(CloudTrailFiles.Record(good1), bad, CloudTrailFiles.Record(good2), duplicate)),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        Assert.Equal(1, result.GetProperty("duplicates").GetInt32());
        Assert.Equal(1, result.GetProperty("rejected").GetInt32());
        var error = Assert.Single(result.GetProperty("errors").EnumerateArray());
        Assert.Equal(1, error.GetProperty("index").GetInt32());
        Assert.Equal("eventID", error.GetProperty("field").GetString());
        await spy.WaitForAsync([good1, good2], Timeout);
        Assert.Equal(1, spy.Seen[good1]);
    }

    [Fact]
    public async Task ARecordWithALoneSurrogateIsRefusedAloneAndItsNeighboursArePublished()
    {
        // "\uD800" is valid JSON but no text: reading it as a string throws. Before, that failed the whole file with a 500.
        var good = Guid.NewGuid().ToString();
        var broken = Guid.NewGuid().ToString();
        var file = CloudTrailFiles.File(CloudTrailFiles.Record(good), CloudTrailFiles.Record(broken))
            .Replace($"\"{broken}\"", $"\"{broken}\\uD800\"", StringComparison.Ordinal);

        using var response = await client.PostAsync(Path, Json(file), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal((1, 1), (result.GetProperty("accepted").GetInt32(), result.GetProperty("rejected").GetInt32()));
        var error = Assert.Single(result.GetProperty("errors").EnumerateArray());
        Assert.Equal(1, error.GetProperty("index").GetInt32());
        Assert.Contains("cannot be read as text", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        await spy.WaitForAsync([good], Timeout);
    }

    public static TheoryData<string, string, string?, byte[], HttpStatusCode, string> BadBodies()
    {
        var marker = "bad-" + Guid.NewGuid();
        byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
        var oneRecord = CloudTrailFiles.File(CloudTrailFiles.Record(marker + "-0"));
        var allBad = CloudTrailFiles.Record(marker + "-1");
        allBad.Remove("eventName");
        var tooMany = CloudTrailFiles.File(Enumerable.Range(0, 51).Select(i => (System.Text.Json.Nodes.JsonNode)CloudTrailFiles.Record($"{marker}-m{i}")).ToArray());
        var huge = CloudTrailFiles.Record(marker + "-2");
        huge["requestParameters"] = new string('x', 70_000);
        var bomb = CloudTrailFiles.Record(marker + "-3");
        bomb["requestParameters"] = new string('y', 300_000);
        var deep = new string('[', 200) + new string(']', 200);

        return new()
        {
            { "invalid JSON", "application/json", null, Utf8("{\"Records\": [ {\"eventID\": "), HttpStatusCode.BadRequest, "not valid JSON" },
            { "JSON nested too deep", "application/json", null, Utf8("{\"Records\":" + deep + "}"), HttpStatusCode.BadRequest, "not valid JSON" },
            { "array instead of a log file", "application/json", null, Utf8("[" + oneRecord + "]"), HttpStatusCode.BadRequest, "\"Records\" array" },
            { "Records not an array", "application/json", null, Utf8("{\"Records\": {\"eventID\": \"x\"}}"), HttpStatusCode.BadRequest, "\"Records\" array" },
            { "every record invalid", "application/json", null, Utf8(CloudTrailFiles.File(allBad)), HttpStatusCode.BadRequest, "None of the 1 records" },
            { "wrong content type", "text/plain", null, Utf8(oneRecord), HttpStatusCode.UnsupportedMediaType, "text/plain" },
            { "unknown content encoding", "application/json", "br", Utf8(oneRecord), HttpStatusCode.UnsupportedMediaType, "'br'" },
            { "invalid gzip", "application/json", "gzip", Utf8(oneRecord), HttpStatusCode.BadRequest, "gzip" },
            { "truncated gzip", "application/json", "gzip", CloudTrailFiles.Gzip(oneRecord)[..20], HttpStatusCode.BadRequest, "gzip" },
            { "body over the size limit", "application/json", null, Utf8(CloudTrailFiles.File(huge)), HttpStatusCode.RequestEntityTooLarge, "65536 bytes" },
            { "gzip inflating past the limit", "application/json", "gzip", CloudTrailFiles.Gzip(CloudTrailFiles.File(bomb)), HttpStatusCode.RequestEntityTooLarge, "262144 bytes" },
            { "too many records", "application/json", null, Utf8(tooMany), HttpStatusCode.RequestEntityTooLarge, "at most 50" },
        };
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadInputIsRefusedWithAProblemThatNamesTheFaultAndNothingIsPublished(
        string fault, string contentType, string? encoding, byte[] body, HttpStatusCode expected, string detailMentions)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }

        using var response = await client.PostAsync(Path, content, TestContext.Current.CancellationToken);

        Assert.True(expected == response.StatusCode, $"{fault}: expected {expected}, got {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.Contains(detailMentions, problem.GetProperty("detail").GetString());

        // A good file sent afterwards arrives; nothing from the refused body arrived before or with it.
        var after = Guid.NewGuid().ToString();
        using var good = await client.PostAsync(Path, Json(CloudTrailFiles.File(CloudTrailFiles.Record(after))), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, good.StatusCode);
        await spy.WaitForAsync([after], Timeout);
        var refusedIds = EventIds(TryInflate(body));
        Assert.DoesNotContain(spy.Seen.Keys, refusedIds.Contains);
    }

    [Fact]
    public async Task EventBridgeEventsArriveSinglyOrInBatchesAsTheCloudTrailRecordsTheyCarry()
    {
        var single = Guid.NewGuid().ToString();
        var envelope = CloudTrailFiles.EventBridgeEnvelope(CloudTrailFiles.Record(single));
        var batch = await File.ReadAllTextAsync(Repository.TestData("aws/eventbridge-batch.json"), TestContext.Current.CancellationToken);
        var batchIds = JsonDocument.Parse(batch).RootElement.EnumerateArray()
            .Select(e => e.GetProperty("detail").GetProperty("eventID").GetString()!).ToList();

        using var one = await client.PostAsync("/ingest/aws/eventbridge", Json(envelope.ToJsonString()), TestContext.Current.CancellationToken);
        using var many = await client.PostAsync("/ingest/aws/eventbridge", Json(batch), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, one.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, many.StatusCode);
        var result = await many.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(batchIds.Count, result.GetProperty("accepted").GetInt32());
        await spy.WaitForAsync([single, .. batchIds], Timeout);
    }

    [Fact]
    public async Task TheSameCallByEventBridgeAndThenInALogFileIsPublishedOnceAndReportedAsADuplicate()
    {
        var eventId = Guid.NewGuid().ToString();
        var record = CloudTrailFiles.Record(eventId);
        var envelope = new System.Text.Json.Nodes.JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["detail-type"] = "AWS API Call via CloudTrail",
            ["source"] = "aws.iam",
            ["detail"] = record.DeepClone(),
        };

        using var viaEventBridge = await client.PostAsync("/ingest/aws/eventbridge", Json(envelope.ToJsonString()), TestContext.Current.CancellationToken);
        var fresh = CloudTrailFiles.Record();
        using var viaS3 = await client.PostAsync("/ingest/aws/cloudtrail", Json(CloudTrailFiles.File(record, fresh)), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, viaEventBridge.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, viaS3.StatusCode);
        var answer = await viaS3.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(1, answer.GetProperty("accepted").GetInt32());
        Assert.Equal(1, answer.GetProperty("duplicates").GetInt32());
        // The log file's new record arrives; its repeated one was not published again.
        await spy.WaitForAsync([eventId, fresh["eventID"]!.GetValue<string>()], Timeout);
        Assert.Equal(1, spy.Seen[eventId]);
    }

    [Fact]
    public async Task TheS3KeyFillsMissingAccountAndNamesTheOrganisation()
    {
        var eventId = Guid.NewGuid().ToString();
        var record = CloudTrailFiles.Record(eventId);
        record.Remove("recipientAccountId");
        record["userIdentity"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "AWSService", ["invokedBy"] = "sso.amazonaws.com" };
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = Json(CloudTrailFiles.File(record)) };
        request.Headers.Add("X-Amz-S3-Key",
            "trail/AWSLogs/o-exampleorgid/444455556666/CloudTrail/us-east-1/2026/11/28/444455556666_CloudTrail_us-east-1_20261128T0905Z_abcdefghijklmnop.json.gz");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains("container", Assert.Single(result.GetProperty("warnings").EnumerateArray()).GetProperty("message").GetString());
        await spy.WaitForAsync([eventId], Timeout);
        var published = spy.Activities[eventId];
        Assert.Equal("444455556666", published.GetProperty("account").GetString());
        Assert.Equal("o-exampleorgid", published.GetProperty("organizationId").GetString());
    }

    [Theory]
    [InlineData("/ingest/aws/cloudtrail?s3Key=AWSLogs/123/CloudTrail/x/2026/11/28/f.json.gz", "{\"Records\":[]}", "S3 key")]
    [InlineData("/ingest/aws/eventbridge", "42", "EventBridge event")]
    [InlineData("/ingest/aws/eventbridge", "[{\"id\":\"x\",\"source\":\"aws.iam\",\"detail\":{}}]", "None of the 1 records")]
    public async Task BadRequestsToTheOtherDoorsAreRefusedNamingTheFault(string url, string body, string mentions)
    {
        using var response = await client.PostAsync(url, Json(body), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains(mentions, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task RequestsThatDidNotComeThroughTheGatewayAreRefused()
    {
        using var direct = factory.CreateClient();
        using var response = await direct.PostAsync(Path, Json(CloudTrailFiles.File(CloudTrailFiles.Record())), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static HashSet<string> EventIds(string text) =>
        System.Text.RegularExpressions.Regex.Matches(text, "\"eventID\"\\s*:\\s*\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToHashSet();

    private static byte[] Inflate(byte[] gz)
    {
        using var zip = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        using var output = new MemoryStream();
        zip.CopyTo(output);
        return output.ToArray();
    }

    private static string TryInflate(byte[] body)
    {
        try
        {
            return Encoding.UTF8.GetString(body.Length > 2 && body[0] == 0x1f && body[1] == 0x8b ? Inflate(body) : body);
        }
        catch (InvalidDataException)
        {
            return Encoding.UTF8.GetString(body);
        }
    }
}
