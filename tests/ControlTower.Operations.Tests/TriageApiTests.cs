using System.Net;
using System.Net.Http.Json;
using ControlTower.Operations.Apis;
using ControlTower.Operations.Signals;
using ControlTower.Testing.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ControlTower.Operations.Tests;

/// <summary>Triage over HTTP: the state machine, ETags, scopes, problems, timeline and audit, on real servers.</summary>
public sealed class TriageApiTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private SignalsHost host = null!;
    private HttpClient ana = null!;

    public async ValueTask InitializeAsync()
    {
        host = await SignalsHost.StartAsync(infrastructure);
        ana = host.Client();
    }

    public async ValueTask DisposeAsync()
    {
        ana.Dispose();
        await host.DisposeAsync();
    }

    private Task<long> NewSignal(string kind = SignalKinds.Drift, string? account = null, Severity severity = Severity.High) => host.Ingest(new SignalObservation
    {
        Kind = kind,
        DedupKey = $"{kind}:{Guid.NewGuid()}",
        ObservationId = "1",
        Condition = SourceCondition.Firing,
        At = host.Clock.GetUtcNow(),
        Title = "something drifted",
        Severity = severity,
        Account = account ?? "111122223333",
        Provider = "aws",
    });

    private async Task<(SignalView Signal, string ETag)> Do(long id, string action, object? body, HttpClient? client = null)
    {
        var (_, etag) = await host.Detail(ana, id);
        using var response = await SignalsHost.Act(client ?? ana, id, action, body, etag);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{action}: {(int)response.StatusCode} {text}");
        var view = System.Text.Json.JsonSerializer.Deserialize<SignalView>(text, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
        Assert.Equal(response.Headers.ETag!.ToString(), view.ETag);
        Assert.NotEqual(etag, view.ETag);
        return (view, view.ETag);
    }

    [Fact]
    public async Task AnOperatorTakesASignalThroughEveryStateWithTimelineAndAuditForEachChange()
    {
        var id = await NewSignal();

        Assert.Equal("acknowledged", (await Do(id, "acknowledge", null)).Signal.Status);
        var assigned = (await Do(id, "assign", new { owner = "bo@example.com", team = "platform" })).Signal;
        Assert.Equal(("bo@example.com", "platform"), (assigned.Owner, assigned.Team));
        var snoozed = (await Do(id, "snooze", new { until = host.Clock.GetUtcNow().AddHours(2) })).Signal;
        Assert.Equal("snoozed", snoozed.Status);

        host.Clock.Advance(TimeSpan.FromHours(3));
        Assert.True(await host.Sweep() >= 1);
        var (afterSnooze, _) = await host.Detail(ana, id);
        Assert.Equal("new", afterSnooze.Signal.Status);
        Assert.Null(afterSnooze.Signal.Until);

        Assert.Equal("suppressed", (await Do(id, "suppress", new { until = host.Clock.GetUtcNow().AddDays(30), reason = "planned migration" })).Signal.Status);
        var resolved = (await Do(id, "resolve", new { classification = "benignPositive", text = "expected during migration" })).Signal;
        Assert.Equal(("resolved", "benignPositive"), (resolved.Status, resolved.Classification));
        Assert.Equal("new", (await Do(id, "reopen", null)).Signal.Status);
        await Do(id, "notes", new { text = "looked again, real this time" });
        var closed = (await Do(id, "close", new { classification = "truePositive" })).Signal;
        Assert.Equal(("closed", "truePositive"), (closed.Status, closed.Classification));

        var (detail, _) = await host.Detail(ana, id);
        var transitions = detail.Timeline.Where(t => t.Type == "status").Select(t => $"{t.From}->{t.To}@{t.Actor}").ToList();
        Assert.Equal([
            "new->acknowledged@ana@example.com", "acknowledged->snoozed@ana@example.com", "snoozed->new@system",
            "new->suppressed@ana@example.com", "suppressed->resolved@ana@example.com", "resolved->new@ana@example.com",
            "new->closed@ana@example.com"], transitions);
        Assert.Contains(detail.Timeline, t => t.Type == "assigned" && t.To == "bo@example.com / platform");
        Assert.Contains(detail.Timeline, t => t.Type == "note" && t.Text == "looked again, real this time");

        var audit = await host.WithDb(db => db.AuditLog.AsNoTracking().Where(a => a.TargetType == "signal" && a.TargetId == id.ToString())
            .OrderBy(a => a.Seq).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(["signal.acknowledge", "signal.assign", "signal.snooze", "signal.expire", "signal.suppress", "signal.resolve",
            "signal.reopen", "signal.note", "signal.close"], audit.Select(a => a.Action));
        var suppress = audit.Single(a => a.Action == "signal.suppress");
        Assert.Equal(("ana@example.com", "user", "203.0.113.7", "planned migration"), (suppress.Actor, suppress.ActorKind, suppress.ClientAddress, suppress.Reason));
        Assert.Contains("\"status\":\"new\"", suppress.Before);
        Assert.Contains("\"status\":\"suppressed\"", suppress.After);
        Assert.Equal("system", audit.Single(a => a.Action == "signal.expire").Actor);
    }

    [Fact]
    public async Task ASuppressionThatEndsAfterTheSourceClearedResolvesTheSignal()
    {
        var key = $"drift:{Guid.NewGuid()}";
        var at = host.Clock.GetUtcNow();
        var id = await host.Ingest(new SignalObservation { Kind = SignalKinds.Drift, DedupKey = key, ObservationId = "d1", Condition = SourceCondition.Firing, At = at, Title = "t", Severity = Severity.High });
        await Do(id, "suppress", new { until = at.AddDays(1), reason = "known" });
        await host.Ingest(new SignalObservation { Kind = SignalKinds.Drift, DedupKey = key, ObservationId = "r1", Condition = SourceCondition.Resolved, At = at.AddMinutes(1), Title = "t", Severity = Severity.High });
        Assert.Equal(("suppressed", "resolved"), ((await host.Detail(ana, id)).Detail.Signal.Status, (await host.Detail(ana, id)).Detail.Signal.Condition));

        host.Clock.Advance(TimeSpan.FromDays(1));
        await host.Sweep();

        var signal = (await host.Detail(ana, id)).Detail.Signal;
        Assert.Equal(("resolved", "undetermined"), (signal.Status, signal.Classification));
    }

    [Fact]
    public async Task AnAlertThatGoesQuietForLongerThanItsTtlBecomesStale()
    {
        var id = await NewSignal(SignalKinds.Alert);
        var drift = await NewSignal(SignalKinds.Drift);
        host.Clock.Advance(TimeSpan.FromDays(29));
        await host.Sweep();
        Assert.Equal("firing", (await host.Detail(ana, id)).Detail.Signal.Condition);

        host.Clock.Advance(TimeSpan.FromDays(2));
        await host.Sweep();
        Assert.Equal("stale", (await host.Detail(ana, id)).Detail.Signal.Condition);
        Assert.Equal("firing", (await host.Detail(ana, drift)).Detail.Signal.Condition);
    }

    [Fact]
    public async Task AMutationWithoutIfMatchIs428AndWithAStaleETagIs412()
    {
        var id = await NewSignal();

        using var missing = await SignalsHost.Act(ana, id, "acknowledge", null, null);
        await ProblemAssert.Problem(missing, HttpStatusCode.PreconditionRequired, "If-Match");

        var (_, etag) = await host.Detail(ana, id);
        await Do(id, "notes", new { text = "first" });
        using var stale = await SignalsHost.Act(ana, id, "acknowledge", null, etag);
        var problem = await ProblemAssert.Problem(stale, HttpStatusCode.PreconditionFailed, "changed since");
        Assert.Equal("\"2\"", problem.GetProperty("etag").GetString());
        Assert.Equal("new", (await host.Detail(ana, id)).Detail.Signal.Status);
    }

    [Fact]
    public async Task OfTwoOperatorsRacingOnOneETagExactlyOneWins()
    {
        var bo = host.Client("bo@example.com");
        for (var round = 0; round < 5; round++)
        {
            var id = await NewSignal();
            var (_, etag) = await host.Detail(ana, id);

            var answers = await Task.WhenAll(
                SignalsHost.Act(ana, id, "assign", new { owner = "ana@example.com" }, etag),
                SignalsHost.Act(bo, id, "assign", new { owner = "bo@example.com" }, etag));

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.PreconditionFailed], answers.Select(a => a.StatusCode).Order());
            var winner = answers.Single(a => a.StatusCode == HttpStatusCode.OK) == answers[0] ? "ana@example.com" : "bo@example.com";
            var signal = (await host.Detail(ana, id)).Detail.Signal;
            Assert.Equal((winner, "\"2\""), (signal.Owner, signal.ETag));
            foreach (var answer in answers)
            {
                answer.Dispose();
            }
        }
    }

    [Fact]
    public async Task AForbiddenTransitionIs409NamingTheCurrentStateAndTheAction()
    {
        var id = await NewSignal();
        var (_, etag) = await host.Detail(ana, id);

        using var snooze = await SignalsHost.Act(ana, id, "snooze", new { until = host.Clock.GetUtcNow().AddHours(1) }, etag);
        var problem = await ProblemAssert.Problem(snooze, HttpStatusCode.Conflict, "snooze");
        Assert.Equal(("new", "snooze"), (problem.GetProperty("currentStatus").GetString(), problem.GetProperty("action").GetString()));
        Assert.Contains("acknowledged", problem.GetProperty("detail").GetString());

        using var reopen = await SignalsHost.Act(ana, id, "reopen", null, etag);
        await ProblemAssert.Problem(reopen, HttpStatusCode.Conflict, "reopen");
        Assert.Equal(etag, (await host.Detail(ana, id)).ETag);
    }

    [Fact]
    public async Task BadInputIs400NamingTheFieldAndAnUnknownSignalIs404()
    {
        var id = await NewSignal();
        var (_, etag) = await host.Detail(ana, id);
        var now = host.Clock.GetUtcNow();

        async Task Expect(string action, object? body, HttpStatusCode status, string field)
        {
            using var response = await SignalsHost.Act(ana, id, action, body, etag);
            var problem = await ProblemAssert.Problem(response, status);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{action}: {problem}");
        }

        await Expect("resolve", new { classification = "maybe" }, HttpStatusCode.BadRequest, "classification");
        await Expect("resolve", new { }, HttpStatusCode.BadRequest, "classification");
        await Expect("suppress", new { until = now.AddDays(31), reason = "too long" }, HttpStatusCode.BadRequest, "until");
        await Expect("suppress", new { until = now.AddDays(1) }, HttpStatusCode.BadRequest, "reason");
        await Expect("suppress", new { reason = "no end" }, HttpStatusCode.BadRequest, "until");
        await Expect("assign", new { }, HttpStatusCode.BadRequest, "owner");
        await Expect("notes", new { text = "" }, HttpStatusCode.BadRequest, "text");
        await Expect("resolve", new { classification = 5 }, HttpStatusCode.BadRequest, "$.classification");

        using var notFound = await SignalsHost.Act(ana, 987654321, "acknowledge", null, "\"1\"");
        await ProblemAssert.Problem(notFound, HttpStatusCode.NotFound, "987654321");
        using var get = await ana.GetAsync("/api/signals/987654321", TestContext.Current.CancellationToken);
        await ProblemAssert.Problem(get, HttpStatusCode.NotFound);

        using var badList = await ana.GetAsync("/api/signals?status=open&limit=9999", TestContext.Current.CancellationToken);
        var listProblem = await ProblemAssert.Problem(badList, HttpStatusCode.BadRequest);
        Assert.True(listProblem.GetProperty("errors").TryGetProperty("limit", out _));
        using var badNumber = await ana.GetAsync("/api/signals?incident=abc", TestContext.Current.CancellationToken);
        await ProblemAssert.Problem(badNumber, HttpStatusCode.BadRequest, "incident");
        using var badStatus = await ana.GetAsync("/api/signals?status=open", TestContext.Current.CancellationToken);
        await ProblemAssert.Problem(badStatus, HttpStatusCode.BadRequest, "'open' is not one of");
        Assert.Equal(etag, (await host.Detail(ana, id)).ETag);
    }

    [Fact]
    public async Task TriageNeedsTheTriageScopeAndSuppressingTheSuppressScope()
    {
        var id = await NewSignal();
        var (_, etag) = await host.Detail(ana, id);
        var viewer = host.Client("vi@example.com", "signals:read");
        var operatorOnly = host.Client("op@example.com", "signals:read signals:triage");

        using var ack = await SignalsHost.Act(viewer, id, "acknowledge", null, etag);
        await ProblemAssert.Problem(ack, HttpStatusCode.Forbidden, "signals:triage");
        using var suppress = await SignalsHost.Act(operatorOnly, id, "suppress", new { until = host.Clock.GetUtcNow().AddDays(1), reason = "x" }, etag);
        await ProblemAssert.Problem(suppress, HttpStatusCode.Forbidden, "signals:suppress");
        using var bulk = await operatorOnly.PostAsJsonAsync("/api/signals/bulk",
            new { filter = new { }, action = "suppress", until = host.Clock.GetUtcNow().AddDays(1), reason = "x" }, TestContext.Current.CancellationToken);
        await ProblemAssert.Problem(bulk, HttpStatusCode.Forbidden, "signals:suppress");
        using var audit = await operatorOnly.GetAsync("/api/audit", TestContext.Current.CancellationToken);
        await ProblemAssert.Problem(audit, HttpStatusCode.Forbidden, "audit:read");

        // Reading needs no triage scope, and nothing changed.
        Assert.Equal(etag, (await host.Detail(viewer, id)).ETag);
        Assert.Equal("acknowledged", (await Do(id, "acknowledge", null, operatorOnly)).Signal.Status);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesEveryTriageRoute()
    {
        var document = await ana.GetStringAsync("/api/signals/openapi/v1.json", TestContext.Current.CancellationToken);

        foreach (var route in new[]
        {
            "/api/signals/{id}/acknowledge", "/api/signals/{id}/snooze", "/api/signals/{id}/suppress", "/api/signals/{id}/notes",
            "/api/signals/bulk", "/api/signals/suppressions", "/api/incidents/{id}/merge", "/api/incidents/{id}/split", "/api/audit/export",
        })
        {
            Assert.Contains($"\"{route}\"", document);
        }
        Assert.Contains("\"BulkSignals\"", document);
    }

    [Fact]
    public async Task TimesWithAnyOffsetAreTakenAsTheInstantTheyName()
    {
        var at = host.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(5.5));
        var id = await host.Ingest(new SignalObservation
        {
            Kind = SignalKinds.Drift, DedupKey = $"drift:{Guid.NewGuid()}", ObservationId = "1", Condition = SourceCondition.Firing, At = at,
            Title = "t", Severity = Severity.Low,
        });
        await Do(id, "acknowledge", null);
        var until = host.Clock.GetUtcNow().AddHours(2).ToOffset(TimeSpan.FromHours(-7));

        var snoozed = (await Do(id, "snooze", new { until })).Signal;

        Assert.Equal(until.UtcTicks / 10, snoozed.Until!.Value.UtcTicks / 10);
        Assert.Equal(at.UtcTicks / 10, snoozed.FirstSeen.UtcTicks / 10);
    }

    [Fact]
    public async Task TheListFiltersAndPagesByKeyset()
    {
        var account = "acct-" + Guid.NewGuid().ToString("N")[..8];
        var ids = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await NewSignal(i % 2 == 0 ? SignalKinds.Drift : SignalKinds.Release, account, i < 3 ? Severity.Critical : Severity.Low));
        }
        await Do(ids[0], "acknowledge", null);
        await Do(ids[1], "assign", new { owner = "ana@example.com" });

        var seen = new List<long>();
        string? next = null;
        do
        {
            var page = (await ana.GetFromJsonAsync<SignalPage>($"/api/signals?account={account}&limit=3{(next is null ? "" : "&after=" + next)}",
                TestContext.Current.CancellationToken))!;
            seen.AddRange(page.Items.Select(s => s.Id));
            next = page.Next;
        }
        while (next is not null);
        Assert.Equal(ids.OrderDescending(), seen);

        async Task<List<long>> Ids(string query) => (await ana.GetFromJsonAsync<SignalPage>($"/api/signals?account={account}&{query}",
            TestContext.Current.CancellationToken))!.Items.Select(s => s.Id).Order().ToList();
        Assert.Equal([ids[0]], await Ids("status=acknowledged"));
        Assert.Equal([ids[0], ids[1], ids[2]], await Ids("severity=critical"));
        Assert.Equal([ids[1], ids[3], ids[5]], await Ids("kind=release"));
        Assert.Equal([ids[1]], await Ids("mine=true"));
        Assert.Equal([ids[1]], await Ids("owner=ana@example.com"));
        Assert.Equal([ids[2], ids[4], ids[6]], await Ids("kind=drift&status=new"));
        Assert.Empty(await Ids("condition=resolved"));
    }
}
