using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ControlTower.Contracts.Releases;
using ControlTower.ReleaseGate.Apis;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.ReleaseGate.Tests;

/// <summary>
/// The gate through HTTP against real PostgreSQL and RabbitMQ: a pipeline posts evidence for a release, asks for a
/// verdict, reads it back and replays it; bad input is refused whole, and each verdict is announced once stored.
/// </summary>
public sealed class GateApiTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";
    private static readonly string Digest = "sha256:" + new string('a', 64);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, "releasegatedb", new Dictionary<string, string?>
        {
            ["ReleaseGate:PoliciesPath"] = Path.Combine(AppContext.BaseDirectory, "Policies"),
        });
        client = factory.CreateTrustedClient("pipeline-key");
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    private const string PassingJUnit = """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="smoke">
          <testsuite name="api-smoke">
            <testcase classname="health" name="ready"/>
            <testcase classname="health" name="version"/>
            <testcase classname="gateway" name="round trip"/>
          </testsuite>
        </testsuites>
        """;

    private const string FailingCtrf = """
        {
          "reportFormat": "CTRF",
          "specVersion": "0.0.0",
          "results": {
            "tool": { "name": "playwright" },
            "summary": { "tests": 3, "passed": 2, "failed": 1, "skipped": 0, "pending": 0, "other": 0 },
            "tests": [
              { "name": "health", "status": "passed", "duration": 10, "suite": "api-smoke" },
              { "name": "version", "status": "failed", "duration": 30, "message": "expected 2.4.1, got 2.4.0", "suite": "api-smoke" },
              { "name": "round trip", "status": "passed", "duration": 300, "suite": "api-smoke" }
            ]
          }
        }
        """;

    private const string PassingTap = """
        TAP version 14
        1..3
        ok 1 - health is ready
        ok 2 - version matches
        ok 3 - gateway round trip
        """;

    private async Task<ReleaseView> RegisterAsync(string service = "payments-api", string environment = "prod", string? version = null)
    {
        using var response = await client.PostAsJsonAsync("/api/releases", new
        {
            service,
            environment,
            version = version ?? "1.0." + Random.Shared.Next(1_000_000),
            commit = Commit,
            artifactDigests = new[] { Digest },
        }, Token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ReleaseView>(Token))!;
    }

    private static ByteArrayContent Body(string text, string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    private async Task<HttpResponseMessage> PostSmokeAsync(Guid release, string text, string contentType, string query = "") =>
        await client.PostAsync($"/api/releases/{release}/smoke{query}", Body(text, contentType), Token);

    private static object Truth(DateTimeOffset at, string version, string commit = Commit) => new
    {
        observations = new[]
        {
            new { replica = "pod-a", version, commit, imageDigest = Digest, observedAt = at },
            new { replica = "pod-b", version, commit, imageDigest = Digest, observedAt = at },
        },
    };

    /// <summary>Everything but smoke that the test policy needs to pass: truth from two replicas, an approval and a good metric.</summary>
    private async Task PostTruthApprovalAndMetricAsync(ReleaseView release)
    {
        var now = DateTimeOffset.UtcNow;
        using var truth = await client.PostAsJsonAsync($"/api/releases/{release.Id}/truth", Truth(now, release.Version), Token);
        Assert.Equal(HttpStatusCode.OK, truth.StatusCode);
        using var approval = await client.PostAsJsonAsync($"/api/releases/{release.Id}/approvals", new { approver = "alice", approved = true, comment = "looks good" }, Token);
        Assert.Equal(HttpStatusCode.Created, approval.StatusCode);
        using var metric = await client.PostAsJsonAsync($"/api/releases/{release.Id}/metrics",
            new { samples = new[] { new { metric = "http.error_rate", value = 0.001m, observedAt = now } } }, Token);
        Assert.Equal(HttpStatusCode.OK, metric.StatusCode);
    }

    private async Task<(HttpStatusCode Status, EvaluationView View)> EvaluateAsync(Guid release, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/releases/{release}/evaluations");
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }
        using var response = await client.SendAsync(request, Token);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Token));
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<EvaluationView>(Token))!);
    }

    private async Task<ReplayView> ReplayAsync(Guid evaluation)
    {
        using var response = await client.PostAsync($"/api/releases/evaluations/{evaluation}/replay", null, Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ReplayView>(Token))!;
    }

    private static JsonElement Rule(EvaluationView verdict, string id) =>
        verdict.Rules.EnumerateArray().Single(r => r.GetProperty("ruleId").GetString() == id);

    [Fact]
    public async Task APassingReleaseGoesFromJUnitUploadToAnApprovedVerdictThatReplaysAndIsAnnounced()
    {
        await using var spy = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(ReleaseVerdictIssued), Token);
        var release = await RegisterAsync();
        using var form = new MultipartFormDataContent { { Body(PassingJUnit, "application/xml"), "file", "smoke.xml" } };
        using var smoke = await client.PostAsync($"/api/releases/{release.Id}/smoke", form, Token);
        Assert.Equal(HttpStatusCode.Created, smoke.StatusCode);
        await PostTruthApprovalAndMetricAsync(release);

        var (status, verdict) = await EvaluateAsync(release.Id);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("Pass", verdict.Decision);
        Assert.Equal("Pass", verdict.RawOutcome);
        Assert.Equal(new GitHubView("approved", "success"), verdict.GitHub);
        Assert.Equal(new PolicyRef("test-gate", 1, verdict.Policy.Hash), verdict.Policy);
        Assert.Equal(5, verdict.EvidenceIds.Count);
        Assert.Equal(5, verdict.Rules.GetArrayLength());
        Assert.All(verdict.Rules.EnumerateArray(), r => Assert.Equal("Pass", r.GetProperty("outcome").GetString()));
        Assert.Matches("^[0-9a-f]{64}$", verdict.Digest);
        Assert.Equal("pipeline-key", verdict.RequestedBy);

        var replay = await ReplayAsync(verdict.Id);
        Assert.True(replay.Matches, $"stored {replay.StoredDigest}, replayed {replay.ReplayedDigest}");
        Assert.Equal(verdict.Digest, replay.ReplayedDigest);
        Assert.True(replay.PolicyHashMatches);

        var announced = await spy.WaitForAsync(m => m.GetProperty("evaluationId").GetGuid() == verdict.Id, Timeout);
        Assert.Equal("Pass", announced.GetProperty("decision").GetString());
        Assert.Equal("approved", announced.GetProperty("gitHub").GetString());
        Assert.Equal(verdict.Digest, announced.GetProperty("digest").GetString());
        Assert.Equal(release.Id, announced.GetProperty("releaseId").GetGuid());
    }

    [Fact]
    public async Task AFailingCtrfReportGivesARejectedVerdictThatSaysWhyAndReplays()
    {
        var release = await RegisterAsync();
        using var smoke = await PostSmokeAsync(release.Id, FailingCtrf, "application/json");
        Assert.Equal(HttpStatusCode.Created, smoke.StatusCode);
        await PostTruthApprovalAndMetricAsync(release);

        var (_, verdict) = await EvaluateAsync(release.Id);

        Assert.Equal("Fail", verdict.Decision);
        Assert.Equal(new GitHubView("rejected", "failure"), verdict.GitHub);
        var passRate = Rule(verdict, "smoke-pass-rate");
        Assert.Equal("Fail", passRate.GetProperty("outcome").GetString());
        Assert.Contains("below the minimum 0.95", passRate.GetProperty("explanation").GetString());
        Assert.Equal("Fail", Rule(verdict, "smoke-suites").GetProperty("outcome").GetString());
        Assert.Equal("Pass", Rule(verdict, "running-what-was-claimed").GetProperty("outcome").GetString());
        Assert.True((await ReplayAsync(verdict.Id)).Matches);
    }

    [Fact]
    public async Task ATapReportNamedForItsSuitePassesTheSmokeRulesWhileMissingTruthLeavesItInconclusive()
    {
        var release = await RegisterAsync();
        using var smoke = await PostSmokeAsync(release.Id, PassingTap, "text/x-tap", "?suite=api-smoke");
        Assert.Equal(HttpStatusCode.Created, smoke.StatusCode);
        using var approval = await client.PostAsJsonAsync($"/api/releases/{release.Id}/approvals", new { approver = "alice", approved = true }, Token);

        var (_, verdict) = await EvaluateAsync(release.Id);

        Assert.Equal("Pass", Rule(verdict, "smoke-pass-rate").GetProperty("outcome").GetString());
        Assert.Equal("Pass", Rule(verdict, "smoke-suites").GetProperty("outcome").GetString());
        Assert.Equal("Inconclusive", Rule(verdict, "running-what-was-claimed").GetProperty("outcome").GetString());
        Assert.Equal("Inconclusive", verdict.Decision);
        Assert.Equal(new GitHubView("action_required", "action_required"), verdict.GitHub);
        Assert.True((await ReplayAsync(verdict.Id)).Matches);
    }

    [Fact]
    public async Task WaiversFromSomeoneElseTurnAFailIntoAPassWithWaiverAndBothOutcomesAreKept()
    {
        var release = await RegisterAsync();
        using var smoke = await PostSmokeAsync(release.Id, FailingCtrf, "application/json");
        await PostTruthApprovalAndMetricAsync(release);
        foreach (var kind in new[] { "smoke.passRate", "smoke.requiredSuites" })
        {
            using var waiver = await client.PostAsJsonAsync($"/api/releases/{release.Id}/waivers", new
            {
                ruleKind = kind, reason = "version check is known broken (INC-42)", requestedBy = "pipeline-key", approvedBy = "bob",
                expiresAt = DateTimeOffset.UtcNow.AddDays(1),
            }, Token);
            Assert.Equal(HttpStatusCode.Created, waiver.StatusCode);
        }

        var (_, verdict) = await EvaluateAsync(release.Id);

        Assert.Equal("Fail", verdict.RawOutcome);
        Assert.Equal("PassWithWaiver", verdict.Decision);
        Assert.Equal("approved", verdict.GitHub.State);
        Assert.Equal(2, verdict.Waivers.EnumerateArray().Count(w => w.GetProperty("status").GetString() == "Applied"));
        Assert.True((await ReplayAsync(verdict.Id)).Matches);
    }

    [Fact]
    public async Task PostingTheSameEvidenceAgainReturnsWhatWasStoredTheFirstTime()
    {
        var release = await RegisterAsync();
        var at = DateTimeOffset.UtcNow;
        var waiver = new { ruleId = "one-approval", reason = "hotfix", requestedBy = "carol", approvedBy = "dave", expiresAt = at.AddHours(4) };

        using var first = await PostSmokeAsync(release.Id, PassingJUnit, "application/xml");
        using var second = await PostSmokeAsync(release.Id, PassingJUnit, "text/xml");
        using var truth1 = await client.PostAsJsonAsync($"/api/releases/{release.Id}/truth", Truth(at, release.Version), Token);
        using var truth2 = await client.PostAsJsonAsync($"/api/releases/{release.Id}/truth", Truth(at, release.Version), Token);
        using var waiver1 = await client.PostAsJsonAsync($"/api/releases/{release.Id}/waivers", waiver, Token);
        using var waiver2 = await client.PostAsJsonAsync($"/api/releases/{release.Id}/waivers", waiver, Token);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal((await first.Content.ReadFromJsonAsync<EvidenceView>(Token))!.Id, (await second.Content.ReadFromJsonAsync<EvidenceView>(Token))!.Id);
        Assert.Equal(
            (await truth1.Content.ReadFromJsonAsync<List<EvidenceView>>(Token))!.Select(e => e.Id),
            (await truth2.Content.ReadFromJsonAsync<List<EvidenceView>>(Token))!.Select(e => e.Id));
        Assert.Equal(HttpStatusCode.Created, waiver1.StatusCode);
        Assert.Equal(HttpStatusCode.OK, waiver2.StatusCode);
        var stored = await client.GetFromJsonAsync<List<EvidenceView>>($"/api/releases/{release.Id}/evidence", Token);
        Assert.Equal(["smokeRun", "truthObservation", "truthObservation", "waiver"], stored!.Select(e => e.Kind).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TheSameIdempotencyKeyGivesTheSameVerdictAndHistoryIsAppendedNewestFirst()
    {
        var release = await RegisterAsync();
        using var smoke = await PostSmokeAsync(release.Id, PassingJUnit, "application/xml");

        var (status1, first) = await EvaluateAsync(release.Id, key: "run-42-attempt-1");
        var (status2, again) = await EvaluateAsync(release.Id, key: "run-42-attempt-1");
        await PostTruthApprovalAndMetricAsync(release);
        var (_, later) = await EvaluateAsync(release.Id, key: "run-42-attempt-2");

        Assert.Equal(HttpStatusCode.Created, status1);
        Assert.Equal(HttpStatusCode.OK, status2);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(first.Digest, again.Digest);
        Assert.Equal("Inconclusive", first.Decision);
        Assert.Equal("Pass", later.Decision);
        var history = await client.GetFromJsonAsync<List<EvaluationView>>($"/api/releases/{release.Id}/evaluations", Token);
        Assert.Equal([later.Id, first.Id], history!.Select(e => e.Id));
        // The first verdict is not rewritten by the evidence that came after it.
        var stored = await client.GetFromJsonAsync<EvaluationView>($"/api/releases/evaluations/{first.Id}", Token);
        Assert.Equal(first.Digest, stored!.Digest);
        Assert.Equal("Inconclusive", stored.Decision);
        Assert.Single(stored.EvidenceIds);
        Assert.True((await ReplayAsync(first.Id)).Matches);
    }

    [Fact]
    public async Task RequestsRacingWithOneIdempotencyKeyAllGetTheOneStoredVerdict()
    {
        var release = await RegisterAsync();
        using var smoke = await PostSmokeAsync(release.Id, PassingJUnit, "application/xml");

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => EvaluateAsync(release.Id, key: "deploy-7")));

        Assert.Single(answers.Select(a => a.View.Id).Distinct());
        Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
        var history = await client.GetFromJsonAsync<List<EvaluationView>>($"/api/releases/{release.Id}/evaluations", Token);
        Assert.Single(history!);
    }

    public static TheoryData<string, string, string, HttpStatusCode, string> BadSmoke() => new()
    {
        { "malformed JUnit", "<testsuites>\n  <testsuite name=\"x\">\n</testsuites>", "application/xml", HttpStatusCode.BadRequest, "not well-formed XML" },
        { "JUnit with a DTD", "<!DOCTYPE t [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<testsuite name=\"&x;\"/>", "application/xml", HttpStatusCode.BadRequest, "DTDs are not accepted" },
        { "CTRF that is not JSON", "{ \"results\": ", "application/json", HttpStatusCode.BadRequest, "Ctrf" },
        { "TAP that is not TAP", "hello\nworld", "text/x-tap", HttpStatusCode.BadRequest, "Tap" },
        { "an empty body", "", "application/xml", HttpStatusCode.BadRequest, "empty" },
        { "a format nobody knows", "a,b,c", "text/csv", HttpStatusCode.UnsupportedMediaType, "names no smoke format" },
        { "a report above 5 MiB", "<testsuite name=\"s\">" + new string(' ', 5 * 1024 * 1024) + "</testsuite>", "application/xml", HttpStatusCode.RequestEntityTooLarge, "at most 5242880 bytes" },
    };

    [Theory]
    [MemberData(nameof(BadSmoke))]
    public async Task ABadSmokeReportIsAProblemNamingTheFaultAndNothingIsStored(string what, string body, string contentType, HttpStatusCode expected, string says)
    {
        var release = await RegisterAsync();

        using var response = await PostSmokeAsync(release.Id, body, contentType);

        Assert.True(expected == response.StatusCode, what);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(says, await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        Assert.Empty((await client.GetFromJsonAsync<List<EvidenceView>>($"/api/releases/{release.Id}/evidence", Token))!);
    }

    public static TheoryData<string, string, string, string> BadJson() => new()
    {
        { "truth without a replica", "truth", """{"observations":[{"version":"1","observedAt":"2026-11-28T10:00:00Z"}]}""", "observations[0].replica" },
        { "truth with a bad digest", "truth", """{"observations":[{"replica":"a","imageDigest":"md5:1","observedAt":"2026-11-28T10:00:00Z"}]}""", "observations[0].imageDigest" },
        { "truth with nothing", "truth", """{"observations":[]}""", "observations" },
        { "truth, second of two bad", "truth", """{"observations":[{"replica":"a","version":"1","observedAt":"2026-11-28T10:00:00Z"},{"replica":"b","version":"1"}]}""", "observations[1].observedAt" },
        { "approval without a word", "approvals", """{"approver":"alice"}""", "approved" },
        { "approval that is not JSON", "approvals", """{"approver":""", "$" },
        { "waiver approved by its requester", "waivers", """{"ruleId":"x","reason":"r","requestedBy":"alice","approvedBy":"alice","expiresAt":"2099-01-01T00:00:00Z"}""", "must not be the requester" },
        { "waiver already expired", "waivers", """{"ruleId":"x","reason":"r","requestedBy":"alice","approvedBy":"bob","expiresAt":"2020-01-01T00:00:00Z"}""", "expiresAt" },
        { "waiver for a rule and a kind", "waivers", """{"ruleId":"x","ruleKind":"y","reason":"r","requestedBy":"alice","approvedBy":"bob","expiresAt":"2099-01-01T00:00:00Z"}""", "ruleId" },
        { "metric without a name", "metrics", """{"samples":[{"value":1,"observedAt":"2026-11-28T10:00:00Z"}]}""", "samples[0].metric" },
        { "metric with a value that is not a number", "metrics", """{"samples":[{"metric":"m","value":"high","observedAt":"2026-11-28T10:00:00Z"}]}""", "value" },
    };

    [Theory]
    [MemberData(nameof(BadJson))]
    public async Task BadEvidenceIsAValidationProblemNamingTheFieldAndNothingIsStored(string what, string door, string body, string field)
    {
        var release = await RegisterAsync();

        using var response = await client.PostAsync($"/api/releases/{release.Id}/{door}", Body(body, "application/json"), Token);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {response.StatusCode}");
        Assert.Contains(field, await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        Assert.Empty((await client.GetFromJsonAsync<List<EvidenceView>>($"/api/releases/{release.Id}/evidence", Token))!);
    }

    [Fact]
    public async Task ABadIdempotencyKeyOrAWrongContentTypeStoresNoVerdict()
    {
        var release = await RegisterAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/releases/{release.Id}/evaluations");
        request.Headers.Add("Idempotency-Key", new string('k', 201));

        using var badKey = await client.SendAsync(request, Token);
        using var badType = await client.PostAsync($"/api/releases/{release.Id}/truth", Body("<truth/>", "application/xml"), Token);

        Assert.Equal(HttpStatusCode.BadRequest, badKey.StatusCode);
        Assert.Contains("Idempotency-Key", await badKey.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, badType.StatusCode);
        Assert.Empty((await client.GetFromJsonAsync<List<EvaluationView>>($"/api/releases/{release.Id}/evaluations", Token))!);
    }

    [Fact]
    public async Task AnUnknownReleaseOrEvaluationIsANotFoundProblemEverywhere()
    {
        var unknown = Guid.NewGuid();
        var posts = new (string Path, HttpContent Body)[]
        {
            ($"/api/releases/{unknown}/smoke", Body(PassingJUnit, "application/xml")),
            ($"/api/releases/{unknown}/truth", JsonContent.Create(Truth(DateTimeOffset.UtcNow, "1.0.0"))),
            ($"/api/releases/{unknown}/approvals", JsonContent.Create(new { approver = "alice", approved = true })),
            ($"/api/releases/{unknown}/waivers", JsonContent.Create(new { ruleId = "x", reason = "r", requestedBy = "a", approvedBy = "b", expiresAt = DateTimeOffset.UtcNow.AddDays(1) })),
            ($"/api/releases/{unknown}/metrics", JsonContent.Create(new { samples = new[] { new { metric = "m", value = 1m, observedAt = DateTimeOffset.UtcNow } } })),
            ($"/api/releases/{unknown}/evaluations", new StringContent("")),
            ($"/api/releases/evaluations/{unknown}/replay", new StringContent("")),
        };
        foreach (var (path, body) in posts)
        {
            using var response = await client.PostAsync(path, body, Token);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"POST {path}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        foreach (var path in new[] { $"/api/releases/{unknown}/evaluations", $"/api/releases/{unknown}/evidence", $"/api/releases/evaluations/{unknown}" })
        {
            using var response = await client.GetAsync(path, Token);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"GET {path}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task ReadinessShowsEachServiceAndEnvironmentsLatestReleaseWithItsLatestVerdict()
    {
        var older = await RegisterAsync("billing", "prod", "3.0.0");
        await EvaluateAsync(older.Id);
        var newer = await RegisterAsync("billing", "prod", "3.1.0");
        var staging = await RegisterAsync("billing", "staging", "3.1.0");
        var (_, first) = await EvaluateAsync(newer.Id);
        var (_, latest) = await EvaluateAsync(newer.Id);

        var readiness = (await client.GetFromJsonAsync<List<ReadinessView>>("/api/releases/readiness", Token))!;

        Assert.Equal([("billing", "prod"), ("billing", "staging")], readiness.Select(r => (r.Service, r.Environment)));
        Assert.Equal(newer.Id, readiness[0].Release.Id);
        Assert.Equal(latest.Id, readiness[0].LatestVerdict!.Id);
        Assert.NotEqual(first.Id, latest.Id);
        Assert.Equal(staging.Id, readiness[1].Release.Id);
        Assert.Null(readiness[1].LatestVerdict);
    }

    [Fact]
    public async Task AVerdictStillReplaysAfterItsPolicyFileChanged()
    {
        var release = await RegisterAsync();
        using var smoke = await PostSmokeAsync(release.Id, FailingCtrf, "application/json");
        var (_, before) = await EvaluateAsync(release.Id);
        var folder = Directory.CreateTempSubdirectory("gate-policies-").FullName;
        try
        {
            // The same policy, version 2, now content with a 0.5 pass rate.
            var text = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Policies", "test-gate.yaml"), Token);
            await File.WriteAllTextAsync(Path.Combine(folder, "test-gate.yaml"),
                text.Replace("version: 1", "version: 2", StringComparison.Ordinal).Replace("minPassRate: 0.95", "minPassRate: 0.5", StringComparison.Ordinal), Token);
            var connection = factory.Services.GetRequiredService<IConfiguration>()["ConnectionStrings:releasegatedb"];
            await using var restarted = ServiceFactory<Program>.OnServers(infrastructure, settings: new Dictionary<string, string?>
            {
                ["ConnectionStrings:releasegatedb"] = connection,
                ["ReleaseGate:PoliciesPath"] = folder,
            });
            using var after = restarted.CreateTrustedClient("pipeline-key");
            await restarted.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));

            using var replayResponse = await after.PostAsync($"/api/releases/evaluations/{before.Id}/replay", null, Token);
            var replay = (await replayResponse.Content.ReadFromJsonAsync<ReplayView>(Token))!;
            using var newer = await after.PostAsync($"/api/releases/{release.Id}/evaluations", null, Token);
            var now = (await newer.Content.ReadFromJsonAsync<EvaluationView>(Token))!;
            var policies = (await after.GetFromJsonAsync<List<PolicyView>>("/api/releases/policies", Token))!;

            Assert.True(replay.Matches, $"stored {replay.StoredDigest}, replayed {replay.ReplayedDigest}");
            Assert.Equal(1, before.Policy.Version);
            Assert.Equal(2, now.Policy.Version);
            Assert.NotEqual(before.Policy.Hash, now.Policy.Hash);
            Assert.Equal("Fail", Rule(before, "smoke-pass-rate").GetProperty("outcome").GetString());
            Assert.Equal("Pass", Rule(now, "smoke-pass-rate").GetProperty("outcome").GetString());
            Assert.Equal([(2, true), (1, false)], policies.Select(p => (p.Version, p.Active)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheGateRoutes()
    {
        var document = await client.GetFromJsonAsync<JsonElement>("/api/releases/openapi/v1.json", Token);

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/releases/{id}/smoke", paths);
        Assert.Contains("/api/releases/{id}/evaluations", paths);
        Assert.Contains("/api/releases/evaluations/{evaluationId}/replay", paths);
        Assert.Contains("/api/releases/readiness", paths);
    }

    [Fact]
    public async Task PoliciesListsTheLoadedPolicyAndItsHash()
    {
        var policies = await client.GetFromJsonAsync<List<PolicyView>>("/api/releases/policies", Token);

        var policy = Assert.Single(policies!);
        Assert.Equal(("test-gate", 1, "*", "*", 5, true), (policy.Id, policy.Version, policy.Service, policy.Environment, policy.Rules, policy.Active));
        Assert.Equal("test-gate.yaml", policy.Source);
        Assert.Matches("^[0-9a-f]{64}$", policy.Hash);
    }
}
