using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ControlTower.ReleaseGate.DeploymentTruth;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ControlTower.ReleaseGate.Tests;

/// <summary>
/// Deployment truth gathered by the service itself: it asks each configured replica's /version (here a small
/// server on loopback standing in for four replicas) and keeps the answers, errors included, as evidence.
/// </summary>
public sealed class TruthGatheringTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private const string Commit = "abcdef0123456789";
    private static readonly string Digest = "sha256:" + new string('c', 64);
    private WebApplication replicas = null!;
    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        replicas = builder.Build();
        replicas.MapGet("/a/version", () => Results.Json(new { version = "2.1.0", commit = Commit, imageDigest = Digest }));
        // .NET's own way of saying it: InformationalVersion = Version+SourceRevisionId, here another build.
        replicas.MapGet("/b/version", () => Results.Json(new { informationalVersion = "2.1.0+1111111111111111" }));
        replicas.MapGet("/c/version", () => Results.Text("<html>maintenance</html>", "text/html"));
        await replicas.StartAsync(Token);
        var address = replicas.Urls.Single();

        factory = ServiceFactory<Program>.OnServers(infrastructure, "releasegatedb", new Dictionary<string, string?>
        {
            ["ReleaseGate:PoliciesPath"] = Path.Combine(AppContext.BaseDirectory, "Policies"),
            ["ReleaseGate:Truth:Sources:0:Service"] = "payments-api",
            ["ReleaseGate:Truth:Sources:0:Environment"] = "prod",
            ["ReleaseGate:Truth:Sources:0:Replicas:0:Name"] = "pod-a",
            ["ReleaseGate:Truth:Sources:0:Replicas:0:Url"] = $"{address}/a/version",
            ["ReleaseGate:Truth:Sources:0:Replicas:1:Name"] = "pod-b",
            ["ReleaseGate:Truth:Sources:0:Replicas:1:Url"] = $"{address}/b/version",
            ["ReleaseGate:Truth:Sources:0:Replicas:2:Name"] = "pod-c",
            ["ReleaseGate:Truth:Sources:0:Replicas:2:Url"] = $"{address}/c/version",
            ["ReleaseGate:Truth:Sources:0:Replicas:3:Name"] = "pod-d",
            ["ReleaseGate:Truth:Sources:0:Replicas:3:Url"] = "http://127.0.0.1:1/version",
        });
        client = factory.CreateTrustedClient("pipeline-key");
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
        await replicas.DisposeAsync();
    }

    private async Task<Guid> RegisterAsync(string environment)
    {
        using var response = await client.PostAsJsonAsync("/api/releases", new
        {
            service = "payments-api", environment, version = "2.1.0", commit = Commit, artifactDigests = new[] { Digest },
        }, Token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task EveryReplicaIsAskedAndWhatItRunsOrWhyItCouldNotBeAskedIsKept()
    {
        var release = await RegisterAsync("prod");

        using var gathered = await client.PostAsync($"/api/releases/{release}/truth/gather", null, Token);

        Assert.Equal(HttpStatusCode.OK, gathered.StatusCode);
        var evidence = (await gathered.Content.ReadFromJsonAsync<JsonElement>(Token)).EnumerateArray().ToList();
        Assert.Equal(4, evidence.Count);
        Assert.All(evidence, e => Assert.Equal("truthObservation", e.GetProperty("kind").GetString()));

        using var evaluated = await client.PostAsync($"/api/releases/{release}/evaluations", null, Token);
        var rule = (await evaluated.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("rules").EnumerateArray()
            .Single(r => r.GetProperty("ruleId").GetString() == "running-what-was-claimed");
        var text = rule.GetRawText();
        Assert.Equal("Fail", rule.GetProperty("outcome").GetString());
        // pod-b runs another commit; pod-c's answer is not a version; pod-d cannot be reached.
        Assert.Contains("pod-b", text, StringComparison.Ordinal);
        Assert.Contains("1111111111111111", text, StringComparison.Ordinal);
        Assert.Contains("pod-c", text, StringComparison.Ordinal);
        Assert.Contains("pod-d", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutASourceForTheReleasesEnvironmentGatheringIsAConflict()
    {
        var release = await RegisterAsync("staging");

        using var gathered = await client.PostAsync($"/api/releases/{release}/truth/gather", null, Token);

        Assert.Equal(HttpStatusCode.Conflict, gathered.StatusCode);
        Assert.Equal("application/problem+json", gathered.Content.Headers.ContentType?.MediaType);
        using var unknown = await client.PostAsync($"/api/releases/{Guid.NewGuid()}/truth/gather", null, Token);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [InlineData("""{"version":"2.1.0","commit":"ABCDEF0123456789"}""", "2.1.0", "abcdef0123456789", null)]
    [InlineData("""{"informationalVersion":"3.0.0+0123456789abcdef0123456789abcdef01234567"}""", "3.0.0", "0123456789abcdef0123456789abcdef01234567", null)]
    [InlineData("""{"informationalVersion":"3.0.0"}""", "3.0.0", null, null)]
    [InlineData("""{"imageDigest":"sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","commit":"not-a-commit"}""", null, null,
        "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc")]
    public void AVersionAnswerIsReadInTheFormsServicesWrite(string json, string? version, string? commit, string? digest) =>
        Assert.Equal((version, commit, digest), TruthGatherer.Read(System.Text.Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("not json")]
    public void AnAnswerThatSaysNothingIsNotAVersion(string json) =>
        Assert.Null(TruthGatherer.Read(System.Text.Encoding.UTF8.GetBytes(json)));
}
