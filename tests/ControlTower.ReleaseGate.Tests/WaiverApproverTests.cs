using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;

namespace ControlTower.ReleaseGate.Tests;

/// <summary>A person grants a waiver in their own name; a pipeline's key may name the approver who signed off elsewhere.</summary>
public sealed class WaiverApproverTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;
    private ServiceFactory<Program> factory = null!;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, "releasegatedb", new Dictionary<string, string?>
        {
            ["ReleaseGate:PoliciesPath"] = Path.Combine(AppContext.BaseDirectory, "Policies"),
        });
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync() => await factory.DisposeAsync();

    private HttpClient Caller(string source, string kind)
    {
        var client = factory.CreateTrustedClient(source);
        client.DefaultRequestHeaders.Add(GatewayTrust.CallerKindHeader, kind);
        return client;
    }

    private async Task<Guid> RegisterAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/releases", new
        {
            service = "waiver-" + Guid.NewGuid().ToString("N")[..8], environment = "staging", version = "1.0.0",
            commit = "0123456789abcdef0123456789abcdef01234567", artifactDigests = new[] { "sha256:" + new string('a', 64) },
        }, Token);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Token));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("id").GetGuid();
    }

    private static object Waiver(string approvedBy) => new
    {
        ruleKind = "smoke.passRate", reason = "flaky suite, INC-7", requestedBy = "dev-team", approvedBy, expiresAt = DateTimeOffset.UtcNow.AddDays(1),
    };

    [Fact]
    public async Task APersonMayNotGrantAWaiverInSomeoneElsesName()
    {
        using var approver = Caller("alice@example.com", "user");
        var release = await RegisterAsync(approver);

        using var forged = await approver.PostAsJsonAsync($"/api/releases/{release}/waivers", Waiver("the-cto@example.com"), Token);
        using var own = await approver.PostAsJsonAsync($"/api/releases/{release}/waivers", Waiver("Alice@example.com"), Token);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var problem = await forged.Content.ReadFromJsonAsync<JsonElement>(Token);
        Assert.Contains("alice@example.com", problem.GetProperty("errors").GetProperty("approvedBy")[0].GetString());
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
    }

    [Fact]
    public async Task APipelineKeyNamesTheApproverItWasGiven()
    {
        using var pipeline = Caller("pipeline", "key");
        var release = await RegisterAsync(pipeline);

        using var posted = await pipeline.PostAsJsonAsync($"/api/releases/{release}/waivers", Waiver("bob@example.com"), Token);

        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
    }
}
