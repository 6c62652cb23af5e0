using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ControlTower.Gateway.Tests;

/// <summary>
/// The portal's overview, composed by the gateway from real loopback servers standing in for the services: each part
/// asked at once with the caller's identity, and a part that is slow, failing or not the caller's marked as such.
/// </summary>
public sealed class OverviewTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private const string ReaderKey = "reader-key-for-tests-0123456789abcdef";
    private const string EverythingKey = "everything-key-for-tests-0123456789ab";
    private const string IngestKey = "ingest-key-for-tests-0123456789abcdef";

    private readonly Dictionary<string, StubService> services = [];
    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        services["operations"] = await StubService.StartAsync(new()
        {
            ["/api/signals/summary"] = (HttpStatusCode.OK, TimeSpan.Zero, """{"open":3,"bySeverity":{"high":2,"low":1}}"""),
            ["/api/activity/counts"] = (HttpStatusCode.OK, TimeSpan.Zero, """{"buckets":[{"start":"2026-11-28T10:00:00Z","count":42}]}"""),
        });
        // Governance is slow: past the deadline.
        services["governance"] = await StubService.StartAsync(new()
        {
            ["/api/governance/posture"] = (HttpStatusCode.OK, TimeSpan.FromSeconds(10), """{"openFindings":1}"""),
        });
        // The release gate is failing.
        services["releasegate"] = await StubService.StartAsync(new()
        {
            ["/api/releases/readiness"] = (HttpStatusCode.InternalServerError, TimeSpan.Zero, """{"title":"boom"}"""),
        });
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:gatewaydb"] = infrastructure.Postgres.NewDatabase("gateway"),
            ["ConnectionStrings:messaging"] = infrastructure.RabbitMq.ConnectionString,
            ["Gateway:Overview:PartTimeoutSeconds"] = "0.5",
            ["Gateway:ApiKeys:Keys:0:Name"] = "portal",
            ["Gateway:ApiKeys:Keys:0:Key"] = ReaderKey,
            ["Gateway:ApiKeys:Keys:0:Scopes:0"] = "activity:read",
            ["Gateway:ApiKeys:Keys:0:Scopes:1"] = "governance:read",
            ["Gateway:ApiKeys:Keys:0:Scopes:2"] = "releases:read",
            ["Gateway:ApiKeys:Keys:1:Name"] = "everything",
            ["Gateway:ApiKeys:Keys:1:Key"] = EverythingKey,
            ["Gateway:ApiKeys:Keys:1:Scopes:0"] = "activity:read",
            ["Gateway:ApiKeys:Keys:1:Scopes:1"] = "signals:read",
            ["Gateway:ApiKeys:Keys:2:Name"] = "aws-eventbridge",
            ["Gateway:ApiKeys:Keys:2:Key"] = IngestKey,
            ["Gateway:ApiKeys:Keys:2:Scopes:0"] = "ingest:aws",
        };
        foreach (var cluster in new[] { "collector-aws", "collector-azure", "operations", "governance", "releasegate" })
        {
            settings[$"ReverseProxy:Clusters:{cluster}:Destinations:primary:Address"] =
                (services.GetValueOrDefault(cluster) ?? services["operations"]).Address;
        }
        factory = new ServiceFactory<Program>(settings);
        client = factory.CreateClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
        foreach (var service in services.Values)
        {
            await service.DisposeAsync();
        }
    }

    private async Task<HttpResponseMessage> GetAsync(string url, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task EachPartAnswersForItselfAndTheOverviewSaysItIsPartial()
    {
        using var response = await GetAsync("/api/overview", ReaderKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var overview = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(overview.GetProperty("partial").GetBoolean());
        var parts = overview.GetProperty("parts");
        string Status(string part) => parts.GetProperty(part).GetProperty("status").GetString()!;
        // The portal key may not read signals: the part is not even asked for.
        Assert.Equal(("forbidden", "ok", "timeout", "failed"), (Status("signals"), Status("activity"), Status("posture"), Status("readiness")));
        Assert.Contains("signals:read", parts.GetProperty("signals").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(42, parts.GetProperty("activity").GetProperty("data").GetProperty("buckets")[0].GetProperty("count").GetInt32());
        Assert.Contains("0.5 s", parts.GetProperty("posture").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("500", parts.GetProperty("readiness").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(services["operations"].Requests, r => r.Path.StartsWith("/api/signals", StringComparison.Ordinal));

        // The service was asked as the gateway, on the caller's behalf: token, caller, scopes, kind; for the last 24 hours by hour.
        var asked = Assert.Single(services["operations"].Requests);
        Assert.StartsWith("/api/activity/counts?bucket=1h&from=", asked.Path, StringComparison.Ordinal);
        Assert.Equal(ServiceFactory<Program>.InternalToken, asked.Headers[GatewayTrust.TokenHeader]);
        Assert.Equal("portal", asked.Headers[GatewayTrust.SourceHeader]);
        Assert.Equal("key", asked.Headers[GatewayTrust.CallerKindHeader]);
        Assert.Equal(["activity:read", "governance:read", "releases:read"],
            asked.Headers[GatewayTrust.ScopesHeader].Split(' ').Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AllPartsAnsweringIsNotPartialAndSomePartsCanBeAskedAlone()
    {
        using var response = await GetAsync("/api/overview?parts=signals,activity", EverythingKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var overview = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.False(overview.GetProperty("partial").GetBoolean());
        Assert.Equal(["activity", "signals"], overview.GetProperty("parts").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(2, overview.GetProperty("parts").GetProperty("signals").GetProperty("data").GetProperty("bySeverity").GetProperty("high").GetInt32());
        Assert.Empty(services["governance"].Requests);
    }

    [Theory]
    [InlineData("/api/overview?parts=signals,nonsense", "nonsense")]
    [InlineData("/api/overview?parts=,", "comma-separated")]
    public async Task UnknownPartsAreABadRequestNamingThem(string url, string expected)
    {
        using var response = await GetAsync(url, ReaderKey);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains(expected, problem.GetProperty("errors").GetProperty("parts")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnonymousCallersAreUnauthorisedAndCallersWhoMayReadNoPartAreForbidden()
    {
        using var anonymous = await GetAsync("/api/overview", null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);

        using var ingest = await GetAsync("/api/overview", IngestKey);
        Assert.Equal(HttpStatusCode.Forbidden, ingest.StatusCode);
        Assert.Equal("application/problem+json", ingest.Content.Headers.ContentType?.MediaType);
        Assert.Empty(services.Values.SelectMany(s => s.Requests));
    }
}

/// <summary>A real loopback server standing in for a service: fixed answers per path, optionally late, and a record of what it was asked.</summary>
public sealed class StubService : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<EchoedRequest> requests;

    private StubService(WebApplication app, ConcurrentQueue<EchoedRequest> requests)
    {
        this.app = app;
        this.requests = requests;
        Address = app.Urls.Single();
    }

    public string Address { get; }

    public IReadOnlyCollection<EchoedRequest> Requests => requests;

    public static async Task<StubService> StartAsync(Dictionary<string, (HttpStatusCode Status, TimeSpan Delay, string Json)> answers)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var requests = new ConcurrentQueue<EchoedRequest>();
        app.Run(async context =>
        {
            requests.Enqueue(new EchoedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), ""));
            if (!answers.TryGetValue(context.Request.Path, out var answer))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            try
            {
                await Task.Delay(answer.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            context.Response.StatusCode = (int)answer.Status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer.Json);
        });
        await app.StartAsync();
        return new StubService(app, requests);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
