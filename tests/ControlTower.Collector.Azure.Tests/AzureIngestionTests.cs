using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlTower.Contracts.Activity;
using ControlTower.Contracts.Alerts;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;

namespace ControlTower.Collector.Azure.Tests;

/// <summary>Every Azure door against a real RabbitMQ: what is accepted is published, what is refused is not.</summary>
public sealed class AzureIngestionTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private const string EventGrid = "/ingest/azure/eventgrid";
    private const string CloudEvents = "/ingest/azure/cloudevents";
    private const string ActivityLog = "/ingest/azure/activity-log";
    private const string Alerts = "/ingest/azure/alerts";
    private const int MaxRequestBytes = 262_144;
    private const int MaxDecompressedBytes = 524_288;
    private const int MaxRecords = 200;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private ServiceFactory<Program> factory = null!;
    private BatchSpy spy = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, settings: new Dictionary<string, string?>
        {
            ["Ingestion:MaxRequestBytes"] = MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ingestion:MaxDecompressedBytes"] = MaxDecompressedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ingestion:MaxRecords"] = MaxRecords.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ingestion:MaxActivitiesPerMessage"] = "40",
        });
        client = factory.CreateTrustedClient("azure-test-source");
        spy = await BatchSpy.StartAsync(infrastructure.RabbitMq, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await spy.DisposeAsync();
        client.Dispose();
        await factory.DisposeAsync();
    }

    private static ByteArrayContent Json(string text, string contentType = "application/json") => Bytes(Encoding.UTF8.GetBytes(text), contentType);

    private static ByteArrayContent Bytes(byte[] body, string contentType, string? encoding = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }
        return content;
    }

    private static async Task<JsonElement> Accepted(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static string ContentKey(string line) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(line))[..16]);

    [Fact]
    public async Task TheEventGridValidationHandshakeIsAnsweredSynchronouslyWithTheCodeAndPublishesNothing()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, EventGrid) { Content = Json(AzureSamples.Text("eventgrid-validation.json")) };
        request.Headers.Add("aeg-event-type", "SubscriptionValidation");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("bdd640fb-0667-4ad1-9c80-317fa3b1799d", answer.GetProperty("validationResponse").GetString());
        // A good event sent afterwards arrives; the validation event never did.
        var after = Guid.NewGuid().ToString();
        using var good = await client.PostAsync(EventGrid, Json(new JsonArray(AzureSamples.ResourceEvent(after)).ToJsonString()), TestContext.Current.CancellationToken);
        await Accepted(good);
        await spy.WaitForAsync([after], Timeout);
        Assert.False(spy.Seen.ContainsKey("23b8c1e9-3924-46de-beb1-3b9046685257"));
    }

    [Fact]
    public async Task AValidationRequestWithoutACodeIsRefusedNamingIt()
    {
        var validation = JsonNode.Parse(AzureSamples.Text("eventgrid-validation.json"))!;
        validation[0]!["data"]!.AsObject().Remove("validationCode");
        using var request = new HttpRequestMessage(HttpMethod.Post, EventGrid) { Content = Json(validation.ToJsonString()) };
        request.Headers.Add("aeg-event-type", "SubscriptionValidation");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains("validationCode", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task EveryEventGridSampleEventIsPublishedAndTheValidationEventAmongThemIsNamed()
    {
        var sample = AzureSamples.Json("eventgrid-events.json").EnumerateArray().ToList();
        var ids = sample.Skip(1).Select(e => e.GetProperty("id").GetString()!).ToList();

        using var response = await client.PostAsync(EventGrid, Json(AzureSamples.Text("eventgrid-events.json")), TestContext.Current.CancellationToken);

        var result = await Accepted(response);
        Assert.Equal(ids.Count, result.GetProperty("accepted").GetInt32());
        var error = Assert.Single(result.GetProperty("errors").EnumerateArray());
        Assert.Equal(0, error.GetProperty("index").GetInt32());
        Assert.Equal("eventType", error.GetProperty("field").GetString());
        await spy.WaitForAsync(ids, Timeout);
        var write = spy.Activities["17fc695a-07a0-4a6e-8822-e8f36c031199"];
        Assert.Equal("azure", write.GetProperty("provider").GetString());
        Assert.Equal("rg-prod-core", write.GetProperty("resourceGroup").GetString());
        Assert.Equal("bd9c66b3-ad3c-4d6d-9a3d-1fa7bc8960a9", write.GetProperty("correlationId").GetString());
        Assert.Equal("azure-test-source", spy.Sources["17fc695a-07a0-4a6e-8822-e8f36c031199"]);
        // The raw record travels exactly as received (as base64 of its UTF-8 on the bus).
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(sample[1].GetRawText()), JsonNode.Parse(write.GetProperty("raw").GetBytesFromBase64())));
    }

    [Fact]
    public async Task CloudEventsArriveBatchedOrStructured()
    {
        var batchIds = AzureSamples.Json("cloudevents-batch.json").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();
        var single = AzureSamples.CloudEvent();

        using var batch = await client.PostAsync(CloudEvents, Json(AzureSamples.Text("cloudevents-batch.json"), "application/cloudevents-batch+json; charset=utf-8"),
            TestContext.Current.CancellationToken);
        using var structured = await client.PostAsync(CloudEvents, Json(single.ToJsonString(), "application/cloudevents+json; charset=utf-8"),
            TestContext.Current.CancellationToken);

        var result = await Accepted(batch);
        Assert.Equal(batchIds.Count, result.GetProperty("accepted").GetInt32());
        Assert.Equal(0, result.GetProperty("rejected").GetInt32());
        Assert.Equal(1, (await Accepted(structured)).GetProperty("accepted").GetInt32());
        await spy.WaitForAsync([.. batchIds, single["id"]!.GetValue<string>()], Timeout);
    }

    [Fact]
    public async Task TheCloudEventsAbuseProtectionHandshakeGrantsTheOriginAndARate()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, CloudEvents);
        request.Headers.Add("WebHook-Request-Origin", "eventgrid.azure.net");
        request.Headers.Add("WebHook-Request-Rate", "120");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("eventgrid.azure.net", Assert.Single(response.Headers.GetValues("WebHook-Allowed-Origin")));
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("WebHook-Allowed-Rate")));
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task AnOptionsRequestWithoutAnOriginIsNotAHandshake()
    {
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, CloudEvents), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("WebHook-Allowed-Origin"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains("WebHook-Request-Origin", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TheHandshakeRefusesAnOriginOutsideTheConfiguredOnesAndGrantsTheConfiguredRate()
    {
        await using var strict = ServiceFactory<Program>.OnServers(infrastructure, settings: new Dictionary<string, string?>
        {
            ["Azure:Webhooks:AllowedOrigins:0"] = "eventgrid.azure.net",
            ["Azure:Webhooks:AllowedRate"] = "600",
        });
        using var strictClient = strict.CreateTrustedClient();
        using var stranger = new HttpRequestMessage(HttpMethod.Options, CloudEvents);
        stranger.Headers.Add("WebHook-Request-Origin", "sender.example.com");
        using var eventGrid = new HttpRequestMessage(HttpMethod.Options, CloudEvents);
        eventGrid.Headers.Add("WebHook-Request-Origin", "eventgrid.azure.net");

        using var refused = await strictClient.SendAsync(stranger, TestContext.Current.CancellationToken);
        using var granted = await strictClient.SendAsync(eventGrid, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.False(refused.Headers.Contains("WebHook-Allowed-Origin"));
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        Assert.Equal("600", Assert.Single(granted.Headers.GetValues("WebHook-Allowed-Rate")));
    }

    [Fact]
    public async Task BinaryModeCloudEventsAreRefusedSayingWhichModesAreAccepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, CloudEvents) { Content = Json("{\"resourceUri\":\"/subscriptions/x\"}") };
        request.Headers.Add("ce-specversion", "1.0");
        request.Headers.Add("ce-id", Guid.NewGuid().ToString());

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains("structured mode", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TheWholeActivityLogCorpusIsAcceptedAsExportedAndEachRecordPublishedOnce()
    {
        var lines = AzureSamples.Lines("activity-log-records.jsonl");
        var keys = lines.Select(ContentKey).ToList();

        using var response = await client.PostAsync(ActivityLog, Json(AzureSamples.ActivityLogExport()), TestContext.Current.CancellationToken);

        var result = await Accepted(response);
        Assert.Equal(lines.Count, result.GetProperty("accepted").GetInt32());
        Assert.Equal(0, result.GetProperty("rejected").GetInt32());
        Assert.Equal(0, result.GetProperty("duplicates").GetInt32());
        await spy.WaitForAsync(keys, Timeout);
        Assert.All(keys, k => Assert.Equal(1, spy.Seen[k]));
    }

    [Fact]
    public async Task TheActivityLogCorpusIsAlsoAcceptedAsGzipJsonLinesAsAStorageAccountKeepsIt()
    {
        var lines = AzureSamples.Lines("activity-log-records.jsonl");
        var gzip = Gzip(Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\n"));

        using var response = await client.PostAsync(ActivityLog, Bytes(gzip, "application/x-ndjson", "gzip"), TestContext.Current.CancellationToken);

        Assert.Equal(lines.Count, (await Accepted(response)).GetProperty("accepted").GetInt32());
        await spy.WaitForAsync(lines.Select(ContentKey), Timeout);
    }

    [Fact]
    public async Task RestFormActivityLogEventsAreAcceptedUnderTheirEventDataIds()
    {
        var ids = AzureSamples.Json("activity-log-rest-events.json").EnumerateArray().Select(e => e.GetProperty("eventDataId").GetString()!).ToList();

        using var response = await client.PostAsync(ActivityLog, Json(AzureSamples.Text("activity-log-rest-events.json")), TestContext.Current.CancellationToken);

        Assert.Equal(ids.Count, (await Accepted(response)).GetProperty("accepted").GetInt32());
        await spy.WaitForAsync(ids, Timeout);
        Assert.Equal("microsoft.authorization/locks/delete", spy.Activities["7412b293-4729-4739-a14f-f3d719db3ad0"].GetProperty("operation").GetString());
    }

    [Fact]
    public async Task PartlyBadActivityLogKeepsTheGoodRecordsNamesTheBadAndCountsRepeats()
    {
        var good1 = AzureSamples.ActivityRecord();
        var good2 = AzureSamples.ActivityRecord();
        var bad = AzureSamples.ActivityRecord();
        bad.Remove("operationName");
        var body = new JsonObject { ["records"] = new JsonArray(good1, bad, good2, good1.DeepClone(), 42) }.ToJsonString();

        using var response = await client.PostAsync(ActivityLog, Json(body), TestContext.Current.CancellationToken);

        var result = await Accepted(response);
        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        Assert.Equal(1, result.GetProperty("duplicates").GetInt32());
        Assert.Equal(2, result.GetProperty("rejected").GetInt32());
        var errors = result.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("index").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Equal([(1, "operationName"), (4, "$")], errors);
        var keys = new[] { good1, good2 }.Select(r => ContentKey(r.ToJsonString())).ToList();
        await spy.WaitForAsync(keys, Timeout);
        Assert.Equal(1, spy.Seen[keys[0]]);
    }

    [Fact]
    public async Task PartlyBadEventGridBatchKeepsTheGoodEventsAndDropsRepeatedIds()
    {
        var good = AzureSamples.ResourceEvent();
        var noId = AzureSamples.ResourceEvent();
        noId.Remove("id");
        var failure = AzureSamples.ResourceEvent(type: "Microsoft.Resources.ResourceDeleteFailure");
        var body = new JsonArray(good, noId, failure, good.DeepClone()).ToJsonString();

        using var response = await client.PostAsync(EventGrid, Json(body), TestContext.Current.CancellationToken);

        var result = await Accepted(response);
        Assert.Equal((2, 1, 1), (result.GetProperty("accepted").GetInt32(), result.GetProperty("duplicates").GetInt32(), result.GetProperty("rejected").GetInt32()));
        var error = Assert.Single(result.GetProperty("errors").EnumerateArray());
        Assert.Equal((1, "id"), (error.GetProperty("index").GetInt32(), error.GetProperty("field").GetString()));
        var goodId = good["id"]!.GetValue<string>();
        var failureId = failure["id"]!.GetValue<string>();
        await spy.WaitForAsync([goodId, failureId], Timeout);
        Assert.Equal(1, spy.Seen[goodId]);
        Assert.Equal((int)ActivityOutcome.Failure, spy.Activities[failureId].GetProperty("outcome").GetInt32());
    }

    public static TheoryData<string, string, string, string?, byte[], HttpStatusCode, string> BadBodies()
    {
        byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
        var marker = "bad-" + Guid.NewGuid();
        var oneEvent = new JsonArray(AzureSamples.ResourceEvent(marker + "-0")).ToJsonString();
        var tooMany = new JsonArray(Enumerable.Range(0, MaxRecords + 1).Select(i => (JsonNode)AzureSamples.ResourceEvent($"{marker}-m{i}")).ToArray()).ToJsonString();
        var huge = AzureSamples.ResourceEvent(marker + "-h");
        huge["data"]!["padding"] = new string('x', MaxRequestBytes);
        var bomb = AzureSamples.ResourceEvent(marker + "-b");
        bomb["data"]!["padding"] = new string('y', MaxDecompressedBytes + 1024);
        var deep = new string('[', 200) + new string(']', 200);
        var allBad = AzureSamples.ResourceEvent(marker + "-a");
        allBad.Remove("eventType");

        return new()
        {
            { "invalid JSON", EventGrid, "application/json", null, Utf8("[{\"id\": "), HttpStatusCode.BadRequest, "not valid JSON" },
            { "JSON nested too deep", ActivityLog, "application/json", null, Utf8("{\"records\":" + deep + "}"), HttpStatusCode.BadRequest, "not valid JSON" },
            { "a number instead of events", EventGrid, "application/json", null, Utf8("42"), HttpStatusCode.BadRequest, "Event Grid events" },
            { "records not an array", ActivityLog, "application/json", null, Utf8("{\"records\":{}}"), HttpStatusCode.BadRequest, "\"records\"" },
            { "an object that is no alert", Alerts, "application/json", null, Utf8("{\"foo\":1}"), HttpStatusCode.BadRequest, "common alert schema" },
            { "every event invalid", EventGrid, "application/json", null, Utf8(new JsonArray(allBad).ToJsonString()), HttpStatusCode.BadRequest, "None of the 1 records" },
            { "wrong content type", EventGrid, "text/plain", null, Utf8(oneEvent), HttpStatusCode.UnsupportedMediaType, "text/plain" },
            { "JSON Lines to a door that takes none", EventGrid, "application/x-ndjson", null, Utf8(oneEvent), HttpStatusCode.UnsupportedMediaType, "application/x-ndjson" },
            { "unknown content encoding", ActivityLog, "application/json", "br", Utf8(oneEvent), HttpStatusCode.UnsupportedMediaType, "'br'" },
            { "invalid gzip", CloudEvents, "application/cloudevents-batch+json", "gzip", Utf8(oneEvent), HttpStatusCode.BadRequest, "gzip" },
            { "body over the size limit", EventGrid, "application/json", null, Utf8(new JsonArray(huge).ToJsonString()), HttpStatusCode.RequestEntityTooLarge, $"{MaxRequestBytes} bytes" },
            { "gzip inflating past the limit", EventGrid, "application/json", "gzip", Gzip(Utf8(new JsonArray(bomb).ToJsonString())), HttpStatusCode.RequestEntityTooLarge, $"{MaxDecompressedBytes} bytes" },
            { "too many records", EventGrid, "application/json", null, Utf8(tooMany), HttpStatusCode.RequestEntityTooLarge, $"at most {MaxRecords}" },
        };
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadInputIsRefusedWithAProblemThatNamesTheFaultAndNothingIsPublished(
        string fault, string path, string contentType, string? encoding, byte[] body, HttpStatusCode expected, string detailMentions)
    {
        using var response = await client.PostAsync(path, Bytes(body, contentType, encoding), TestContext.Current.CancellationToken);

        Assert.True(expected == response.StatusCode, $"{fault}: expected {expected}, got {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.Contains(detailMentions, problem.GetProperty("detail").GetString());

        var after = Guid.NewGuid().ToString();
        using var good = await client.PostAsync(EventGrid, Json(new JsonArray(AzureSamples.ResourceEvent(after)).ToJsonString()), TestContext.Current.CancellationToken);
        await Accepted(good);
        await spy.WaitForAsync([after], Timeout);
        Assert.DoesNotContain(spy.Seen.Keys, k => k.StartsWith("bad-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FiredAndResolvedAlertsArePublishedAsAlertsWithTheirCondition()
    {
        await using var alerts = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(MonitorAlertBatch), TestContext.Current.CancellationToken);
        var alertId = $"/subscriptions/{AzureSamples.Subscription}/providers/Microsoft.AlertsManagement/alerts/{Guid.NewGuid()}";

        using var fired = await client.PostAsync(Alerts, Json(AzureSamples.Alert("Fired", alertId).ToJsonString()), TestContext.Current.CancellationToken);
        using var resolved = await client.PostAsync(Alerts, Json(AzureSamples.Alert("Resolved", alertId).ToJsonString()), TestContext.Current.CancellationToken);

        Assert.Equal(1, (await Accepted(fired)).GetProperty("accepted").GetInt32());
        Assert.Equal(1, (await Accepted(resolved)).GetProperty("accepted").GetInt32());
        JsonElement Alert(JsonElement batch) => batch.GetProperty("alerts")[0];
        bool Is(JsonElement batch, string condition) =>
            Alert(batch).GetProperty("alertId").GetString() == alertId && Alert(batch).GetProperty("condition").ToString() is var c
            && (c == condition || c == ((int)Enum.Parse<AlertCondition>(condition)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var firedBatch = await alerts.WaitForAsync(b => Is(b, "Fired"), Timeout);
        var resolvedBatch = await alerts.WaitForAsync(b => Is(b, "Resolved"), Timeout);
        Assert.Equal("azure-test-source", firedBatch.GetProperty("source").GetString());
        Assert.Equal("ct-vm-prod-web-01-high-cpu", Alert(firedBatch).GetProperty("rule").GetString());
        Assert.Equal(AzureSamples.Subscription, Alert(resolvedBatch).GetProperty("account").GetString());
        Assert.True(Alert(resolvedBatch).TryGetProperty("resolvedAt", out _));
        // Alerts are not activities.
        Assert.DoesNotContain(spy.Seen.Keys, k => k.Contains("AlertsManagement", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BothAlertSamplesAreAccepted()
    {
        await using var alerts = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(MonitorAlertBatch), TestContext.Current.CancellationToken);

        foreach (var file in new[] { "common-alert-fired.json", "common-alert-resolved.json" })
        {
            using var response = await client.PostAsync(Alerts, Json(AzureSamples.Text(file)), TestContext.Current.CancellationToken);
            var result = await Accepted(response);
            Assert.Equal((1, 0), (result.GetProperty("accepted").GetInt32(), result.GetProperty("rejected").GetInt32()));
        }
        await alerts.WaitForAsync(b => b.GetProperty("alerts")[0].TryGetProperty("resolvedAt", out var at) && at.GetString() == "2026-11-28T13:32:51.2283114+00:00", Timeout);
    }

    [Fact]
    public async Task TheLoadDriversAzureExportsAreAcceptedWholeWithNothingTakenForARepeat()
    {
        var generator = new ControlTower.LoadDriver.ActivityLogExportGenerator(new Random(7));
        // About 1.3 KB a record: 100 of them stay under this factory's body limit.
        var body = generator.NextExport(100);
        var keys = JsonDocument.Parse(body).RootElement.GetProperty("records").EnumerateArray().Select(r => ContentKey(r.GetRawText())).ToList();

        using var response = await client.PostAsync(ActivityLog, Bytes(body, "application/json"), TestContext.Current.CancellationToken);

        var result = await Accepted(response);
        Assert.Equal((100, 0, 0, 0), (result.GetProperty("accepted").GetInt32(), result.GetProperty("duplicates").GetInt32(),
            result.GetProperty("rejected").GetInt32(), result.GetProperty("warnings").GetArrayLength()));
        await spy.WaitForAsync(keys, Timeout);
    }

    [Fact]
    public async Task RequestsThatDidNotComeThroughTheGatewayAreRefused()
    {
        using var direct = factory.CreateClient();

        using var response = await direct.PostAsync(EventGrid, Json(AzureSamples.Text("eventgrid-events.json")), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zip = new GZipStream(output, CompressionLevel.Fastest))
        {
            zip.Write(data);
        }
        return output.ToArray();
    }
}
