using System.Net;
using System.Net.Http.Json;
using ControlTower.Contracts.Audit;
using ControlTower.Operations.Apis;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;

namespace ControlTower.Operations.Tests;

/// <summary>The audit log filtered by result: what succeeded and what was refused or failed, for the portal's filter.</summary>
public sealed class AuditResultFilterTests(InfrastructureFixture infrastructure) : IAsyncLifetime
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

    private static AuditRecorded Entry(string actor, int status, int minute) => new()
    {
        Id = Guid.NewGuid(), At = new DateTimeOffset(2026, 2, 1, 0, minute, 0, TimeSpan.Zero), Actor = actor, ActorKind = "user",
        Action = "POST /api/admin/keys", Route = "CreateApiKey", Status = status,
    };

    [Fact]
    public async Task ResultFailedKeepsRefusalsAndSucceededKeepsTheRestInListAndExport()
    {
        var ct = TestContext.Current.CancellationToken;
        var actor = "result-" + Guid.NewGuid().ToString("N")[..8];
        var created = Entry(actor, 201, 1);
        var refused = Entry(actor, 403, 2);
        var taken = Entry(actor, 409, 3);
        foreach (var entry in new[] { created, refused, taken })
        {
            await host.Publish(entry);
        }
        await auditor.GetUntilAsync<AuditPage>($"/api/audit?actor={actor}", p => p.Items.Count == 3);

        var failed = (await auditor.GetFromJsonAsync<AuditPage>($"/api/audit?actor={actor}&result=failed", ct))!;
        Assert.Equal([taken.Id, refused.Id], failed.Items.Select(i => i.Id));
        var succeeded = (await auditor.GetFromJsonAsync<AuditPage>($"/api/audit?actor={actor}&result=succeeded", ct))!;
        Assert.Equal([created.Id], succeeded.Items.Select(i => i.Id));

        var csv = await auditor.GetStringAsync($"/api/audit/export?format=csv&actor={actor}&result=failed", ct);
        Assert.Equal(3, csv.TrimEnd('\n').Split('\n').Length);
        Assert.DoesNotContain(created.Id.ToString(), csv, StringComparison.Ordinal);

        using var wrong = await auditor.GetAsync($"/api/audit?actor={actor}&result=maybe", ct);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("result", await wrong.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }
}
