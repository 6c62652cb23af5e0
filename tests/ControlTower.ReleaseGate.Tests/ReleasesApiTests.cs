using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ControlTower.ReleaseGate.Apis;
using ControlTower.ReleaseGate.Data;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.ReleaseGate.Tests;

/// <summary>ReleaseGate against real PostgreSQL: pipelines register releases idempotently, and bad requests say why.</summary>
public sealed class ReleasesApiTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, "releasegatedb");
        client = factory.CreateTrustedClient("pipeline-key");
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    private static object Request(string version, string commit = "0123456789abcdef0123456789abcdef01234567") => new
    {
        service = "payments-api",
        environment = "prod",
        version,
        commit,
        artifactDigests = new[] { "sha256:" + new string('a', 64) },
        pipelineRun = "https://ci.example/runs/42",
    };

    [Fact]
    public async Task ServiceStartsHealthyWithItsMigrationsApplied()
    {
        // InitializeAsync waited for /health; the schema must then be complete and match the model.
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReleaseGateDbContext>();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changes no migration captures: run dotnet ef migrations add");
    }

    [Fact]
    public async Task RegisteringAReleaseTwiceGivesTheSameRelease()
    {
        var version = "1.4." + Random.Shared.Next(100_000);

        using var created = await client.PostAsJsonAsync("/api/releases", Request(version), TestContext.Current.CancellationToken);
        using var again = await client.PostAsJsonAsync("/api/releases", Request(version), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var first = await created.Content.ReadFromJsonAsync<ReleaseView>(TestContext.Current.CancellationToken);
        var second = await again.Content.ReadFromJsonAsync<ReleaseView>(TestContext.Current.CancellationToken);
        Assert.Equal(first!.Id, second!.Id);
        Assert.Equal("pipeline-key", first.RegisteredBy);
        Assert.Equal($"/api/releases/{first.Id}", created.Headers.Location?.OriginalString);
        var fetched = await client.GetFromJsonAsync<ReleaseView>($"/api/releases/{first.Id}", TestContext.Current.CancellationToken);
        Assert.Equal(version, fetched!.Version);
        var listed = await client.GetFromJsonAsync<List<ReleaseView>>("/api/releases?service=payments-api&environment=prod", TestContext.Current.CancellationToken);
        Assert.Contains(listed!, r => r.Id == first.Id);
    }

    [Fact]
    public async Task TheSameVersionFromAnotherCommitIsAConflict()
    {
        var version = "2.0." + Random.Shared.Next(100_000);
        using var created = await client.PostAsJsonAsync("/api/releases", Request(version), TestContext.Current.CancellationToken);

        using var conflict = await client.PostAsJsonAsync("/api/releases", Request(version, commit: "fedcba9"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        var problem = await conflict.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains("already registered", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task InvalidFieldsAreAllNamed()
    {
        using var response = await client.PostAsJsonAsync("/api/releases", new
        {
            service = "",
            environment = "prod env",
            version = "1.0.0",
            commit = "not-hex",
            artifactDigests = new[] { "md5:abc" },
        }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("service", out _));
        Assert.True(errors.TryGetProperty("environment", out _));
        Assert.True(errors.TryGetProperty("commit", out _));
        Assert.True(errors.TryGetProperty("artifactDigests[0]", out _));
        Assert.False(errors.TryGetProperty("version", out _));
    }

    [Theory]
    [InlineData("{\"service\": \"x\", ", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("{\"service\": 42}", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("null", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("service=x", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType)]
    public async Task MalformedBodiesAreRefusedWithAProblem(string body, string contentType, HttpStatusCode expected)
    {
        using var content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await client.PostAsync("/api/releases", content, TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OversizedBodyIsRefused()
    {
        using var content = new StringContent("{\"pipelineRun\":\"" + new string('x', 1_100_000) + "\"}", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/api/releases", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task UnknownReleaseIsNotFound()
    {
        using var response = await client.GetAsync($"/api/releases/{Guid.NewGuid()}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task CallsThatDidNotComeThroughTheGatewayAreRefused()
    {
        using var direct = factory.CreateClient();
        using var response = await direct.PostAsJsonAsync("/api/releases", Request("9.9.9"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
