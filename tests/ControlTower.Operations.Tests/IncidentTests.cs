using System.Net;
using System.Net.Http.Json;
using ControlTower.Operations.Apis;
using ControlTower.Operations.Signals;
using ControlTower.Testing.Infrastructure;

namespace ControlTower.Operations.Tests;

/// <summary>Signals grouped into incidents by account and kind within the window; merge and split by hand.</summary>
public sealed class IncidentTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private SignalsHost host = null!;
    private HttpClient ana = null!;

    public async ValueTask InitializeAsync()
    {
        host = await SignalsHost.StartAsync(infrastructure, new Dictionary<string, string?> { ["Signals:IncidentWindow"] = "01:00:00" });
        ana = host.Client();
    }

    public async ValueTask DisposeAsync()
    {
        ana.Dispose();
        await host.DisposeAsync();
    }

    private Task<long> Signal(string account, string kind, DateTimeOffset at) => host.Ingest(new SignalObservation
    {
        Kind = kind, DedupKey = $"{kind}:{Guid.NewGuid()}", ObservationId = "1", Condition = SourceCondition.Firing, At = at,
        Title = $"{kind} in {account}", Severity = Severity.High, Account = account,
    });

    private async Task<long> IncidentOf(long signal) => (await host.Detail(ana, signal)).Detail.Signal.IncidentId!.Value;

    private async Task<(IncidentDetail Detail, string ETag)> Incident(long id)
    {
        using var response = await ana.GetAsync($"/api/incidents/{id}", TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return ((await response.Content.ReadFromJsonAsync<IncidentDetail>(TestContext.Current.CancellationToken))!, response.Headers.ETag!.ToString());
    }

    private async Task<HttpResponseMessage> Post(string url, object body, string? etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (etag is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", etag);
        }
        return await ana.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task SignalsOfOneAccountAndKindWithinTheWindowShareAnIncidentAndOthersDoNot()
    {
        var account = "inc-" + Guid.NewGuid().ToString("N")[..8];
        var t0 = host.Clock.GetUtcNow();
        var a = await Signal(account, SignalKinds.Drift, t0);
        var b = await Signal(account, SignalKinds.Drift, t0.AddMinutes(30));
        var otherKind = await Signal(account, SignalKinds.Guardrail, t0.AddMinutes(31));
        var otherAccount = await Signal(account + "x", SignalKinds.Drift, t0.AddMinutes(32));
        var late = await Signal(account, SignalKinds.Drift, t0.AddMinutes(95));

        var incident = await IncidentOf(a);
        Assert.Equal(incident, await IncidentOf(b));
        Assert.NotEqual(incident, await IncidentOf(otherKind));
        Assert.NotEqual(incident, await IncidentOf(otherAccount));
        Assert.NotEqual(incident, await IncidentOf(late));

        var (detail, etag) = await Incident(incident);
        Assert.Equal([a, b], detail.Signals.Select(s => s.Id));
        Assert.Equal(("open", 2, 2, $"account={account}|kind=drift"), (detail.Incident.Status, detail.Incident.Signals, detail.Incident.OpenSignals, detail.Incident.GroupKey));
        Assert.Equal(etag, detail.Incident.ETag);

        // Resolving every signal resolves the incident; reopening one opens it again.
        foreach (var id in new[] { a, b })
        {
            var (_, signalEtag) = await host.Detail(ana, id);
            using var resolved = await SignalsHost.Act(ana, id, "resolve", new { classification = "falsePositive" }, signalEtag);
            resolved.EnsureSuccessStatusCode();
        }
        Assert.Equal("resolved", (await Incident(incident)).Detail.Incident.Status);
        var (_, aEtag) = await host.Detail(ana, a);
        using (var reopened = await SignalsHost.Act(ana, a, "reopen", null, aEtag))
        {
            reopened.EnsureSuccessStatusCode();
        }
        Assert.Equal("open", (await Incident(incident)).Detail.Incident.Status);
    }

    [Fact]
    public async Task IncidentsMergeAndSplitByHandWithETags()
    {
        var t0 = host.Clock.GetUtcNow();
        var a1 = await Signal("m-a-" + Guid.NewGuid().ToString("N")[..6], SignalKinds.Drift, t0);
        var b1 = await Signal("m-b-" + Guid.NewGuid().ToString("N")[..6], SignalKinds.Drift, t0);
        var c1 = await Signal("m-c-" + Guid.NewGuid().ToString("N")[..6], SignalKinds.Drift, t0);
        var (target, source1, source2) = (await IncidentOf(a1), await IncidentOf(b1), await IncidentOf(c1));
        var (_, etag) = await Incident(target);

        using (var viewer = host.Client("vi@example.com", "signals:read"))
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"/api/incidents/{target}/merge") { Content = JsonContent.Create(new { incidentIds = new[] { source1 } }) })
        {
            request.Headers.TryAddWithoutValidation("If-Match", etag);
            using var forbidden = await viewer.SendAsync(request, TestContext.Current.CancellationToken);
            await ProblemAssert.Problem(forbidden, HttpStatusCode.Forbidden, "signals:triage");
        }
        using (var missing = await Post($"/api/incidents/{target}/merge", new { incidentIds = new[] { source1 } }, null))
        {
            await ProblemAssert.Problem(missing, HttpStatusCode.PreconditionRequired);
        }
        using (var self = await Post($"/api/incidents/{target}/merge", new { incidentIds = new[] { target } }, etag))
        {
            await ProblemAssert.Problem(self, HttpStatusCode.BadRequest, "itself");
        }
        using (var unknown = await Post($"/api/incidents/{target}/merge", new { incidentIds = new[] { 99999999L } }, etag))
        {
            await ProblemAssert.Problem(unknown, HttpStatusCode.NotFound, "99999999");
        }
        using (var merge = await Post($"/api/incidents/{target}/merge", new { incidentIds = new[] { source1, source2 }, reason = "same outage" }, etag))
        {
            Assert.Equal(HttpStatusCode.OK, merge.StatusCode);
        }
        using (var stale = await Post($"/api/incidents/{target}/notes", new { text = "x" }, etag))
        {
            await ProblemAssert.Problem(stale, HttpStatusCode.PreconditionFailed);
        }

        var (merged, mergedEtag) = await Incident(target);
        Assert.Equal([a1, b1, c1], merged.Signals.Select(s => s.Id));
        Assert.Contains(merged.Timeline, t => t.Type == "merged-in" && t.From == source1.ToString());
        var (gone, goneEtag) = await Incident(source1);
        Assert.Equal(("merged", target), (gone.Incident.Status, gone.Incident.MergedInto));
        using (var onMerged = await Post($"/api/incidents/{source1}/notes", new { text = "x" }, goneEtag))
        {
            await ProblemAssert.Problem(onMerged, HttpStatusCode.Conflict, "merged");
        }

        using (var all = await Post($"/api/incidents/{target}/split", new { signalIds = new[] { a1, b1, c1 } }, mergedEtag))
        {
            await ProblemAssert.Problem(all, HttpStatusCode.BadRequest, "at least one");
        }
        using (var split = await Post($"/api/incidents/{target}/split", new { signalIds = new[] { c1 }, title = "the other one", reason = "different cause" }, mergedEtag))
        {
            Assert.Equal(HttpStatusCode.Created, split.StatusCode);
            var created = (await split.Content.ReadFromJsonAsync<IncidentView>(TestContext.Current.CancellationToken))!;
            Assert.Equal(("the other one", 1, "open"), (created.Title, created.Signals, created.Status));
            Assert.Equal(created.Id, await IncidentOf(c1));
        }
        Assert.Equal([a1, b1], (await Incident(target)).Detail.Signals.Select(s => s.Id));

        var audit = await host.WithDb(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.AuditLog.Where(x => x.TargetType == "incident" && (x.TargetId == target.ToString() || x.TargetId == source1.ToString() || x.TargetId == source2.ToString())).Select(x => x.Action),
            TestContext.Current.CancellationToken));
        Assert.Equal(3, audit.Count(x => x == "incident.merge"));
        Assert.Single(audit, x => x == "incident.split");

        using (var badLimit = await ana.GetAsync("/api/incidents?limit=many", TestContext.Current.CancellationToken))
        {
            await ProblemAssert.Problem(badLimit, HttpStatusCode.BadRequest, "limit");
        }
        var list = (await ana.GetFromJsonAsync<IncidentPage>("/api/incidents?status=merged&limit=500", TestContext.Current.CancellationToken))!;
        Assert.Contains(list.Items, i => i.Id == source1);
        Assert.Contains(list.Items, i => i.Id == source2);
    }
}
