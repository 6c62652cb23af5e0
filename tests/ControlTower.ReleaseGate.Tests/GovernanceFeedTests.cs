using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ControlTower.Contracts.Governance;
using ControlTower.ReleaseGate.GovernanceFeed;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.ReleaseGate.Tests;

/// <summary>
/// Governance's findings as the gate sees them, through real RabbitMQ and PostgreSQL: announced drift and
/// guardrail findings in a release's target accounts decide its findings rule, and resolving them lifts it.
/// </summary>
public sealed class GovernanceFeedTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, "releasegatedb", new Dictionary<string, string?>
        {
            ["ReleaseGate:PoliciesPath"] = Path.Combine(AppContext.BaseDirectory, "FindingsPolicies"),
        });
        client = factory.CreateTrustedClient("pipeline-key");
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    private async Task<Guid> RegisterAsync(params string[] targets)
    {
        using var response = await client.PostAsJsonAsync("/api/releases", new
        {
            service = "payments-api", environment = "prod", version = "2.0." + Random.Shared.Next(1_000_000), commit = "abcdef0123456789", targets,
        }, Token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("id").GetGuid();
    }

    /// <summary>Asks for verdicts until the findings rule has the outcome wanted (the announcements are consumed asynchronously).</summary>
    private Task<JsonElement> VerdictWhen(Guid release, string outcome) =>
        Eventually.ValueAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/releases/{release}/evaluations");
            using var response = await client.SendAsync(request, Token);
            var verdict = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
            var rule = verdict.GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("ruleId").GetString() == "no-high-findings");
            return rule.GetProperty("outcome").GetString() == outcome ? verdict : (JsonElement?)null;
        });

    [Fact]
    public async Task AnOpenHighFindingInATargetAccountFailsTheRuleUntilItIsResolved()
    {
        var bus = factory.Services.GetRequiredService<IBus>();
        var (account, other) = ("555566667777", "444455556666");
        var release = await RegisterAsync(account);
        var moved = new DriftDetected
        {
            FindingId = Guid.NewGuid(), Occurrence = 1, Type = "ACCOUNT_MOVED_BETWEEN_OUS", Subject = account, Severity = "high",
            Expected = "under Prod", Observed = "under Sandbox", Repair = "move it back", DetectedAt = DateTimeOffset.UtcNow,
        };
        await bus.Publish(moved, Token);
        // A medium guardrail finding in the account (allowed), and a critical one elsewhere (not a target).
        await bus.Publish(new GuardrailViolated
        {
            FindingId = Guid.NewGuid(), Occurrence = 1, ControlId = "GOV.EC2.1", Subject = account + "/vol-1", Severity = "medium", Provider = "aws",
            Account = account, EvidenceEventId = "evt-1", EventTime = DateTimeOffset.UtcNow, DetectedAt = DateTimeOffset.UtcNow,
        }, Token);
        await bus.Publish(moved with { FindingId = Guid.NewGuid(), Subject = other, Severity = "critical" }, Token);

        var failed = await VerdictWhen(release, "Fail");
        Assert.Equal("Fail", failed.GetProperty("decision").GetString());
        var rule = failed.GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("ruleId").GetString() == "no-high-findings");
        Assert.Contains(moved.FindingId.ToString(), rule.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(other, rule.GetRawText(), StringComparison.Ordinal);

        // Resolved: the rule passes with the medium finding still open.
        await bus.Publish(new DriftResolved { FindingId = moved.FindingId, Occurrence = 1, Type = moved.Type, Subject = account, ResolvedAt = DateTimeOffset.UtcNow }, Token);
        var passed = await VerdictWhen(release, "Pass");
        Assert.Equal("Pass", passed.GetProperty("decision").GetString());

        // Each verdict kept what it saw: the failed one replays to its digest after the finding was resolved.
        using var replay = await client.PostAsync($"/api/releases/evaluations/{failed.GetProperty("id").GetGuid()}/replay", null, Token);
        Assert.True((await replay.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("matches").GetBoolean());
    }

    [Fact]
    public async Task TheReleasePageGetsTheReleaseItsVerdictsItsEvidenceAndTheFindingsOpenInItsTargetsInOneCall()
    {
        var account = "222233334444";
        var release = await RegisterAsync(account);
        var finding = new GuardrailViolated
        {
            FindingId = Guid.NewGuid(), Occurrence = 1, ControlId = "AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED", Subject = account + "/trail", Severity = "critical",
            Provider = "aws", Account = account, EvidenceEventId = "evt-3", EventTime = DateTimeOffset.UtcNow, DetectedAt = DateTimeOffset.UtcNow,
        };
        await factory.Services.GetRequiredService<IBus>().Publish(finding, Token);
        var failed = await VerdictWhen(release, "Fail");

        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/releases/{release}/detail", Token);

        Assert.Equal([account], detail.GetProperty("release").GetProperty("targets").EnumerateArray().Select(t => t.GetString()));
        var latest = detail.GetProperty("latestVerdict");
        Assert.Equal(failed.GetProperty("id").GetGuid(), latest.GetProperty("id").GetGuid());
        Assert.Contains(latest.GetProperty("rules").EnumerateArray(), r => r.GetProperty("ruleId").GetString() == "no-high-findings");
        Assert.Equal(latest.GetProperty("id").GetGuid(), detail.GetProperty("verdicts")[0].GetProperty("id").GetGuid());
        Assert.Contains(detail.GetProperty("evidence").EnumerateArray(), e => e.GetProperty("kind").GetString() == "findingsSnapshot");
        var open = Assert.Single(detail.GetProperty("openFindings").EnumerateArray());
        Assert.Equal((finding.FindingId, "guardrail", "critical"), (open.GetProperty("findingId").GetGuid(), open.GetProperty("kind").GetString(), open.GetProperty("severity").GetString()));

        // A person resolves it in Operations and Governance closes it: the rule passes again, and the release page shows it gone.
        await factory.Services.GetRequiredService<IBus>().Publish(new GuardrailResolved
        {
            FindingId = finding.FindingId, Occurrence = 1, ControlId = finding.ControlId, Subject = finding.Subject, Account = account,
            ResolvedBy = "alice@example.com", Classification = "TruePositive", ResolvedAt = DateTimeOffset.UtcNow,
        }, Token);
        await VerdictWhen(release, "Pass");
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>($"/api/releases/{release}/detail", Token)).GetProperty("openFindings").EnumerateArray());

        foreach (var path in new[] { $"/api/releases/{Guid.NewGuid()}/detail", $"/api/releases/{Guid.NewGuid()}" })
        {
            using var unknown = await client.GetAsync(path, Token);
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task AnnouncementsInAnyOrderAndRepeatedEndInTheLatestOccurrencesState()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Data.ReleaseGateDbContext>();
        var finding = Guid.NewGuid();
        DriftDetected Detected(int occurrence) => new()
        {
            FindingId = finding, Occurrence = occurrence, Type = "ACCOUNT_MOVED_BETWEEN_OUS", Subject = "333344445555", Severity = "high",
            Expected = "under Security", Observed = "under Workloads", Repair = "move it back", DetectedAt = DateTimeOffset.UtcNow,
        };
        DriftResolved Resolved(int occurrence) => new()
        {
            FindingId = finding, Occurrence = occurrence, Type = "ACCOUNT_MOVED_BETWEEN_OUS", Subject = "333344445555", ResolvedAt = DateTimeOffset.UtcNow,
        };
        async Task<bool> OpenAsync()
        {
            db.ChangeTracker.Clear();
            return (await db.GovernanceFindings.FindAsync([finding], Token))!.Open;
        }

        // The second opening arrives before the first one's resolution: still open.
        await GovernanceFindingsConsumer.ApplyAsync(db, TimeProvider.System, Detected(2), Token);
        await GovernanceFindingsConsumer.ApplyAsync(db, TimeProvider.System, Resolved(1), Token);
        Assert.True(await OpenAsync());
        // The first opening, late: changes nothing. Then the second's resolution closes it.
        await GovernanceFindingsConsumer.ApplyAsync(db, TimeProvider.System, Detected(1), Token);
        await GovernanceFindingsConsumer.ApplyAsync(db, TimeProvider.System, Resolved(2), Token);
        Assert.False(await OpenAsync());
        // A redelivered opening of the resolved occurrence does not reopen it; a third occurrence does.
        await GovernanceFindingsConsumer.ApplyAsync(db, TimeProvider.System, Detected(2), Token);
        Assert.False(await OpenAsync());
        await GovernanceFindingsConsumer.ApplyAsync(db, TimeProvider.System, Detected(3), Token);
        Assert.True(await OpenAsync());
        Assert.Equal((3, "333344445555"), ((await db.GovernanceFindings.FindAsync([finding], Token))!.Occurrence, db.GovernanceFindings.Find(finding)!.Scope));
    }

    [Theory]
    [InlineData("555566667777", "555566667777")]
    [InlineData("p-guardrail02@222233334444", "222233334444")]
    [InlineData("22223333-CCCC-4444-DDDD-5555EEEE6666", "22223333-cccc-4444-dddd-5555eeee6666")]
    [InlineData("p-guardrail01@ou-ab12-wkl00001", null)]
    [InlineData("ou-ab12-sbx00001", null)]
    public void ADriftsScopeIsTheAccountOrSubscriptionItsSubjectNames(string subject, string? scope) =>
        Assert.Equal(scope, GovernanceFindingsConsumer.ScopeOf(subject));

    [Fact]
    public async Task ATargetIsAnAccountOrASubscription()
    {
        using var response = await client.PostAsJsonAsync("/api/releases", new
        {
            service = "payments-api", environment = "prod", version = "9.9.9", commit = "abcdef0123456789", targets = new[] { "555566667777", "prod" },
        }, Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("targets[1]", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
    }
}
