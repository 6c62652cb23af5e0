using System.Net;
using System.Net.Http.Json;
using ControlTower.Governance.Apis;
using ControlTower.Governance.Data;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Governance.Tests;

/// <summary>Open findings over time for the portal's overview chart, and the accounts with the most open findings.</summary>
public sealed class FindingsTrendTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, "governancedb");
        client = factory.CreateTrustedClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    [Fact]
    public void EachBucketCountsWhatWasOpenAtItsEnd()
    {
        FindingSpan[] spans =
        [
            new("high", T0.AddMinutes(30), null),
            new("critical", T0.AddMinutes(90), T0.AddMinutes(150)),
            new("high", T0.AddHours(-5), T0.AddMinutes(10)),
        ];

        var buckets = FindingsTrendApi.Count(spans, T0, T0.AddHours(3), TimeSpan.FromHours(1));

        Assert.Equal([T0, T0.AddHours(1), T0.AddHours(2)], buckets.Select(b => b.Start));
        Assert.Equal(new Dictionary<string, int> { ["high"] = 1 }, buckets[0].Open);
        Assert.Equal(new Dictionary<string, int> { ["critical"] = 1, ["high"] = 1 }, buckets[1].Open);
        Assert.Equal(new Dictionary<string, int> { ["high"] = 1 }, buckets[2].Open);
    }

    [Fact]
    public async Task TrendAndWorstAccountsComeFromTheStoredFindings()
    {
        var account = Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Buckets are aligned to whole hours: start on one, or the first bucket can end before the findings opened
        // (it did, in a run at 03:55).
        var twoHoursAgo = DateTimeOffset.UtcNow.AddHours(-2);
        var start = new DateTimeOffset(twoHoursAgo.Year, twoHoursAgo.Month, twoHoursAgo.Day, twoHoursAgo.Hour, 0, 0, TimeSpan.Zero);
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
            db.Findings.AddRange(
                Finding(account, "critical", "open", start.AddMinutes(5), null),
                Finding(account, "medium", "open", start.AddMinutes(5), null),
                Finding(account, "high", "resolved", start.AddMinutes(5), start.AddMinutes(70)));
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var from = Uri.EscapeDataString(start.ToString("O"));
        var trend = await client.GetFromJsonAsync<FindingsTrendView>($"/api/governance/findings/trend?from={from}&bucket=1h&top=100",
            TestContext.Current.CancellationToken);

        Assert.NotNull(trend);
        var first = trend.Buckets[0];
        var last = trend.Buckets[^1];
        // The resolved one was open at the end of the first hour and is not at the end.
        Assert.True(first.Open.GetValueOrDefault("high") >= 1);
        Assert.True(first.Open.GetValueOrDefault("critical") >= 1);
        var mine = Assert.Single(trend.WorstAccounts, a => a.Account == account);
        Assert.Equal(2, mine.Open);
        Assert.Equal("critical", mine.WorstSeverity);
        Assert.True(last.Open.GetValueOrDefault("critical") >= 1);
    }

    [Fact]
    public async Task TooManyBucketsIsRefusedNamingTheBucket()
    {
        using var response = await client.GetAsync("/api/governance/findings/trend?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&bucket=1m",
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("bucket", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static Finding Finding(string account, string severity, string status, DateTimeOffset first, DateTimeOffset? resolved) => new()
    {
        Id = Guid.NewGuid(),
        Kind = Data.Finding.Guardrail,
        Type = "TEST-" + severity,
        Subject = account,
        Status = status,
        Severity = severity,
        Expected = "e",
        Observed = "o",
        Repair = "r",
        Provider = "aws",
        Account = account,
        Occurrences = 1,
        FirstDetectedAt = first,
        LastDetectedAt = first,
        ResolvedAt = resolved,
    };
}
