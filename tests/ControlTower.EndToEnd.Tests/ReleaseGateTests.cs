using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ControlTower.EndToEnd.Tests;

/// <summary>A release pipeline through the gateway with its API key: register, post a smoke report, get a verdict, replay it.</summary>
public sealed class ReleaseGateTests(SystemFixture system)
{
    private const string JUnit = """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuite name="api-smoke">
          <testcase classname="health" name="ready"/>
          <testcase classname="gateway" name="round trip"/>
        </testsuite>
        """;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, HttpContent? content = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-Api-Key", key);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return await system.Gateway.SendAsync(request, Token);
    }

    [Fact]
    public async Task APipelineDrivesAReleaseFromEvidenceToAReplayableVerdictThroughTheGateway()
    {
        var service = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        using var registered = await SendAsync(HttpMethod.Post, "/api/releases", system.PipelineKey, JsonContent.Create(new
        {
            service, environment = "prod", version = "1.0.0", commit = "0123456789abcdef", artifactDigests = new[] { "sha256:" + new string('b', 64) },
        }));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var release = (await registered.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("id").GetGuid();

        var report = new ByteArrayContent(Encoding.UTF8.GetBytes(JUnit));
        report.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        using var smoke = await SendAsync(HttpMethod.Post, $"/api/releases/{release}/smoke", system.PipelineKey, report);
        Assert.Equal(HttpStatusCode.Created, smoke.StatusCode);

        using var evaluated = await SendAsync(HttpMethod.Post, $"/api/releases/{release}/evaluations", system.PipelineKey, idempotencyKey: "run-1");
        Assert.Equal(HttpStatusCode.Created, evaluated.StatusCode);
        var verdict = await evaluated.Content.ReadFromJsonAsync<JsonElement>(Token);
        // The AppHost points the service at deploy/release-gates/, whose default policy has eight rules.
        Assert.Equal("default", verdict.GetProperty("policy").GetProperty("id").GetString());
        Assert.Equal(8, verdict.GetProperty("rules").GetArrayLength());
        string Outcome(string rule) =>
            verdict.GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("ruleId").GetString() == rule).GetProperty("outcome").GetString()!;
        Assert.Equal("Pass", Outcome("smoke-pass-rate"));
        Assert.Equal("Inconclusive", Outcome("smoke-suites")); // ingestion-roundtrip never ran
        Assert.Equal("Fail", Outcome("running-what-was-claimed")); // no truth observed, and that rule's noData is fail
        Assert.Equal("Fail", verdict.GetProperty("decision").GetString());
        Assert.Equal("rejected", verdict.GetProperty("gitHub").GetProperty("state").GetString());

        var id = verdict.GetProperty("id").GetGuid();
        using var replay = await SendAsync(HttpMethod.Post, $"/api/releases/evaluations/{id}/replay", system.PipelineKey);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.True((await replay.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("matches").GetBoolean());

        // The portal's key reads readiness but may not ask for verdicts.
        using var readiness = await SendAsync(HttpMethod.Get, "/api/releases/readiness", system.ReaderKey);
        Assert.Equal(HttpStatusCode.OK, readiness.StatusCode);
        var entry = (await readiness.Content.ReadFromJsonAsync<JsonElement>(Token)).EnumerateArray().Single(r => r.GetProperty("service").GetString() == service);
        Assert.Equal(id, entry.GetProperty("latestVerdict").GetProperty("id").GetGuid());
        using var refused = await SendAsync(HttpMethod.Post, $"/api/releases/{release}/evaluations", system.ReaderKey);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
