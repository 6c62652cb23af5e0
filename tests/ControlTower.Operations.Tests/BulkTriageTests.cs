using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ControlTower.Operations.Apis;
using ControlTower.Operations.Data;
using ControlTower.Operations.Signals;
using ControlTower.Testing.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Operations.Tests;

/// <summary>Bulk actions over thousands of signals: preview, per-item results, limits, audit.</summary>
public sealed class BulkTriageTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private const int Many = 3000;
    private SignalsHost host = null!;
    private HttpClient ana = null!;

    public async ValueTask InitializeAsync()
    {
        host = await SignalsHost.StartAsync(infrastructure, new Dictionary<string, string?> { ["Signals:MaxBulkItems"] = "4000" });
        ana = host.Client();
    }

    public async ValueTask DisposeAsync()
    {
        ana.Dispose();
        await host.DisposeAsync();
    }

    private async Task Seed(string account, int count, TriageStatus status = TriageStatus.New)
    {
        await using var scope = host.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OperationsDbContext>();
        var now = host.Clock.GetUtcNow();
        db.Signals.AddRange(Enumerable.Range(0, count).Select(i => new SignalRecord
        {
            Kind = SignalKinds.Guardrail, DedupKey = $"bulk:{account}:{i}", Title = $"violation {i}", Severity = Severity.Medium,
            Account = account, Condition = SourceCondition.Firing, Status = status, Count = 1, FirstSeen = now, LastSeen = now, Version = 1,
            CreatedAt = now, UpdatedAt = now,
        }));
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    private async Task<BulkResult> Bulk(object body)
    {
        using var response = await ana.PostAsJsonAsync("/api/signals/bulk", body, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return (await response.Content.ReadFromJsonAsync<BulkResult>(TestContext.Current.CancellationToken))!;
    }

    [Fact]
    public async Task ABulkAcknowledgeOverThousandsPreviewsThenChangesEachOnceWithAnAuditEntryEach()
    {
        var account = "bulk-" + Guid.NewGuid().ToString("N")[..8];
        await Seed(account, Many);
        await Seed(account, 10, TriageStatus.Resolved);

        var preview = await Bulk(new { filter = new { account }, action = "acknowledge", dryRun = true });
        Assert.Equal((true, Many + 10, Many, 10), (preview.DryRun, preview.Matched, preview.Changed, preview.Forbidden));
        var stillNew = await host.WithDb(db => db.Signals.CountAsync(s => s.Account == account && s.Status == TriageStatus.New, TestContext.Current.CancellationToken));
        Assert.Equal(Many, stillNew);

        var watch = Stopwatch.StartNew();
        var done = await Bulk(new { filter = new { account, status = "new" }, action = "acknowledge", text = "triaged in bulk" });
        TestContext.Current.SendDiagnosticMessage($"bulk acknowledge of {Many}: {watch.ElapsedMilliseconds} ms");
        Assert.Equal((false, Many, Many, 0, 0), (done.DryRun, done.Matched, done.Changed, done.Forbidden, done.Conflicts));
        Assert.All(done.Items, i => Assert.Equal(("changed", "acknowledged"), (i.Outcome, i.Status)));
        Assert.Equal(Many, done.Items.Select(i => i.Id).Distinct().Count());

        var acknowledged = await host.WithDb(db => db.Signals.CountAsync(s => s.Account == account && s.Status == TriageStatus.Acknowledged && s.Version == 2,
            TestContext.Current.CancellationToken));
        Assert.Equal(Many, acknowledged);
        var audited = await host.WithDb(db => db.AuditLog.CountAsync(a => a.Action == "signal.acknowledge" && a.Reason == "triaged in bulk",
            TestContext.Current.CancellationToken));
        Assert.Equal(Many, audited);

        var again = await Bulk(new { filter = new { account }, action = "acknowledge" });
        Assert.Equal((Many + 10, 0, Many + 10), (again.Matched, again.Changed, again.Forbidden));
        Assert.Contains("acknowledged", again.Items[0].Detail);
    }

    [Fact]
    public async Task ABulkSuppressChecksEveryItemAndTheLimitsAndFiltersAreProblems()
    {
        var account = "bulk-" + Guid.NewGuid().ToString("N")[..8];
        await Seed(account, 20);
        await Seed(account, 5, TriageStatus.Closed);

        var suppressed = await Bulk(new { filter = new { account }, action = "suppress", until = host.Clock.GetUtcNow().AddDays(7), reason = "maintenance" });
        Assert.Equal((25, 20, 5), (suppressed.Matched, suppressed.Changed, suppressed.Forbidden));
        Assert.All(suppressed.Items.Where(i => i.Outcome == "forbidden"), i => Assert.Equal("closed", i.Status));

        async Task Problem(object body, HttpStatusCode status, string mentions)
        {
            using var response = await ana.PostAsJsonAsync("/api/signals/bulk", body, TestContext.Current.CancellationToken);
            await ProblemAssert.Problem(response, status, mentions);
        }
        await Problem(new { filter = new { account }, action = "explode" }, HttpStatusCode.BadRequest, "action");
        await Problem(new { action = "acknowledge" }, HttpStatusCode.BadRequest, "filter");
        await Problem(new { filter = new { account, severity = "huge" }, action = "acknowledge" }, HttpStatusCode.BadRequest, "filter.severity");
        await Problem(new { filter = new { account }, action = "resolve", classification = "nah" }, HttpStatusCode.BadRequest, "classification");

        // Beyond the limit (4,000 here) it refuses, unless it is a preview.
        await Seed("bulk-big-" + account, 4001);
        await Problem(new { filter = new { kind = "guardrail" }, action = "acknowledge" }, HttpStatusCode.BadRequest, "more than 4000");
        var preview = await Bulk(new { filter = new { kind = "guardrail" }, action = "acknowledge", dryRun = true });
        Assert.True(preview.Matched > 4000);
    }
}
