using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ControlTower.Contracts.Audit;
using ControlTower.Operations.Apis;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;

namespace ControlTower.Operations.Tests;

/// <summary>The gateway's audit entries consumed into the log, idempotently; reading, paging and exporting it.</summary>
public sealed class AuditLogTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private SignalsHost host = null!;
    private HttpClient auditor = null!;

    public async ValueTask InitializeAsync()
    {
        host = await SignalsHost.StartAsync(infrastructure);
        auditor = host.Client("auditor@example.com", "audit:read");
    }

    public async ValueTask DisposeAsync()
    {
        auditor.Dispose();
        await host.DisposeAsync();
    }

    private static AuditRecorded Entry(string actor, DateTimeOffset at, string action = "PUT /api/governance/baseline") => new()
    {
        Id = Guid.NewGuid(), At = at, Actor = actor, ActorKind = "user", Action = action, Route = "governance-baseline-write", Status = 200,
        ClientAddress = "198.51.100.9", TraceId = "0af7651916cd43dd8448eb211c80319c", Reason = "quarterly update",
    };

    [Fact]
    public async Task TheGatewaysEntriesLandOnceEachEvenWhenRedelivered()
    {
        var actor = "gw-" + Guid.NewGuid().ToString("N")[..8];
        var entry = Entry(actor, DateTimeOffset.UtcNow.AddMinutes(-5));
        await host.Publish(entry);
        await host.Publish(entry);
        await host.Publish(Entry(actor, DateTimeOffset.UtcNow.AddMinutes(-1), "POST /api/releases"));

        var page = await auditor.GetUntilAsync<AuditPage>($"/api/audit?actor={actor}", p => p.Items.Count >= 2);

        Assert.Equal(2, page.Items.Count);
        var stored = page.Items.Single(i => i.Id == entry.Id);
        Assert.Equal(("gateway", "user", "PUT /api/governance/baseline", "198.51.100.9", "quarterly update", 200),
            (stored.Origin, stored.ActorKind, stored.Action, stored.ClientAddress, stored.Reason, stored.Status));
        Assert.Equal(("route", "governance-baseline-write"), (stored.TargetType, stored.TargetId));
    }

    [Fact]
    public async Task TheLogFiltersPagesAndExportsAsCsvAndJson()
    {
        var actor = "pager-" + Guid.NewGuid().ToString("N")[..8];
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var entries = Enumerable.Range(0, 7).Select(i => Entry(actor, t0.AddMinutes(i), i % 2 == 0 ? "POST /api/signals/1/acknowledge" : "PUT /x,\"y\"")).ToList();
        foreach (var entry in entries)
        {
            await host.Publish(entry);
        }
        await auditor.GetUntilAsync<AuditPage>($"/api/audit?actor={actor}", p => p.Items.Count == 7);

        var seen = new List<Guid>();
        string? next = null;
        do
        {
            var page = (await auditor.GetFromJsonAsync<AuditPage>($"/api/audit?actor={actor}&limit=3{(next is null ? "" : "&after=" + next)}",
                TestContext.Current.CancellationToken))!;
            seen.AddRange(page.Items.Select(i => i.Id));
            next = page.Next;
        }
        while (next is not null);
        Assert.Equal(entries.AsEnumerable().Reverse().Select(e => e.Id), seen);

        var window = (await auditor.GetFromJsonAsync<AuditPage>(
            $"/api/audit?actor={actor}&from={Uri.EscapeDataString(t0.AddMinutes(2).ToString("O"))}&to={Uri.EscapeDataString(t0.AddMinutes(5).ToString("O"))}",
            TestContext.Current.CancellationToken))!;
        Assert.Equal(entries.Skip(2).Take(3).Reverse().Select(e => e.Id), window.Items.Select(i => i.Id));
        var byAction = (await auditor.GetFromJsonAsync<AuditPage>($"/api/audit?actor={actor}&action=POST%20/api/signals/1/acknowledge",
            TestContext.Current.CancellationToken))!;
        Assert.Equal(4, byAction.Items.Count);

        var csv = await auditor.GetStringAsync($"/api/audit/export?format=csv&actor={actor}", TestContext.Current.CancellationToken);
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal(8, lines.Length);
        Assert.StartsWith("id,at,actor", lines[0]);
        Assert.Contains("\"PUT /x,\"\"y\"\"\"", csv);
        var json = await auditor.GetStringAsync($"/api/audit/export?format=json&actor={actor}", TestContext.Current.CancellationToken);
        var exported = JsonSerializer.Deserialize<List<AuditView>>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(seen, exported.Select(e => e.Id));

        using var badFormat = await auditor.GetAsync("/api/audit/export?format=xml", TestContext.Current.CancellationToken);
        await ProblemAssert.Problem(badFormat, HttpStatusCode.BadRequest, "format");
        using var badCursor = await auditor.GetAsync("/api/audit?after=nope", TestContext.Current.CancellationToken);
        await ProblemAssert.Problem(badCursor, HttpStatusCode.BadRequest, "after");
        using var badRange = await auditor.GetAsync($"/api/audit?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", TestContext.Current.CancellationToken);
        await ProblemAssert.Problem(badRange, HttpStatusCode.BadRequest, "to");
        using var badTime = await auditor.GetAsync("/api/audit?from=yesterday&limit=x", TestContext.Current.CancellationToken);
        var timeProblem = await ProblemAssert.Problem(badTime, HttpStatusCode.BadRequest);
        Assert.True(timeProblem.GetProperty("errors").TryGetProperty("limit", out _));
        using var badFrom = await auditor.GetAsync("/api/audit?from=yesterday", TestContext.Current.CancellationToken);
        await ProblemAssert.Problem(badFrom, HttpStatusCode.BadRequest, "ISO 8601");
        using var noScope = await host.Client("x", "signals:read").GetAsync("/api/audit/export", TestContext.Current.CancellationToken);
        await ProblemAssert.Problem(noScope, HttpStatusCode.Forbidden, "audit:read");
    }
}
