using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;

namespace ControlTower.Collector.Azure.Tests;

/// <summary>The collector's doors describe themselves in OpenAPI, under their own prefix, for the gateway's merged document.</summary>
public sealed class OpenApiTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task EveryDoorIsDescribedWithItsSummaryAndItsAnswers()
    {
        await using var factory = ServiceFactory<Program>.OnServers(infrastructure);
        using var client = factory.CreateTrustedClient();

        var document = (await client.GetFromJsonAsync<JsonObject>("/ingest/azure/openapi/v1.json", TestContext.Current.CancellationToken))!;

        var paths = document["paths"]!.AsObject();
        var described = paths.SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key} {p.Key}")).ToList();
        Assert.Equal(new[] { "post /ingest/azure/eventgrid", "post /ingest/azure/cloudevents", "options /ingest/azure/cloudevents", "post /ingest/azure/activity-log", "post /ingest/azure/alerts" }.Order(StringComparer.Ordinal), described.Order(StringComparer.Ordinal));
        foreach (var (path, item) in paths)
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                Assert.False(string.IsNullOrWhiteSpace(operation!["summary"]?.GetValue<string>()), $"{method} {path} has no summary");
                if (method == "post")
                {
                    // What a source must handle: accepted with counts, or a problem saying what was wrong.
                    Assert.Superset(new HashSet<string> { "202", "400", "413", "415", "503" }, operation["responses"]!.AsObject().Select(r => r.Key).ToHashSet());
                }
            }
        }
    }
}
