using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ControlTower.Contracts.Governance;
using ControlTower.Governance.Apis;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using MassTransit;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Governance.Tests;

/// <summary>Suppressions with a reason and an expiry: kept and counted, not announced, announced again when they end.</summary>
public sealed class SuppressionTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    // The service's clock: expiries come when the test moves it, not when the machine gets round to it.
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, "governancedb", new Dictionary<string, string?>
        {
            ["Governance:BaselinePath"] = Path.Combine(Repository.Root, "deploy", "landing-zone", "baseline.yaml"),
            ["Governance:SuppressionSweepSeconds"] = "1",
        }, services => services.AddSingleton<TimeProvider>(clock));
        client = factory.CreateTrustedClient("security-lead");
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    private Task<HttpResponseMessage> SuppressAsync(string type, string subject, string? reason, DateTimeOffset? expiresAt) =>
        client.PostAsJsonAsync("/api/governance/suppressions", new SuppressionRequest(type, subject, reason, expiresAt), TestContext.Current.CancellationToken);

    private Task<List<FindingView>> FindingsAsync(string query, Func<List<FindingView>, bool> until) =>
        client.GetUntilAsync("/api/governance/findings" + query, until);

    [Fact]
    public async Task ASuppressedFindingIsKeptButNotAnnouncedUntilTheSuppressionIsLifted()
    {
        await using var detected = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(DriftDetected), TestContext.Current.CancellationToken);
        using var created = await SuppressAsync("ACCOUNT_MOVED_*", "333344445555", "audit account moves during the re-org, change CHG-1234",
            clock.GetUtcNow().AddHours(1));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var suppression = (await created.Content.ReadFromJsonAsync<SuppressionView>(TestContext.Current.CancellationToken))!;
        Assert.Equal(("security-lead", true, 0), (suppression.CreatedBy, suppression.Active, suppression.OpenFindings));
        Assert.EndsWith(suppression.Id.ToString(), created.Headers.Location!.ToString(), StringComparison.Ordinal);

        await OrganizationSamples.PublishAsync(factory.Services.GetRequiredService<IBus>(), OrganizationSamples.Events());

        // Every drift of the sample is kept; the suppressed one is listed with its suppression.
        var open = await FindingsAsync("?status=open", f => f.Count == 8);
        var moved = Assert.Single(open, f => f.SuppressedBy is not null);
        Assert.Equal(("ACCOUNT_MOVED_BETWEEN_OUS", "333344445555", suppression.Id), (moved.Type, moved.Subject, moved.SuppressedBy!.Id));
        Assert.Equal([moved.Id], (await client.GetFromJsonAsync<List<FindingView>>("/api/governance/findings?suppressed=true", TestContext.Current.CancellationToken))!.Select(f => f.Id));
        Assert.Equal(7, (await client.GetFromJsonAsync<List<FindingView>>("/api/governance/findings?suppressed=false", TestContext.Current.CancellationToken))!.Count);

        // The seven others were announced, in the same transaction as the suppressed one would have been: it was not.
        await detected.WaitUntilAsync(m => m.Count >= 7, TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(detected.Messages, m => m.GetProperty("type").GetString() == "ACCOUNT_MOVED_BETWEEN_OUS");
        var listed = Assert.Single((await client.GetFromJsonAsync<List<SuppressionView>>("/api/governance/suppressions", TestContext.Current.CancellationToken))!);
        Assert.Equal(1, listed.OpenFindings);

        // Lifted: announced now, with its occurrence.
        using var lifted = await client.DeleteAsync($"/api/governance/suppressions/{suppression.Id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, lifted.StatusCode);
        var ended = (await lifted.Content.ReadFromJsonAsync<SuppressionView>(TestContext.Current.CancellationToken))!;
        Assert.Equal((false, "security-lead"), (ended.Active, ended.LiftedBy));
        var announced = await detected.WaitForAsync(m => m.GetProperty("type").GetString() == "ACCOUNT_MOVED_BETWEEN_OUS", TimeSpan.FromSeconds(30));
        Assert.Equal(moved.Id.ToString(), announced.GetProperty("findingId").GetString());
        Assert.Equal(1, announced.GetProperty("occurrence").GetInt32());
        Assert.Null((await client.GetFromJsonAsync<List<FindingView>>("/api/governance/findings?status=open", TestContext.Current.CancellationToken))!
            .Single(f => f.Id == moved.Id).SuppressedBy);

        using var again = await client.DeleteAsync($"/api/governance/suppressions/{suppression.Id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        using var unknown = await client.DeleteAsync($"/api/governance/suppressions/{Guid.NewGuid()}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Empty((await client.GetFromJsonAsync<List<SuppressionView>>("/api/governance/suppressions", TestContext.Current.CancellationToken))!);
        Assert.Single((await client.GetFromJsonAsync<List<SuppressionView>>("/api/governance/suppressions?state=ended", TestContext.Current.CancellationToken))!);
    }

    [Fact]
    public async Task WhenASuppressionExpiresItsOpenFindingsAreAnnouncedAgain()
    {
        await using var detected = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(DriftDetected), TestContext.Current.CancellationToken);
        using var created = await SuppressAsync("SCP_*", "*", "SCP work in progress", clock.GetUtcNow().AddHours(2));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await OrganizationSamples.PublishAsync(factory.Services.GetRequiredService<IBus>(), OrganizationSamples.Events());
        var open = await FindingsAsync("?status=open", f => f.Count == 8);
        var scp = open.Where(f => f.Type.StartsWith("SCP_", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, scp.Count);
        Assert.All(scp, f => Assert.Equal("SCP work in progress", f.SuppressedBy?.Reason));
        await detected.WaitUntilAsync(m => m.Count >= 4, TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(detected.Messages, m => m.GetProperty("type").GetString()!.StartsWith("SCP_", StringComparison.Ordinal));

        // Past the expiry, the sweep announces each of them again, and they are listed as no longer suppressed.
        clock.Advance(TimeSpan.FromHours(3));
        var ids = scp.Select(f => f.Id.ToString()).ToHashSet();
        await detected.WaitUntilAsync(m => ids.All(id => m.Any(x => x.GetProperty("findingId").GetString() == id)), TimeSpan.FromSeconds(30));
        Assert.All(await FindingsAsync("?status=open", f => f.Count == 8), f => Assert.Null(f.SuppressedBy));
        var ended = Assert.Single((await client.GetFromJsonAsync<List<SuppressionView>>("/api/governance/suppressions?state=ended", TestContext.Current.CancellationToken))!);
        Assert.False(ended.Active);
    }

    [Fact]
    public async Task ASuppressionNeedsAReasonAnExpiryAndSomethingToCover()
    {
        using var noReason = await SuppressAsync("SCP_UPDATED", "p-guardrail01", " ", null);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        var errors = (await noReason.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["errors"]!.AsObject();
        Assert.Equal(["expiresAt", "reason"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));

        using var past = await SuppressAsync("SCP_UPDATED", "p-guardrail01", "why", clock.GetUtcNow().AddMinutes(-1));
        Assert.Contains("past", await past.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        using var tooLong = await SuppressAsync("SCP_UPDATED", "p-guardrail01", "why", clock.GetUtcNow().AddDays(SuppressionsApi.MaxDays + 1));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("at most 90 days", await tooLong.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        using var everything = await SuppressAsync("*", "*", "quiet please", clock.GetUtcNow().AddDays(1));
        Assert.Equal(HttpStatusCode.BadRequest, everything.StatusCode);

        using var notJson = await client.PostAsync("/api/governance/suppressions", new StringContent("{\"type\":", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("application/problem+json", notJson.Content.Headers.ContentType?.MediaType);
        using var text = await client.PostAsync("/api/governance/suppressions", new StringContent("hello", Encoding.UTF8, "text/plain"),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        using var badState = await client.GetAsync("/api/governance/suppressions?state=maybe", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, badState.StatusCode);

        Assert.Empty((await client.GetFromJsonAsync<List<SuppressionView>>("/api/governance/suppressions?state=all", TestContext.Current.CancellationToken))!);
    }
}
