using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ControlTower.Testing;

namespace ControlTower.EndToEnd.Tests;

/// <summary>Azure events the whole way: through the gateway (the key in the query string, as Event Grid sends it), the Azure collector, RabbitMQ and Operations, and back out.</summary>
public sealed class AzureIngestionTests(SystemFixture system)
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(60);

    private static string AzureSample(string file) => File.ReadAllText(Repository.TestData("azure/" + file));

    private HttpRequestMessage Post(string path, string body, string contentType = "application/json") => new(HttpMethod.Post,
        $"{path}?apiKey={Uri.EscapeDataString(system.IngestKey)}")
    {
        Content = new StringContent(body, Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType).MediaType!),
    };

    private async Task<JsonElement> WaitForActivity(string eventId)
    {
        using var timeout = new CancellationTokenSource(Arrival);
        while (true)
        {
            using var response = await system.ReadAsync($"/api/activity/azure/{Uri.EscapeDataString(eventId)}", TestContext.Current.CancellationToken);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("activity");
            }
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            await Task.Delay(200, timeout.Token);
        }
    }

    [Fact]
    public async Task TheEventGridHandshakeIsAnsweredThroughTheGatewayWithTheKeyInTheQueryString()
    {
        using var request = Post("/ingest/azure/eventgrid", AzureSample("eventgrid-validation.json"));
        request.Headers.Add("aeg-event-type", "SubscriptionValidation");

        using var response = await system.Gateway.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("bdd640fb-0667-4ad1-9c80-317fa3b1799d", answer.GetProperty("validationResponse").GetString());
    }

    [Fact]
    public async Task TheCloudEventsHandshakeIsAnsweredByTheCollectorThroughTheGateway()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/ingest/azure/cloudevents");
        request.Headers.Add("WebHook-Request-Origin", "eventgrid.azure.net");

        using var response = await system.Gateway.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("eventgrid.azure.net", Assert.Single(response.Headers.GetValues("WebHook-Allowed-Origin")));
    }

    [Fact]
    public async Task EventGridEventsAndTheActivityLogCorpusAreStoredAndReadBack()
    {
        var lines = File.ReadAllLines(Repository.TestData("azure/activity-log-records.jsonl")).Where(l => l.Trim().Length > 0).ToList();

        using var grid = await system.Gateway.SendAsync(Post("/ingest/azure/eventgrid", AzureSample("eventgrid-events.json")), TestContext.Current.CancellationToken);
        using var log = await system.Gateway.SendAsync(Post("/ingest/azure/activity-log", "{\"records\":[" + string.Join(",", lines) + "]}"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, grid.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, log.StatusCode);
        Assert.Equal(lines.Count, (await log.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("accepted").GetInt32());
        var write = await WaitForActivity("17fc695a-07a0-4a6e-8822-e8f36c031199");
        Assert.Equal("microsoft.storage/storageaccounts/write", write.GetProperty("operation").GetString());
        Assert.Equal("11112222-bbbb-3333-cccc-4444dddd5555", write.GetProperty("account").GetString());
        Assert.Equal("avery.admin@contoso.com", write.GetProperty("actor").GetString());
        // The first and the last record of the corpus, under their content keys.
        foreach (var line in new[] { lines[0], lines[^1] })
        {
            var key = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(line))[..16]);
            var stored = await WaitForActivity(key);
            Assert.Equal("azure", stored.GetProperty("provider").GetString());
        }
    }
}
