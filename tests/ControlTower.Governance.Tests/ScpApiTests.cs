using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlTower.Governance.Apis;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;

namespace ControlTower.Governance.Tests;

/// <summary>The SCP simulator endpoint: decisions with their evidence, and faults named by where they are.</summary>
public sealed class ScpApiTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private const string FullAccess = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""";
    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, "governancedb");
        client = factory.CreateTrustedClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    private static JsonObject Level(string target, params JsonNode[] documents) => new()
    {
        ["targetId"] = target,
        ["policies"] = new JsonArray([.. documents.Select((d, i) => (JsonNode)new JsonObject { ["id"] = $"p-{target}-{i}", ["name"] = $"policy {i}", ["document"] = d })]),
    };

    private async Task<HttpResponseMessage> Evaluate(JsonObject body)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await client.PostAsync("/api/governance/scp/evaluate",
            new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), timeout.Token);
    }

    [Fact]
    public async Task ADenyInAnOuIsReportedWithItsPolicyStatementAndLevel()
    {
        var deny = JsonNode.Parse("""
            {"Version":"2012-10-17","Statement":[{"Sid":"NoStopLogging","Effect":"Deny","Action":"cloudtrail:StopLogging","Resource":"*",
              "Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Platform*"}}}]}
            """)!;
        var body = new JsonObject
        {
            ["action"] = "cloudtrail:StopLogging",
            ["context"] = new JsonObject { ["aws:PrincipalArn"] = new JsonArray("arn:aws:iam::111122223333:role/Developer") },
            // The OU's policy as Organizations returns it: a string.
            ["path"] = new JsonArray(Level("r-root", JsonNode.Parse(FullAccess)!), Level("ou-workloads", JsonNode.Parse(FullAccess)!, deny.ToJsonString()),
                Level("111122223333", JsonNode.Parse(FullAccess)!)),
        };

        using var response = await Evaluate(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var decision = await response.Content.ReadFromJsonAsync<ScpDecisionView>(TestContext.Current.CancellationToken);
        Assert.Equal(new ScpDecisionView("explicitDeny", "an explicit Deny covers the request", "ou-workloads", "p-ou-workloads-1", "policy 1", 0, "NoStopLogging"), decision);

        body["context"] = new JsonObject { ["aws:PrincipalArn"] = new JsonArray("arn:aws:iam::111122223333:role/PlatformAdmin") };
        using var allowed = await Evaluate(body);
        Assert.Equal("allowed", (await allowed.Content.ReadFromJsonAsync<ScpDecisionView>(TestContext.Current.CancellationToken))!.Outcome);
    }

    [Fact]
    public async Task FaultsInThePoliciesAreNamedByLevelPolicyAndElement()
    {
        var body = new JsonObject
        {
            ["action"] = "s3:GetObject",
            ["path"] = new JsonArray(
                Level("r-root", JsonNode.Parse(FullAccess)!, JsonNode.Parse("""{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*"}]}""")!),
                Level("ou-full", [.. Enumerable.Range(0, 11).Select(_ => JsonNode.Parse(FullAccess)!)])),
        };

        using var response = await Evaluate(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors");
        Assert.Contains("not supported", errors.GetProperty("path[0].policies[1].document.Statement[0].Principal")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("this one has 11", errors.GetProperty("path[1].policies")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedOrMistypedBodiesAreRefusedWithProblems()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var notJson = await client.PostAsync("/api/governance/scp/evaluate", new StringContent("{\"action\": ", Encoding.UTF8, "application/json"), timeout.Token);
        using var text = await client.PostAsync("/api/governance/scp/evaluate", new StringContent("s3:GetObject", Encoding.UTF8, "text/plain"), timeout.Token);
        using var empty = await Evaluate([]);

        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var errors = (await empty.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("action", out _));
        Assert.True(errors.TryGetProperty("path", out _));
    }
}
