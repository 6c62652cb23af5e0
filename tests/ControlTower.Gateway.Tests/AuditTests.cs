using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ControlTower.Contracts.Audit;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;

namespace ControlTower.Gateway.Tests;

/// <summary>Every write through the gateway, allowed or refused, forwarded or its own, reaches the bus as an audit entry without secrets.</summary>
public sealed class AuditTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private EchoService echo = null!;
    private OidcProvider oidc = null!;
    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;
    private MessageSpy spy = null!;

    public async ValueTask InitializeAsync()
    {
        echo = await EchoService.StartAsync();
        oidc = await OidcProvider.StartAsync();
        spy = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(AuditRecorded), TestContext.Current.CancellationToken);
        factory = new ServiceFactory<Program>(TestGateway.Settings(infrastructure, infrastructure.Postgres.NewDatabase("gateway"), echo, oidc));
        client = factory.CreateClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
        await spy.DisposeAsync();
        await oidc.DisposeAsync();
        await echo.DisposeAsync();
    }

    [Fact]
    public async Task APersonsForwardedWriteIsAuditedWithWhoWhatRouteStatusAndReasonButReadsAreNot()
    {
        var token = oidc.Issue("olga", ["Operator"]);
        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/signals/41");
        read.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (await client.SendAsync(read, TestContext.Current.CancellationToken))
        {
        }
        using var write = new HttpRequestMessage(HttpMethod.Post, "/api/signals/41/acknowledge")
        {
            Content = new StringContent("{\"note\":\"body-is-never-audited\"}", new MediaTypeHeaderValue("application/json")),
        };
        write.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        write.Headers.Add("X-ControlTower-Reason", "paged by the on-call");
        using var response = await client.SendAsync(write, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var entry = await spy.WaitForAsync(m => m.GetProperty("action").GetString() == "POST /api/signals/41/acknowledge", Wait);

        Assert.Equal("olga", entry.GetProperty("actor").GetString());
        Assert.Equal("user", entry.GetProperty("actorKind").GetString());
        Assert.Equal("signals-write", entry.GetProperty("route").GetString());
        Assert.Equal(200, entry.GetProperty("status").GetInt32());
        Assert.Equal("paged by the on-call", entry.GetProperty("reason").GetString());
        Assert.Matches("^[0-9a-f]{32}$", entry.GetProperty("traceId").GetString());
        Assert.DoesNotContain(spy.Messages, m => m.GetProperty("action").GetString()!.StartsWith("GET ", StringComparison.Ordinal));
        Assert.DoesNotContain("body-is-never-audited", entry.GetRawText());
        Assert.DoesNotContain(token, entry.GetRawText());
    }

    [Fact]
    public async Task RefusedWritesAreAuditedWithTheirStatus()
    {
        using var anonymous = await client.PostAsync("/api/governance/inventory", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var viewer = new HttpRequestMessage(HttpMethod.Delete, "/api/governance/suppressions/0194b7a2-0000-7000-8000-000000000001");
        viewer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", oidc.Issue("vera", ["Viewer"]));
        using var forbidden = await client.SendAsync(viewer, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        var refusedAnonymous = await spy.WaitForAsync(m => m.GetProperty("action").GetString() == "POST /api/governance/inventory", Wait);
        Assert.Equal("anonymous", refusedAnonymous.GetProperty("actor").GetString());
        Assert.Equal(401, refusedAnonymous.GetProperty("status").GetInt32());
        var refusedViewer = await spy.WaitForAsync(m => m.GetProperty("action").GetString()!.StartsWith("DELETE /api/governance/suppressions/", StringComparison.Ordinal), Wait);
        Assert.Equal("vera", refusedViewer.GetProperty("actor").GetString());
        Assert.Equal(403, refusedViewer.GetProperty("status").GetInt32());
        Assert.Equal("governance-suppressions-write", refusedViewer.GetProperty("route").GetString());
    }

    [Fact]
    public async Task WritesTheRateLimitTurnsAwayAreNotRecorded()
    {
        var settings = TestGateway.Settings(infrastructure, infrastructure.Postgres.NewDatabase("gateway"), echo, oidc);
        settings["Gateway:RateLimit:AnonymousPermitsPerSecond"] = "1";
        settings["Gateway:RateLimit:AnonymousBurst"] = "1";
        await using var limited = new ServiceFactory<Program>(settings);
        using var limitedClient = limited.CreateClient();
        await limited.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await limitedClient.PostAsync("/api/governance/inventory", null, TestContext.Current.CancellationToken);
            statuses.Add(response.StatusCode);
        }
        using var marker = new HttpRequestMessage(HttpMethod.Post, "/api/governance/inventory");
        marker.Headers.Add("X-Api-Key", TestGateway.AdminKey);
        using (await limitedClient.SendAsync(marker, TestContext.Current.CancellationToken))
        {
        }

        // The relay publishes in the order entries were written: once the marker is here, the others are too.
        await spy.WaitForAsync(m => m.GetProperty("action").GetString() == "POST /api/governance/inventory" && m.GetProperty("actor").GetString() == "admin", Wait);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        var recorded = spy.Messages.Where(m => m.GetProperty("action").GetString() == "POST /api/governance/inventory"
            && m.GetProperty("actor").GetString() == "anonymous").ToList();
        Assert.Contains(HttpStatusCode.Unauthorized, statuses);
        Assert.Equal(statuses.Count(s => s != HttpStatusCode.TooManyRequests), recorded.Count);
        Assert.All(recorded, m => Assert.NotEqual(429, m.GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task TheGatewaysOwnKeyManagementIsAuditedWithoutTheSecretItHandsOut()
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/admin/keys")
        {
            Content = JsonContent.Create(new { name = "audited-key", scopes = new[] { "activity:read" } }),
        };
        create.Headers.Add("X-Api-Key", TestGateway.AdminKey);
        using var response = await client.SendAsync(create, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var secret = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("secret").GetString()!;

        var entry = await spy.WaitForAsync(m => m.GetProperty("action").GetString() == "POST /api/admin/keys", Wait);

        Assert.Equal("admin", entry.GetProperty("actor").GetString());
        Assert.Equal("key", entry.GetProperty("actorKind").GetString());
        Assert.Equal("CreateApiKey", entry.GetProperty("route").GetString());
        Assert.Equal(201, entry.GetProperty("status").GetInt32());
        Assert.DoesNotContain(secret, entry.GetRawText());
        Assert.DoesNotContain(TestGateway.AdminKey, entry.GetRawText());
    }
}
