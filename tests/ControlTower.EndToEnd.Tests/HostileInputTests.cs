using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlTower.Testing;

namespace ControlTower.EndToEnd.Tests;

/// <summary>
/// A corpus of hostile bodies sent to every public door that takes a body, through the gateway, to the real system: each
/// is answered with a 4xx problem that says what is wrong, and the door still takes good input afterwards. The AWS doors'
/// hostile bodies carry an event id that must never be stored.
/// </summary>
public sealed class HostileInputTests(SystemFixture system)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A door, the content type it takes, and a good body for it (the door still works after the corpus).</summary>
    public sealed record Door(string Path, string ContentType, Func<string, string> Good);

    private static readonly Dictionary<string, Door> Doors = new()
    {
        ["aws-cloudtrail"] = new("/ingest/aws/cloudtrail", "application/json", id => CloudTrailFiles.File(CloudTrailFiles.Record(id))),
        ["aws-eventbridge"] = new("/ingest/aws/eventbridge", "application/json", id => EventBridge(id)),
        ["azure-eventgrid"] = new("/ingest/azure/eventgrid", "application/json", _ => File.ReadAllText(Repository.TestData("azure/eventgrid-events.json"))),
        ["azure-cloudevents"] = new("/ingest/azure/cloudevents", "application/cloudevents-batch+json", _ => File.ReadAllText(Repository.TestData("azure/cloudevents-batch.json"))),
        // A sample record made unique (a record without an id is keyed by its content): the sample itself is another test's,
        // which counts how many of its records are accepted, and a repeat within the collector's window is not.
        ["azure-activity-log"] = new("/ingest/azure/activity-log", "application/json",
            id => "{\"records\":[" + File.ReadAllLines(Repository.TestData("azure/activity-log-records.jsonl")).First(l => l.Trim().Length > 0).Trim()[..^1]
                + ",\"controlTowerTest\":\"" + id + "\"}]}"),
        ["azure-alerts"] = new("/ingest/azure/alerts", "application/json", _ => File.ReadAllText(Repository.TestData("azure/common-alert-fired.json"))),
    };

    private static string EventBridge(string id) => new JsonObject
    {
        ["version"] = "0", ["id"] = Guid.NewGuid().ToString(), ["detail-type"] = "AWS API Call via CloudTrail", ["source"] = "aws.s3",
        ["account"] = "111122223333", ["time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"), ["region"] = "eu-west-1",
        ["resources"] = new JsonArray(), ["detail"] = CloudTrailFiles.Record(id),
    }.ToJsonString();

    /// <summary>The hostile bodies: a name, the bytes (with <c>{id}</c> the event id that must not be stored), the content type
    /// (null: the door's own), the content encoding, and the status expected (0: any 4xx).</summary>
    private static IEnumerable<(string Name, Func<string, byte[]> Body, string? ContentType, string? Encoding, int Status)> Corpus()
    {
        static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
        yield return ("empty body", _ => [], null, null, 0);
        yield return ("truncated JSON", id => Utf8("{\"Records\":[{\"eventID\":\"" + id + "\",\"eventName\":\"Get"), null, null, 400);
        yield return ("not JSON at all", _ => Utf8("<html><body>hello</body></html>"), null, null, 400);
        yield return ("a bare string", _ => Utf8("\"Records\""), null, null, 400);
        yield return ("a number", _ => Utf8("42"), null, null, 400);
        yield return ("null", _ => Utf8("null"), null, null, 400);
        yield return ("trailing garbage", id => Utf8(CloudTrailFiles.File(CloudTrailFiles.Record(id)) + "}{"), null, null, 400);
        yield return ("nesting 10,000 deep", _ => Utf8(new string('[', 10_000) + new string(']', 10_000)), null, null, 400);
        yield return ("invalid UTF-8", id => [.. Utf8("{\"Records\":[{\"eventID\":\"" + id + "\",\"eventName\":\""), 0xC3, 0x28, 0xFF, 0xFE, .. Utf8("\"}]}")], null, null, 400);
        yield return ("a lone surrogate escape", id => Utf8("{\"Records\":[{\"eventID\":\"" + id + "\",\"eventName\":\"\\uD800\"}]}"), null, null, 0);
        yield return ("wrong content type", id => Utf8(CloudTrailFiles.File(CloudTrailFiles.Record(id))), "text/plain", null, 415);
        yield return ("form content type", id => Utf8("Records=" + id), "application/x-www-form-urlencoded", null, 415);
        yield return ("gzip that is not gzip", id => Utf8(CloudTrailFiles.File(CloudTrailFiles.Record(id))), null, "gzip", 400);
        yield return ("an unknown encoding", id => Utf8(CloudTrailFiles.File(CloudTrailFiles.Record(id))), null, "br-x", 415);
        yield return ("a gzip bomb (1 GiB of zeros)", _ => GzipBomb(), null, "gzip", 413);
    }

    private static byte[]? bomb;

    /// <summary>1 GiB of zeros, gzipped to about a megabyte: far over the 128 MiB the doors inflate.</summary>
    private static byte[] GzipBomb()
    {
        if (bomb is not null)
        {
            return bomb;
        }
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 1024; i++)
            {
                gzip.Write(zeros);
            }
        }
        return bomb = compressed.ToArray();
    }

    public static TheoryData<string> DoorNames() => [.. Doors.Keys];

    [Theory]
    [MemberData(nameof(DoorNames))]
    public async Task EveryHostileBodyIsRefusedWithAProblemAndTheDoorStillTakesGoodInput(string doorName)
    {
        var door = Doors[doorName];
        var refusedIds = new List<string>();
        var tried = 0;
        foreach (var (name, body, contentType, encoding, status) in Corpus())
        {
            var id = $"hostile-{Guid.NewGuid():N}";
            refusedIds.Add(id);
            using var response = await PostAsync(door.Path, body(id), contentType ?? door.ContentType, encoding);
            tried++;
            var text = await response.Content.ReadAsStringAsync(Token);
            Assert.True(status == 0 ? (int)response.StatusCode is >= 400 and < 500 : (int)response.StatusCode == status,
                $"{doorName}, {name}: expected {(status == 0 ? "a 4xx" : status)}, got {(int)response.StatusCode} {text}");
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{doorName}, {name}: not a problem: {text}");
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.True(problem.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 }, $"{doorName}, {name}: no detail: {text}");
        }
        Assert.Equal(Corpus().Count(), tried);

        // Still healthy: the same door takes a good body.
        var good = $"good-{Guid.NewGuid():N}";
        using var accepted = await PostAsync(door.Path, Encoding.UTF8.GetBytes(door.Good(good)), door.ContentType, null);
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, $"{doorName}: the good body after the corpus got {(int)accepted.StatusCode} {await accepted.Content.ReadAsStringAsync(Token)}");
        if (doorName.StartsWith("aws", StringComparison.Ordinal))
        {
            // Once the good event is stored, the refused ones would have been too: none is.
            await ActivityAsync(good, expectStored: true);
            foreach (var id in refusedIds)
            {
                await ActivityAsync(id, expectStored: false);
            }
        }
    }

    [Theory]
    [InlineData("billion laughs", """<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]><testsuite name="&lol9;"><testcase classname="a" name="b"/></testsuite>""")]
    [InlineData("external entity", """<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><testsuite name="&xxe;"><testcase classname="a" name="b"/></testsuite>""")]
    [InlineData("truncated XML", """<?xml version="1.0"?><testsuite name="s"><testcase classname="a" name""")]
    [InlineData("no tests at all", """<?xml version="1.0"?><nothing/>""")]
    public async Task HostileSmokeReportsAreRefusedAndTheReleaseKeepsNoEvidence(string name, string xml)
    {
        using var registered = await SendAsync(HttpMethod.Post, "/api/releases", JsonContent.Create(new
        {
            service = "hostile-" + Guid.NewGuid().ToString("N")[..8], environment = "prod", version = "1.0.0", commit = "0123456789abcdef",
            artifactDigests = new[] { "sha256:" + new string('c', 64) },
        }));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var release = (await registered.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("id").GetGuid();
        var report = new ByteArrayContent(Encoding.UTF8.GetBytes(xml));
        report.Headers.ContentType = new MediaTypeHeaderValue("application/xml");

        using var refused = await SendAsync(HttpMethod.Post, $"/api/releases/{release}/smoke", report);
        var text = await refused.Content.ReadAsStringAsync(Token);

        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{name}: got {(int)refused.StatusCode} {text}");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("root:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("lollollol", text, StringComparison.Ordinal);
        using var evidence = await SendAsync(HttpMethod.Get, $"/api/releases/{release}");
        Assert.Equal(HttpStatusCode.OK, evidence.StatusCode);
        Assert.DoesNotContain("\"kind\":\"smoke\"", await evidence.Content.ReadAsStringAsync(Token), StringComparison.OrdinalIgnoreCase);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, byte[] body, string contentType, string? encoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (encoding is not null)
        {
            request.Content.Headers.ContentEncoding.Add(encoding);
        }
        request.Headers.Add("X-Api-Key", system.IngestKey);
        return await system.Gateway.SendAsync(request, Token);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-Api-Key", system.PipelineKey);
        return await system.Gateway.SendAsync(request, Token);
    }

    private async Task ActivityAsync(string eventId, bool expectStored)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            using var response = await system.ReadAsync($"/api/activity/aws/{eventId}", Token);
            if (!expectStored || response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal(expectStored ? HttpStatusCode.OK : HttpStatusCode.NotFound, response.StatusCode);
                return;
            }
            await Task.Delay(200, timeout.Token);
        }
    }
}
