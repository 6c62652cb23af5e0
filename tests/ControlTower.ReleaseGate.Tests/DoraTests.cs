using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ControlTower.ReleaseGate.Data;
using ControlTower.ReleaseGate.Verdicts;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;

namespace ControlTower.ReleaseGate.Tests;

/// <summary>The DORA figures from the service's own records: deployments, lead time, change failure rate, time to restore.</summary>
public sealed class DoraTests(InfrastructureFixture infrastructure)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    private static Release Deployment(string service, double hoursIn, double? hoursSinceCommit = null) => new()
    {
        Id = Guid.NewGuid(), Service = service, Environment = "prod", Version = hoursIn.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Commit = "abcdef0", RegisteredBy = "pipeline", RegisteredAt = Start.AddHours(hoursIn),
        CommittedAt = hoursSinceCommit is { } h ? Start.AddHours(hoursIn - h) : null,
    };

    [Fact]
    public void TheFourFiguresComeFromDeploymentsAndTheirLatestVerdicts()
    {
        var ok = Deployment("payments", 0, hoursSinceCommit: 2);
        var broken = Deployment("payments", 24, hoursSinceCommit: 4);
        var fix = Deployment("payments", 27);
        var brokenAgain = Deployment("payments", 48, hoursSinceCommit: 9);
        var unjudged = Deployment("payments", 50);
        var other = Deployment("ledger", 10, hoursSinceCommit: 1);
        var states = new Dictionary<Guid, string>
        {
            [ok.Id] = "approved", [broken.Id] = "rejected", [fix.Id] = "approved", [brokenAgain.Id] = "rejected", [other.Id] = "action_required",
        };

        var figures = Dora.Compute([ok, broken, fix, brokenAgain, unjudged, other], states, Start, Start.AddDays(10));

        Assert.Equal(["ledger", "payments"], figures.Select(f => f.Service));
        var payments = figures[1];
        Assert.Equal(5, payments.Deployments);
        Assert.Equal(0.5m, payments.DeploymentsPerDay);
        Assert.Equal(4m, payments.LeadTimeHours);            // median of 2, 4 and 9 hours
        Assert.Equal(0.5m, payments.ChangeFailureRate);      // 2 rejected of the 4 with a verdict
        Assert.Equal(3m, payments.TimeToRestoreHours);       // the first failure was fixed 3 hours later
        Assert.Equal(1, payments.Unrestored);                // the second is not yet
        var ledger = figures[0];
        Assert.Equal((1, 1m, 0m, (decimal?)null, 0), (ledger.Deployments, ledger.LeadTimeHours, ledger.ChangeFailureRate, ledger.TimeToRestoreHours, ledger.Unrestored));
    }

    [Fact]
    public void DeploymentsOutsideTheWindowAreNotCountedButCanRestoreOneInside()
    {
        var broken = Deployment("payments", 23);
        var fix = Deployment("payments", 30);

        var figures = Dora.Compute([broken, fix], new Dictionary<Guid, string> { [broken.Id] = "rejected", [fix.Id] = "approved" }, Start, Start.AddDays(1));

        var payments = Assert.Single(figures);
        Assert.Equal((1, 1m, 7m, 0), (payments.Deployments, payments.ChangeFailureRate, payments.TimeToRestoreHours, payments.Unrestored));
    }

    [Fact]
    public async Task TheFiguresAreServedPerServiceAndEnvironment()
    {
        await using var factory = ServiceFactory<Program>.OnServers(infrastructure, "releasegatedb", new Dictionary<string, string?>
        {
            ["ReleaseGate:PoliciesPath"] = Path.Combine(AppContext.BaseDirectory, "Policies"),
        });
        using var client = factory.CreateTrustedClient("pipeline-key");
        using var registered = await client.PostAsJsonAsync("/api/releases", new
        {
            service = "dora-api", environment = "prod", version = "1.0.0", commit = "abcdef0123456789", committedAt = DateTimeOffset.UtcNow.AddHours(-6),
        }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        var figures = await client.GetFromJsonAsync<JsonElement>("/api/releases/dora?service=dora-api&days=7", TestContext.Current.CancellationToken);

        var row = Assert.Single(figures.EnumerateArray());
        Assert.Equal(("dora-api", "prod", 1), (row.GetProperty("service").GetString(), row.GetProperty("environment").GetString(), row.GetProperty("deployments").GetInt32()));
        Assert.InRange(row.GetProperty("leadTimeHours").GetDecimal(), 5.9m, 6.1m);
        Assert.Equal(JsonValueKind.Null, row.GetProperty("changeFailureRate").ValueKind);
        using var bad = await client.GetAsync("/api/releases/dora?days=0", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }
}
