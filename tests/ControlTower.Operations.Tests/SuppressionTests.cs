using System.Net;
using System.Net.Http.Json;
using ControlTower.Operations.Apis;
using ControlTower.Operations.Signals;
using ControlTower.Testing.Infrastructure;

namespace ControlTower.Operations.Tests;

/// <summary>Suppressions by matcher: what matches now, what arrives while they last, and nothing after.</summary>
public sealed class SuppressionTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private SignalsHost host = null!;
    private HttpClient approver = null!;

    public async ValueTask InitializeAsync()
    {
        host = await SignalsHost.StartAsync(infrastructure);
        approver = host.Client("appr@example.com");
    }

    public async ValueTask DisposeAsync()
    {
        approver.Dispose();
        await host.DisposeAsync();
    }

    private Task<long> Signal(string account, string kind, string? key = null) => host.Ingest(new SignalObservation
    {
        Kind = kind, DedupKey = key ?? $"{kind}:{Guid.NewGuid()}", ObservationId = Guid.NewGuid().ToString(), Condition = SourceCondition.Firing,
        At = host.Clock.GetUtcNow(), Title = "t", Severity = Severity.Medium, Account = account,
    });

    [Fact]
    public async Task ASuppressionSilencesMatchingSignalsNowAndWhileItLastsAndThenEnds()
    {
        var account = "sup-" + Guid.NewGuid().ToString("N")[..8];
        var matching = await Signal(account, SignalKinds.Guardrail);
        var otherKind = await Signal(account, SignalKinds.Drift);
        var until = host.Clock.GetUtcNow().AddDays(2);
        // PostgreSQL keeps microseconds.
        until = new DateTimeOffset(until.UtcTicks - until.UtcTicks % 10, TimeSpan.Zero);

        using var created = await approver.PostAsJsonAsync("/api/signals/suppressions",
            new { matchers = new { kind = "guardrail", account }, until, reason = "pen test this week" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<SuppressionCreated>(TestContext.Current.CancellationToken))!;
        Assert.Equal((1, "active", "appr@example.com"), (body.Applied, body.Suppression.State, body.Suppression.CreatedBy));

        Assert.Equal("suppressed", (await host.Detail(approver, matching)).Detail.Signal.Status);
        Assert.Equal("new", (await host.Detail(approver, otherKind)).Detail.Signal.Status);
        var arriving = await Signal(account, SignalKinds.Guardrail);
        var arrived = (await host.Detail(approver, arriving)).Detail;
        Assert.Equal(("suppressed", until), (arrived.Signal.Status, arrived.Signal.Until));
        Assert.Contains(arrived.Timeline, t => t.Type == "status" && t.To == "suppressed" && t.Actor == "appr@example.com");

        host.Clock.Advance(TimeSpan.FromDays(2));
        await host.Sweep();
        Assert.Equal("new", (await host.Detail(approver, matching)).Detail.Signal.Status);
        Assert.Equal("new", (await host.Detail(approver, await Signal(account, SignalKinds.Guardrail))).Detail.Signal.Status);
        var expired = (await approver.GetFromJsonAsync<List<SuppressionView>>("/api/signals/suppressions?state=expired", TestContext.Current.CancellationToken))!;
        Assert.Contains(expired, s => s.Id == body.Suppression.Id);
    }

    [Fact]
    public async Task ASuppressionNeedsItsScopeMatchersAnEndWithinTheLimitAndAReason()
    {
        var until = host.Clock.GetUtcNow().AddDays(1);
        async Task Expect(HttpClient client, object body, HttpStatusCode status, string mentions)
        {
            using var response = await client.PostAsJsonAsync("/api/signals/suppressions", body, TestContext.Current.CancellationToken);
            await ProblemAssert.Problem(response, status, mentions);
        }

        await Expect(host.Client("op", "signals:read signals:triage"), new { matchers = new { kind = "alert" }, until, reason = "r" }, HttpStatusCode.Forbidden, "signals:suppress");
        await Expect(approver, new { matchers = new { }, until, reason = "r" }, HttpStatusCode.BadRequest, "matchers");
        await Expect(approver, new { matchers = new { kind = "nope" }, until, reason = "r" }, HttpStatusCode.BadRequest, "matchers.kind");
        await Expect(approver, new { matchers = new { kind = "alert" }, until = until.AddDays(30), reason = "r" }, HttpStatusCode.BadRequest, "until");
        await Expect(approver, new { matchers = new { kind = "alert" }, reason = "r" }, HttpStatusCode.BadRequest, "until");
        await Expect(approver, new { matchers = new { kind = "alert" }, until }, HttpStatusCode.BadRequest, "reason");
        using var badState = await approver.GetAsync("/api/signals/suppressions?state=forever", TestContext.Current.CancellationToken);
        await ProblemAssert.Problem(badState, HttpStatusCode.BadRequest, "state");
    }
}
