using System.Net;
using System.Net.Http.Json;
using ControlTower.Operations.Apis;
using ControlTower.Operations.Data;
using ControlTower.Operations.Signals;
using ControlTower.Testing.Infrastructure;

namespace ControlTower.Operations.Tests;

/// <summary>The filters the portal's queue needs: source and environment as the overview counts them, free text, and "my team".</summary>
public sealed class SignalListFilterTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private SignalsHost host = null!;
    private HttpClient ana = null!;
    private string tag = null!;

    public async ValueTask InitializeAsync()
    {
        host = await SignalsHost.StartAsync(infrastructure);
        ana = host.Client();
        tag = Guid.NewGuid().ToString("N")[..10];
    }

    public async ValueTask DisposeAsync()
    {
        ana.Dispose();
        await host.DisposeAsync();
    }

    private async Task Seed(params SignalRecord[] signals)
    {
        await host.WithDb(async db =>
        {
            db.Signals.AddRange(signals);
            return await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        });
    }

    private SignalRecord Signal(string name, string kind, string? provider, string? environment = null, string? owner = null, string? team = null,
        string? title = null)
    {
        var now = host.Clock.GetUtcNow();
        return new SignalRecord
        {
            Kind = kind, DedupKey = $"filter:{tag}:{name}", Title = title ?? $"{tag} {name}", Severity = Severity.Medium, Provider = provider,
            Account = "111122223333", Environment = environment, Owner = owner, Team = team, Condition = SourceCondition.Firing,
            Status = TriageStatus.New, Count = 1, FirstSeen = now, LastSeen = now, Version = 1, CreatedAt = now, UpdatedAt = now,
        };
    }

    /// <summary>The names (the dedup key's last part) of this test's signals a list query returns.</summary>
    private async Task<List<string>> Names(string query, HttpClient? client = null)
    {
        using var response = await (client ?? ana).GetAsync($"/api/signals?limit=500&{query}", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var page = (await response.Content.ReadFromJsonAsync<SignalPage>(TestContext.Current.CancellationToken))!;
        return page.Items.Where(s => s.DedupKey.StartsWith($"filter:{tag}:", StringComparison.Ordinal))
            .Select(s => s.DedupKey[(s.DedupKey.LastIndexOf(':') + 1)..]).Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task SourceAndEnvironmentFilterAsTheOverviewCountsThem()
    {
        await Seed(
            Signal("aws", SignalKinds.Guardrail, "aws", "prod"),
            Signal("azure", SignalKinds.Alert, "azure", "dev"),
            Signal("release", SignalKinds.Release, null, "prod"),
            Signal("queue", SignalKinds.DeadLetter, null),
            Signal("nowhere", SignalKinds.Drift, null));

        Assert.Equal(["aws"], await Names($"q={tag}&source=aws"));
        Assert.Equal(["azure", "release"], await Names($"q={tag}&source=azure,pipelines"));
        Assert.Equal(["queue"], await Names($"q={tag}&source=platform"));
        Assert.Equal(["nowhere"], await Names($"q={tag}&source=unknown"));
        Assert.Equal(["aws", "release"], await Names($"q={tag}&environment=prod"));
        Assert.Equal(["nowhere", "queue"], await Names($"q={tag}&environment=unassigned"));

        using var bad = await ana.GetAsync("/api/signals?source=gcp", TestContext.Current.CancellationToken);
        await ProblemAssert.Problem(bad, HttpStatusCode.BadRequest, "source");
    }

    [Fact]
    public async Task FreeTextMatchesTitleResourceOwnerAndTeamWithoutWildcards()
    {
        var word = "Zq" + tag;
        await Seed(
            Signal("title", SignalKinds.Drift, "aws", title: $"SCP detached by {word.ToUpperInvariant()}"),
            Signal("owner", SignalKinds.Drift, "aws", owner: $"{word}@example.com"),
            Signal("team", SignalKinds.Drift, "aws", team: word),
            Signal("other", SignalKinds.Drift, "aws", title: "unrelated"));

        Assert.Equal(["owner", "team", "title"], await Names($"q={word.ToLowerInvariant()}"));
        // % and _ are literal: a search for them does not match everything.
        Assert.Empty(await Names($"q={tag}%25"));
        Assert.Empty(await Names($"q={tag}_"));
    }

    [Fact]
    public async Task MyTeamMeansTheTeamsOfTheAccountsICanOwnAndOfTheSignalsAssignedToMe()
    {
        var me = $"lead-{tag}@example.com";
        var (owned, assigned, other) = ($"owned-{tag}", $"assigned-{tag}", $"other-{tag}");
        await host.WithDb(async db =>
        {
            db.DirectoryAccounts.Add(new DirectoryAccountRecord
            {
                Provider = "aws", Account = tag, Name = "team-account", Owner = me, Team = owned, Environment = "prod",
                BaselineVersion = 1, PublishedAt = host.Clock.GetUtcNow(),
            });
            return await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        });
        await Seed(
            Signal("teammate", SignalKinds.Drift, "aws", owner: "someone@example.com", team: owned),
            Signal("mine", SignalKinds.Drift, "aws", owner: me, team: assigned),
            Signal("colleague", SignalKinds.Drift, "aws", owner: "else@example.com", team: assigned),
            Signal("stranger", SignalKinds.Drift, "aws", owner: "x@example.com", team: other));
        using var lead = host.Client(me);

        Assert.Equal(["colleague", "mine", "teammate"], await Names($"q={tag}&myTeam=true", lead));
        Assert.Equal(["mine"], await Names($"q={tag}&mine=true", lead));
        Assert.Empty(await Names($"q={tag}&myTeam=true"));

        // A bulk action over "my team" previews exactly those.
        using var preview = await lead.PostAsJsonAsync("/api/signals/bulk",
            new { action = "acknowledge", dryRun = true, filter = new { myTeam = true, q = tag } }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Equal(3, (await preview.Content.ReadFromJsonAsync<BulkResult>(TestContext.Current.CancellationToken))!.Matched);
    }
}
