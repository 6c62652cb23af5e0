using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using ControlTower.ReleaseGate.Apis;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;

namespace ControlTower.ReleaseGate.Tests;

/// <summary>What the portal reads: the board with evidence age and truth status, a smoke file's failing cases, and a replay by GET.</summary>
public sealed class PortalApiTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";
    private static readonly string Digest = "sha256:" + new string('a', 64);

    private const string FailingJUnit = """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuite name="api-smoke">
          <testcase classname="health" name="ready"/>
          <testcase classname="gateway" name="round trip"><failure message="expected 202, got 503">stack</failure></testcase>
        </testsuite>
        """;

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

    private async Task<(ReleaseView Release, EvidenceView Smoke, EvaluationView Verdict)> FailingReleaseAsync(string service)
    {
        using var registered = await client.PostAsJsonAsync("/api/releases",
            new { service, environment = "prod", version = "2.0.0", commit = Commit, artifactDigests = new[] { Digest } }, Token);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var release = (await registered.Content.ReadFromJsonAsync<ReleaseView>(Token))!;
        var report = new ByteArrayContent(Encoding.UTF8.GetBytes(FailingJUnit));
        report.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        using var smoke = await client.PostAsync($"/api/releases/{release.Id}/smoke", report, Token);
        Assert.Equal(HttpStatusCode.Created, smoke.StatusCode);
        using var evaluated = await client.PostAsync($"/api/releases/{release.Id}/evaluations", null, Token);
        Assert.Equal(HttpStatusCode.Created, evaluated.StatusCode);
        return (release, (await smoke.Content.ReadFromJsonAsync<EvidenceView>(Token))!, (await evaluated.Content.ReadFromJsonAsync<EvaluationView>(Token))!);
    }

    [Fact]
    public async Task TheBoardShowsEachCellsVerdictEvidenceAgeAndTruthStatusFilteredByService()
    {
        var service = "board-" + Guid.NewGuid().ToString("N")[..8];
        var (release, smoke, verdict) = await FailingReleaseAsync(service);

        var board = await client.GetFromJsonAsync<List<BoardCellView>>($"/api/releases/board?service={service}", Token);

        var cell = Assert.Single(board!);
        Assert.Equal((service, "prod", release.Id), (cell.Service, cell.Environment, cell.Release.Id));
        Assert.Equal(verdict.Id, cell.LatestVerdict!.Id);
        Assert.Equal("Fail", cell.LatestVerdict.Decision);
        Assert.Equal(smoke.CollectedAt, cell.EvidenceAt);
        Assert.Equal(1, cell.EvidenceCount);
        // No replica was observed: the truth rule of the test policy has no data.
        Assert.Equal("running-what-was-claimed", cell.Truth!.RuleId);
        Assert.Equal("Inconclusive", cell.Truth.Outcome);

        var other = await client.GetFromJsonAsync<List<BoardCellView>>($"/api/releases/board?service={service}&environment=staging", Token);
        Assert.Empty(other!);
    }

    [Fact]
    public async Task ASmokeFileShowsItsFailingCaseWithItsMessageAndTheOriginalReport()
    {
        var (release, smoke, _) = await FailingReleaseAsync("file-" + Guid.NewGuid().ToString("N")[..8]);

        var file = await client.GetFromJsonAsync<EvidenceFileView>($"/api/releases/{release.Id}/evidence/{smoke.Id}", Token);

        Assert.Equal("JUnit", file!.Format);
        Assert.Equal(new SmokeCountsView(2, 1, 1, 0, 0), file.Counts);
        var failure = Assert.Single(file.Cases);
        Assert.Equal(("api-smoke", "Failed", "expected 202, got 503"), (failure.Suite, failure.Status, failure.Message));
        Assert.Contains("round trip", failure.Name);
        Assert.Equal(FailingJUnit, file.Text);
        Assert.False(file.TextCut);

        using var missing = await client.GetAsync($"/api/releases/{release.Id}/evidence/{Guid.NewGuid()}", Token);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task AReaderReplaysAVerdictWithAGetAndItMatches()
    {
        var (_, _, verdict) = await FailingReleaseAsync("replay-" + Guid.NewGuid().ToString("N")[..8]);

        var replay = await client.GetFromJsonAsync<ReplayView>($"/api/releases/evaluations/{verdict.Id}/replay", Token);

        Assert.True(replay!.Matches);
        Assert.Equal(verdict.Digest, replay.ReplayedDigest);
        Assert.Equal("Fail", replay.ReplayedDecision);
    }
}
