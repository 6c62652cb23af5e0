using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ControlTower.Testing;

namespace ControlTower.EndToEnd.Tests;

/// <summary>One event the whole way: through the gateway, the collector, RabbitMQ and Operations, and back out.</summary>
public sealed class IngestionTests(SystemFixture system)
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static HttpRequestMessage Post(byte[] body, string? key, string contentType = "application/json", string? encoding = null,
        string path = "/ingest/aws/cloudtrail")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (encoding is not null)
        {
            request.Content.Headers.ContentEncoding.Add(encoding);
        }
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }
        return request;
    }

    private Task<HttpResponseMessage> Read(string path) => system.ReadAsync(path, TestContext.Current.CancellationToken);

    private async Task<JsonElement> WaitForActivity(string eventId)
    {
        using var timeout = new CancellationTokenSource(Arrival);
        while (true)
        {
            using var response = await Read($"/api/activity/aws/{eventId}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            }
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            await Task.Delay(200, timeout.Token);
        }
    }

    [Fact]
    public async Task CloudTrailFilePostedToTheGatewayComesBackFromTheActivityApi()
    {
        var eventId = Guid.NewGuid().ToString();
        var file = CloudTrailFiles.File(CloudTrailFiles.Record(eventId, account: "444455556666", eventName: "PutBucketPolicy"));

        using var response = await system.Gateway.SendAsync(Post(CloudTrailFiles.Gzip(file), system.IngestKey, encoding: "gzip"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(1, accepted.GetProperty("accepted").GetInt32());
        var detail = await WaitForActivity(eventId);
        var activity = detail.GetProperty("activity");
        Assert.Equal("444455556666", activity.GetProperty("account").GetString());
        Assert.Equal("PutBucketPolicy", activity.GetProperty("operation").GetString());
        Assert.Equal("demo-source", detail.GetProperty("source").GetString());

        using var list = await Read("/api/activity?limit=50");
        var page = await list.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains(page.GetProperty("items").EnumerateArray(), a => a.GetProperty("eventId").GetString() == eventId);
    }

    [Fact]
    public async Task EventBridgeEventPostedToTheGatewayIsStoredAsItsCloudTrailRecord()
    {
        var eventId = Guid.NewGuid().ToString();
        var envelope = CloudTrailFiles.EventBridgeEnvelope(CloudTrailFiles.Record(eventId, eventName: "MoveAccount"), source: "aws.organizations");

        using var response = await system.Gateway.SendAsync(Post(Encoding.UTF8.GetBytes(envelope.ToJsonString()), system.IngestKey, path: "/ingest/aws/eventbridge"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var detail = await WaitForActivity(eventId);
        Assert.Equal("MoveAccount", detail.GetProperty("activity").GetProperty("operation").GetString());
    }

    [Fact]
    public async Task SampleCloudTrailLogFileIsStoredWholeAndOnceEvenWhenSentTwice()
    {
        var gz = await File.ReadAllBytesAsync(Repository.TestData("aws/cloudtrail-logfile.json.gz"), TestContext.Current.CancellationToken);

        using var first = await system.Gateway.SendAsync(Post(gz, system.IngestKey, "application/gzip"), TestContext.Current.CancellationToken);
        using var second = await system.Gateway.SendAsync(Post(gz, system.IngestKey, "application/gzip"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var result = await first.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(100, result.GetProperty("accepted").GetInt32());
        // The last record of the sample file, and one from its middle, are stored.
        await WaitForActivity("883df83f-d09f-f285-2c17-684994744912");
    }

    // The bodies are made inside the test, not carried in the theory data: xunit serialises theory data for discovery,
    // and the 17 MB oversize body became gigabytes of garbage strings in the test process.
    public static TheoryData<string, string, string?, bool, HttpStatusCode> BadRequests() => new()
    {
        { "invalid JSON", "application/json", null, true, HttpStatusCode.BadRequest },
        { "wrong shape", "application/json", null, true, HttpStatusCode.BadRequest },
        { "missing key", "application/json", null, false, HttpStatusCode.Unauthorized },
        { "wrong key", "application/json", null, true, HttpStatusCode.Unauthorized },
        { "oversize body", "application/json", null, true, HttpStatusCode.RequestEntityTooLarge },
        { "invalid gzip", "application/json", "gzip", true, HttpStatusCode.BadRequest },
    };

    private static byte[] BadBody(string fault)
    {
        byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
        string File(string id) => CloudTrailFiles.File(CloudTrailFiles.Record(id));
        var marker = Guid.NewGuid().ToString("N")[..8];
        switch (fault)
        {
            case "invalid JSON":
                return Utf8("{\"Records\":[{\"eventID\":\"bad-" + marker + "-json\"");
            case "wrong shape":
                return Utf8("[" + File($"bad-{marker}-shape") + "]");
            case "oversize body":
                var huge = CloudTrailFiles.Record($"bad-{marker}-huge");
                huge["requestParameters"] = new string('x', 17 * 1024 * 1024);
                return Utf8(CloudTrailFiles.File(huge));
            default:
                return Utf8(File($"bad-{marker}-{fault.Replace(" ", "", StringComparison.Ordinal)}"));
        }
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadInputIsRefusedWithAProblemAndStoresNothing(
        string fault, string contentType, string? encoding, bool sendKey, HttpStatusCode expected)
    {
        var body = BadBody(fault);
        var key = !sendKey ? null : fault == "wrong key" ? "not-a-real-key-not-a-real-key-0000" : system.IngestKey;

        using var response = await system.Gateway.SendAsync(Post(body, key, contentType, encoding), TestContext.Current.CancellationToken);

        Assert.True(expected == response.StatusCode, $"{fault}: expected {expected}, got {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));

        // Once a good event sent afterwards is stored, the refused one would have been too: it is not.
        var after = Guid.NewGuid().ToString();
        using var good = await system.Gateway.SendAsync(Post(Encoding.UTF8.GetBytes(CloudTrailFiles.File(CloudTrailFiles.Record(after))), system.IngestKey), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, good.StatusCode);
        await WaitForActivity(after);
        var refused = System.Text.RegularExpressions.Regex.Match(Encoding.UTF8.GetString(body), "bad-[0-9a-f]{8}-[a-z]+").Value;
        using var lookup = await Read($"/api/activity/aws/{refused}");
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
    }

    [Fact]
    public async Task OversizedChunkedUploadIsRefusedWith413NotABrokenProxy()
    {
        // No Content-Length: the size is only known as the body streams through the gateway. The gateway answers as soon
        // as the limit is passed and then stops reading, so a client that only reads once it has sent everything can
        // meet a reset connection instead of the answer (HttpClient did, now and then). This client reads while it
        // writes, as a careful one does, and stops writing once the answer has come.
        var gateway = system.Gateway.BaseAddress!;
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(gateway.Host, gateway.Port, Token);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /ingest/aws/cloudtrail HTTP/1.1\r\nHost: {gateway.Authority}\r\nContent-Type: application/json\r\n"
            + $"Transfer-Encoding: chunked\r\nX-Api-Key: {system.IngestKey}\r\n\r\n"), Token);
        var reading = ReadResponseAsync(stream);
        var chunk = Encoding.ASCII.GetBytes($"{64 * 1024:x}\r\n{new string('x', 64 * 1024)}\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes("d\r\n{\"Records\":[\"\r\n"), Token);
        // Up to 20 MB, 4 more than the limit; past the limit the gateway may close the connection under the writes.
        for (var sent = 0; sent < 20 * 1024 * 1024 && !reading.IsCompleted; sent += 64 * 1024)
        {
            try
            {
                await stream.WriteAsync(chunk, Token);
            }
            catch (IOException)
            {
                break;
            }
        }

        var (status, body) = await reading.WaitAsync(TimeSpan.FromSeconds(30), Token);

        Assert.Equal(413, status);
        Assert.Contains("limit", JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString());
    }

    /// <summary>One HTTP/1.1 response's status and body (Content-Length or chunked), read as it arrives.</summary>
    private static async Task<(int Status, string Body)> ReadResponseAsync(Stream stream)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadAsync(buffer, Token);
            if (read > 0)
            {
                received.Write(buffer, 0, read);
            }
            var text = Encoding.UTF8.GetString(received.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var head = text[..end];
                var rest = text[(end + 4)..];
                var status = int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                var length = head.Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                if (length is not null && rest.Length >= int.Parse(length.Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture))
                {
                    return (status, rest);
                }
                if (length is null && rest.EndsWith("0\r\n\r\n", StringComparison.Ordinal))
                {
                    return (status, Dechunk(rest));
                }
            }
            if (read == 0)
            {
                throw new IOException($"the connection closed before a whole response: {text}");
            }
        }
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        var at = 0;
        while (true)
        {
            var line = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[at..line], 16);
            if (size == 0)
            {
                return body.ToString();
            }
            body.Append(chunked, line + 2, size);
            at = line + 2 + size + 2;
        }
    }

    [Fact]
    public async Task ReadingActivityNeedsAKeyWithTheReadScope()
    {
        using var anonymous = await system.Gateway.GetAsync("/api/activity", TestContext.Current.CancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/activity");
        request.Headers.Add("X-Api-Key", system.IngestKey);
        using var ingestOnly = await system.Gateway.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, ingestOnly.StatusCode);
    }
}
