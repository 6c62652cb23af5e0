using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;

namespace ControlTower.Governance.Tests;

/// <summary>The Governance API describes itself in OpenAPI, under its own prefix so the gateway serves it too.</summary>
public sealed class OpenApiTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task EveryEndpointIsDescribedWithItsSummaryAndItsProblemAnswers()
    {
        await using var factory = ServiceFactory<Program>.OnServers(infrastructure, "governancedb");
        using var client = factory.CreateTrustedClient();

        var document = (await client.GetFromJsonAsync<JsonObject>("/api/governance/openapi/v1.json", TestContext.Current.CancellationToken))!;

        Assert.StartsWith("3.", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        var paths = document["paths"]!.AsObject();
        string[] expected =
        [
            "get /api/governance/baseline", "put /api/governance/baseline", "get /api/governance/baseline/history",
            "get /api/governance/baseline/history/{version}", "get /api/governance/drift", "get /api/governance/findings",
            "get /api/governance/organization", "get /api/governance/observed-accounts",
            "post /api/governance/scp/evaluate", "post /api/governance/scp/impact",
        ];
        var described = paths.SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key} {p.Key}")).ToHashSet();
        Assert.All(expected, operation => Assert.Contains(operation, described));
        foreach (var (path, item) in paths)
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                Assert.False(string.IsNullOrWhiteSpace(operation!["summary"]?.GetValue<string>()), $"{method} {path} has no summary");
            }
        }
        var put = paths["/api/governance/baseline"]!["put"]!;
        Assert.Equal(["200", "400", "412", "413", "415"], put["responses"]!.AsObject().Select(r => r.Key).Order(StringComparer.Ordinal));
        Assert.NotNull(put["requestBody"]!["content"]!["application/yaml"]);
    }
}
