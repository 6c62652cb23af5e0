using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Bunit;
using ControlTower.Web.Components.Pages.Incidents;
using ControlTower.Web.Components.Pages.Signals;
using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Web.Tests;

/// <summary>The signal queue, detail and incident pages against a fake gateway: who sees which actions, and the URL ↔ filter mapping.</summary>
public sealed class SignalsPageTests : PortalTestContext
{
    private const string Viewer = "signals:read";
    private static readonly string[] Operator = ["signals:read", "signals:triage"];
    private static readonly string[] Approver = ["signals:read", "signals:triage", "signals:suppress"];
    private static readonly DateTimeOffset Seen = new(2026, 11, 29, 9, 30, 0, TimeSpan.Zero);

    private readonly FakeGateway gateway = new();

    public SignalsPageTests()
    {
        AddBunitPersistentComponentState();
        Services.AddScoped(sp => new GatewayClient(new HttpClient(gateway) { BaseAddress = GatewayClient.BaseAddress }, sp.GetRequiredService<PortalUser>()));
    }

    private static SignalSummary Signal(long id, string status = "new", string? owner = "payments-lead@example.com", string etag = "\"1\"") => new(
        id, "guardrail", $"guardrail:{id}", $"AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED: trail {id}", "Event e1 broke the control.", "critical", "CRITICAL",
        "aws", "555566667777", $"arn:aws:cloudtrail:eu-west-1:555566667777:trail/t{id}", "prod", owner, "payments", "firing", status, null, null, 1,
        Seen, Seen, 7, etag, Seen, Seen);

    private IRenderedComponent<SignalsQueue> RenderQueue(string url, params string[] scopes)
    {
        Scopes = scopes;
        gateway.Answer("/api/signals?", _ => Json(new SignalPage([Signal(11), Signal(12)], null)));
        Services.GetRequiredService<NavigationManager>().NavigateTo(url);
        return Render<SignalsQueue>();
    }

    private IRenderedComponent<SignalDetailPage> RenderDetail(params string[] scopes)
    {
        Scopes = scopes;
        var details = JsonDocument.Parse("""{"controlId":"AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED","detectedAt":"2026-11-29T09:30:00+00:00"}""").RootElement;
        gateway.Answer("/api/signals/11", _ => Json(new SignalDetail(Signal(11), details,
            [new TimelineEntry(1, Seen, "system", "occurred", null, null, "first seen")]), "\"1\""));
        return Render<SignalDetailPage>(p => p.Add(c => c.Id, 11));
    }

    [Fact]
    public void AViewerSeesTheQueueWithoutCheckboxesOrBulkActions()
    {
        var queue = RenderQueue("/signals", Viewer);

        queue.WaitForAssertion(() => Assert.Equal(2, queue.FindAll("tbody tr").Count));
        Assert.Empty(queue.FindAll("input[type=checkbox]"));
        Assert.Empty(queue.FindAll("section.bulk"));
        Assert.Empty(queue.FindAll("[data-testid=bulk-preview]"));
    }

    [Fact]
    public void AViewerSeesTheSignalButNoActions()
    {
        var detail = RenderDetail(Viewer);

        detail.WaitForAssertion(() => Assert.Contains("AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED: trail 11", detail.Find("h1").TextContent));
        Assert.Empty(detail.FindAll("[data-action]"));
        Assert.Empty(detail.FindAll("aside.actions"));
        // The links a person follows from here are there for everyone.
        Assert.NotNull(detail.Find("a[href='/landing-zone/accounts/555566667777']"));
        Assert.NotNull(detail.Find("a[href='/activity?account=555566667777']"));
        Assert.NotNull(detail.Find("a[href='/incidents/7']"));
        // The evidence reads as the source wrote it.
        Assert.Contains("\"detectedAt\": \"2026-11-29T09:30:00+00:00\"", detail.Find("pre.raw").TextContent);
    }

    [Fact]
    public void AnOperatorMayTriageButNotSuppress()
    {
        var detail = RenderDetail(Operator);
        detail.WaitForAssertion(() => Assert.NotEmpty(detail.FindAll("[data-action=acknowledge]")));
        Assert.NotEmpty(detail.FindAll("[data-action=resolve]"));
        Assert.NotEmpty(detail.FindAll("[data-action=assign]"));
        Assert.Empty(detail.FindAll("[data-action=suppress]"));

        var queue = RenderQueue("/signals", Operator);
        queue.WaitForAssertion(() => Assert.Equal(3, queue.FindAll("input[type=checkbox]").Count));
        var actions = queue.FindAll("[data-testid=bulk-action] option").Select(o => o.GetAttribute("value")).ToList();
        Assert.Equal(["acknowledge", "assign", "snooze", "resolve"], actions);
    }

    [Fact]
    public void AnApproverMaySuppressToo()
    {
        var detail = RenderDetail(Approver);
        detail.WaitForAssertion(() => Assert.NotEmpty(detail.FindAll("[data-action=suppress]")));

        var queue = RenderQueue("/signals", Approver);
        queue.WaitForAssertion(() => Assert.Contains("suppress", queue.FindAll("[data-testid=bulk-action] option").Select(o => o.GetAttribute("value"))));
    }

    [Fact]
    public void TheUrlsFiltersBecomeTheGatewayQueryAndTheControlsShowThem()
    {
        var queue = RenderQueue("/signals?view=team&severity=critical&status=acknowledged&source=aws&environment=prod&kind=guardrail&q=trail", Viewer);

        queue.WaitForAssertion(() => Assert.Equal(2, queue.FindAll("tbody tr").Count));
        var sent = gateway.Requests.Single(r => r.StartsWith("/api/signals?", StringComparison.Ordinal));
        Assert.Equal("/api/signals?limit=50&status=acknowledged&severity=critical&source=aws&environment=prod&kind=guardrail&q=trail&myTeam=true", sent);
        Assert.Equal("critical", queue.Find("select[data-filter=severity]").GetAttribute("value"));
        Assert.Equal("aws", queue.Find("select[data-filter=source]").GetAttribute("value"));
        Assert.Equal("prod", queue.Find("input[data-filter=environment]").GetAttribute("value"));
        Assert.Equal("trail", queue.Find("input[data-shortcut=search]").GetAttribute("value"));
        Assert.Equal("page", queue.Find("a[data-view=team]").GetAttribute("aria-current"));
    }

    [Fact]
    public void WithoutAStatusTheQueueShowsTheOpenSignalsOfEveryone()
    {
        var queue = RenderQueue("/signals", Viewer);

        queue.WaitForAssertion(() => Assert.Single(gateway.Requests));
        Assert.Equal("/api/signals?limit=50&status=new%2Cacknowledged%2Csnoozed%2Csuppressed", gateway.Requests[0]);
        Assert.Equal("page", queue.Find("a[data-view=all]").GetAttribute("aria-current"));
    }

    [Fact]
    public void ChoosingAFilterPutsItInTheUrl()
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        var queue = RenderQueue("/signals?view=mine", Viewer);
        queue.WaitForAssertion(() => Assert.Equal(2, queue.FindAll("tbody tr").Count));

        queue.Find("select[data-filter=severity]").Change("high");
        Assert.Equal("http://localhost/signals?view=mine&severity=high", navigation.Uri);

        queue.Find("input[data-shortcut=search]").Change("cloudtrail stop");
        Assert.Equal("http://localhost/signals?view=mine&severity=high&q=cloudtrail%20stop", navigation.Uri);
    }

    [Fact]
    public void ABulkPreviewOverTheSelectionSendsItsIdsAsADryRunAndShowsTheCount()
    {
        gateway.Answer("/api/signals/bulk", request => Json(new BulkOutcome(true, 2, 2, 0, 0, 0, [])));
        var queue = RenderQueue("/signals", Operator);
        queue.WaitForAssertion(() => Assert.Equal(2, queue.FindAll("tbody tr").Count));

        queue.Find("tr[data-signal-id='11'] input[type=checkbox]").Change(true);
        queue.Find("tr[data-signal-id='12'] input[type=checkbox]").Change(true);
        queue.Find("[data-testid=bulk-preview]").Click();

        queue.WaitForAssertion(() => Assert.Equal("2", queue.Find("[data-testid=bulk-count]").TextContent));
        var body = JsonDocument.Parse(gateway.Bodies["/api/signals/bulk"]).RootElement;
        Assert.True(body.GetProperty("dryRun").GetBoolean());
        Assert.Equal("acknowledge", body.GetProperty("action").GetString());
        Assert.Equal([11L, 12L], body.GetProperty("filter").GetProperty("ids").EnumerateArray().Select(i => i.GetInt64()));
    }

    [Fact]
    public void ANewSignalAppearsByItselfAndTheSelectionStays()
    {
        var queue = RenderQueue("/signals", Operator);
        queue.WaitForAssertion(() => Assert.Equal(2, queue.FindAll("tbody tr").Count));
        queue.Find("tr[data-signal-id='11'] input[type=checkbox]").Change(true);

        gateway.Answer("/api/signals?", _ => Json(new SignalPage([Signal(13), Signal(12), Signal(11)], null)));

        queue.WaitForAssertion(() => Assert.Equal(3, queue.FindAll("tbody tr").Count), TimeSpan.FromSeconds(10));
        Assert.Equal("13", queue.Find("tbody tr").GetAttribute("data-signal-id"));
        Assert.True(queue.Find("tr[data-signal-id='11'] input[type=checkbox]").HasAttribute("checked"));
        Assert.False(queue.Find("tr[data-signal-id='13'] input[type=checkbox]").HasAttribute("checked"));
        Assert.Contains("the 1 selected", queue.Find("section.bulk").TextContent);
    }

    [Fact]
    public void AConflictSaysSoAndShowsTheLatestVersionWithWhatChanged()
    {
        var detail = RenderDetail(Operator);
        detail.WaitForAssertion(() => Assert.NotEmpty(detail.FindAll("[data-action=acknowledge]")));
        // Meanwhile someone assigned it to Bo: the acknowledgement (with ETag "1") is refused, and the next read shows Bo.
        gateway.Answer("/api/signals/11/acknowledge", _ => Problem(412, "ETag does not match"));
        gateway.Answer("/api/signals/11", _ => Json(new SignalDetail(Signal(11, owner: "bo@example.com", etag: "\"2\""), null, []), "\"2\""));

        detail.Find("[data-action=acknowledge]").Click();

        detail.WaitForAssertion(() => Assert.Contains("Someone else changed this first", detail.Find(".problem").TextContent));
        Assert.Equal("bo@example.com", detail.Find("[data-testid=owner]").TextContent);
        Assert.Contains("owner: payments-lead@example.com → bo@example.com", detail.Find("[data-testid=changed-meanwhile]").TextContent);
        Assert.Equal("\"1\"", gateway.IfMatch["/api/signals/11/acknowledge"]);

        // Acting again uses the version now shown.
        gateway.Answer("/api/signals/11/acknowledge", _ => Json(Signal(11, "acknowledged", "bo@example.com", "\"3\"")));
        detail.Find("[data-action=acknowledge]").Click();
        detail.WaitForAssertion(() => Assert.Equal("\"2\"", gateway.IfMatch["/api/signals/11/acknowledge"]));
    }

    [Fact]
    public void AnIncidentOffersSplitAndMergeOnlyToTriage()
    {
        gateway.Answer("/api/incidents/7", _ => Json(new IncidentDetail(
            new IncidentSummary(7, "account=555566667777", "trail stopped", "open", null, 2, 2, Seen, Seen, "\"4\"", Seen, Seen),
            [Signal(11), Signal(12)], []), "\"4\""));

        Scopes = [Viewer];
        var viewer = Render<IncidentPage>(p => p.Add(c => c.Id, 7));
        viewer.WaitForAssertion(() => Assert.Equal(2, viewer.FindAll("tbody tr").Count));
        Assert.Empty(viewer.FindAll("[data-action]"));
        Assert.Empty(viewer.FindAll("input[type=checkbox]"));

        Scopes = Operator;
        var operatorView = Render<IncidentPage>(p => p.Add(c => c.Id, 7));
        operatorView.WaitForAssertion(() => Assert.NotEmpty(operatorView.FindAll("[data-action=split]")));
        Assert.Equal(2, operatorView.FindAll("tbody input[type=checkbox]").Count);
    }

    [Fact]
    public void SplittingOffASignalSendsItWithTheIncidentsETagAndOpensTheNewIncident()
    {
        var incident = new IncidentSummary(7, "account=555566667777", "trail stopped", "open", null, 2, 2, Seen, Seen, "\"4\"", Seen, Seen);
        gateway.Answer("/api/incidents/7", _ => Json(new IncidentDetail(incident, [Signal(11), Signal(12)], []), "\"4\""));
        gateway.Answer("/api/incidents/7/split", _ => Json(incident with { Id = 9, Title = "the second trail", Signals = 1, OpenSignals = 1 }, "\"1\""));
        Scopes = Operator;
        var page = Render<IncidentPage>(p => p.Add(c => c.Id, 7));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("tbody input[type=checkbox]").Count));

        page.Find("tr[data-signal-id='12'] input[type=checkbox]").Change(true);
        page.Find("[data-action=split]").Click();

        page.WaitForAssertion(() => Assert.Equal("http://localhost/incidents/9", Services.GetRequiredService<NavigationManager>().Uri));
        var body = JsonDocument.Parse(gateway.Bodies["/api/incidents/7/split"]).RootElement;
        Assert.Equal([12L], body.GetProperty("signalIds").EnumerateArray().Select(i => i.GetInt64()));
        Assert.Equal("\"4\"", gateway.IfMatch["/api/incidents/7/split"]);
    }

    private static HttpResponseMessage Json<T>(T value, string? etag = null)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(JsonSerializer.Serialize(value, GatewayClient.Json), Encoding.UTF8, "application/json"),
        };
        if (etag is not null)
        {
            response.Headers.ETag = EntityTagHeaderValue.Parse(etag);
        }
        return response;
    }

    private static HttpResponseMessage Problem(int status, string title) => new((HttpStatusCode)status)
    {
        Content = new StringContent(JsonSerializer.Serialize(new { status, title }), Encoding.UTF8, "application/problem+json"),
    };

    /// <summary>Answers by path (the longest matching prefix wins) and records what the page sent.</summary>
    private sealed class FakeGateway : HttpMessageHandler
    {
        private readonly Dictionary<string, Func<HttpRequestMessage, HttpResponseMessage>> answers = new(StringComparer.Ordinal);

        public List<string> Requests { get; } = [];

        public Dictionary<string, string> Bodies { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string?> IfMatch { get; } = new(StringComparer.Ordinal);

        public void Answer(string path, Func<HttpRequestMessage, HttpResponseMessage> answer) => answers[path] = answer;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.PathAndQuery;
            lock (Requests)
            {
                Requests.Add(path);
            }
            if (request.Content is not null)
            {
                Bodies[request.RequestUri.AbsolutePath] = await request.Content.ReadAsStringAsync(cancellationToken);
            }
            IfMatch[request.RequestUri.AbsolutePath] = request.Headers.IfMatch.FirstOrDefault()?.ToString();
            var match = answers.Keys.Where(k => path == k || (k.EndsWith('?') && path.StartsWith(k, StringComparison.Ordinal)))
                .OrderByDescending(k => k.Length).FirstOrDefault();
            return match is null ? new HttpResponseMessage(HttpStatusCode.NotFound) : answers[match](request);
        }
    }
}
