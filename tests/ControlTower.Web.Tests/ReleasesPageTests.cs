using System.Net;
using System.Text;
using System.Text.Json;
using Bunit;
using ControlTower.Web.Components.Pages.Releases;
using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Web.Tests;

/// <summary>The release page and the board against a fake gateway: what a person reads, and what their role lets them do.</summary>
public sealed class ReleasesPageTests : PortalTestContext
{
    private static readonly Guid ReleaseId = Guid.Parse("0197a000-0000-7000-8000-000000000001");
    private static readonly Guid VerdictId = Guid.Parse("0197a000-0000-7000-8000-000000000002");
    private static readonly Guid SmokeId = Guid.Parse("0197a000-0000-7000-8000-000000000003");
    private static readonly DateTimeOffset At = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);

    private readonly FakeGateway gateway = new();

    public ReleasesPageTests()
    {
        Services.AddScoped(sp => new GatewayClient(new HttpClient(gateway) { BaseAddress = GatewayClient.BaseAddress }, sp.GetRequiredService<PortalUser>()));
        AddBunitPersistentComponentState();
        // As prerendered: the live refresh (tested with the shared components) stays off, so each test sees only its own requests.
        SetRendererInfo(new RendererInfo("Server", isInteractive: false));
        var release = new ReleaseInfo(ReleaseId, "payments-api", "prod", "2.4.1", "0123456789abcdef", ["sha256:" + new string('a', 64)], null, "pipeline", At, []);
        var rules = new List<RuleResult>
        {
            new("freeze", "freeze.calendars", "blocking", "Pass", "Pass", "CalendarsOpen", "every calendar is open",
                new Dictionary<string, string>(), new Dictionary<string, string> { ["calendars"] = "company-freeze" }, [], null),
            new("smoke-pass-rate", "smoke.passRate", "blocking", "Fail", "Fail", "PassRateBelowMinimum",
                "pass rate 0.5 (1 of 2 run passed, 1 failed, 0 errored, 0 skipped) is below the minimum 0.98",
                new Dictionary<string, string> { ["passRate"] = "0.5", ["failed"] = "1" },
                new Dictionary<string, string> { ["minPassRate"] = "0.98", ["maxAge"] = "2h" }, [SmokeId.ToString()], null),
        };
        var verdict = new Verdict(VerdictId, ReleaseId, "payments-api", "prod", "2.4.1", "0123456789abcdef", At.AddMinutes(1), "pipeline", null,
            new PolicyRef("default", 1, new string('c', 64)), "1", "Fail", "Fail", new GitHubState("rejected", "failure"),
            "1 of 2 rules failed", new string('d', 64), [SmokeId], rules, []);
        var smoke = new EvidenceInfo(SmokeId, ReleaseId, "smokeRun", new string('e', 64), At, "pipeline", At,
            JsonSerializer.SerializeToElement(new { format = "JUnit", commit = "0123456789abcdef" }));
        gateway.Answer($"/api/releases/{ReleaseId}/detail", new ReleaseDetail(release, verdict,
            [new VerdictSummary(VerdictId, At.AddMinutes(1), "Fail", "Fail", new GitHubState("rejected", "failure"), "1 of 2 rules failed", new string('d', 64))],
            [smoke], []));
        gateway.Answer($"/api/releases/{ReleaseId}/evidence/{SmokeId}", new EvidenceFile(smoke, "JUnit", new SmokeCounts(2, 1, 1, 0, 0),
            [new SmokeSuite("api-smoke", 2, 1, 1, 0, 0)], [new SmokeCase("api-smoke", "gateway.round trip", "Failed", "expected 202, got 503")], false, "<testsuite/>", false));
        gateway.Answer("/api/releases/policies", new List<GatePolicy>());
        gateway.Answer($"/api/releases/evaluations/{VerdictId}/replay",
            new ReplayResult(VerdictId, new string('d', 64), new string('d', 64), true, true, "1", "1", "Fail", "Fail"));
        gateway.Answer("/api/releases/board", new List<BoardCell>
        {
            new("payments-api", "prod", release, new VerdictSummary(VerdictId, At, "Fail", "Fail", new GitHubState("rejected", "failure"), "", ""),
                DateTimeOffset.UtcNow.AddMinutes(-5), 1, new TruthStatus("running-what-was-claimed", "Fail", "NoFreshObservation", "no replica observed")),
            new("payments-api", "staging", release with { Environment = "staging" }, null, null, 0, null),
            new("ledger", "prod", release with { Service = "ledger" }, null, null, 0, null),
        });
        gateway.Answer("/api/releases?", new List<ReleaseInfo> { release });
        gateway.Answer("/api/releases/dora", new List<DoraFigures> { new("payments-api", "prod", 3, 0.1m, 2.5m, 0.333m, 4m, 1) });
    }

    private IRenderedComponent<ReleasePage> RenderRelease() =>
        Render<ReleasePage>(p => p.Add(c => c.Id, ReleaseId));

    [Fact]
    public void TheRuleTableShowsWhatEachRuleObservedAgainstWhatItExpectedBlockingRulesFirst()
    {
        Scopes = ["releases:read"];
        var page = RenderRelease();

        page.WaitForAssertion(() => Assert.Equal("Blocked", page.Find("[data-testid=decision]").TextContent));
        var rows = page.FindAll("[data-testid=rules] tbody tr");
        Assert.Equal(["smoke-pass-rate", "freeze"], rows.Select(r => r.GetAttribute("data-rule")).ToArray());
        var failing = rows[0];
        Assert.Equal("Fail", failing.QuerySelector("[data-testid=rule-status]")!.TextContent);
        Assert.Equal("passRate0.5failed1", failing.QuerySelector("[data-testid=observed]")!.TextContent.Replace(" ", "").Replace("\n", ""));
        Assert.Contains("minPassRate", failing.QuerySelector("[data-testid=expected]")!.TextContent);
        Assert.Contains("0.98", failing.QuerySelector("[data-testid=expected]")!.TextContent);
        Assert.Contains("is below the minimum 0.98", failing.TextContent);
        // The failing test is named with its message.
        var failure = page.Find("[data-testid=failures] tbody tr");
        Assert.Contains("gateway.round trip", failure.TextContent);
        Assert.Contains("expected 202, got 503", failure.TextContent);
    }

    [Fact]
    public void AViewerSeesNoWaiverFormAndNoEvaluateButton()
    {
        Scopes = ["releases:read"];
        var page = RenderRelease();

        page.WaitForElement("[data-testid=rules]");
        Assert.Empty(page.FindAll("[data-testid=waiver-form]"));
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Contains("Evaluate now") || b.TextContent.Contains("Grant"));
    }

    [Fact]
    public void AnApproverGrantsAWaiverThatIsCheckedFirstAndSentAsThemWithTheRuleTheyChose()
    {
        Scopes = ["releases:read", "releases:waive"];
        var page = RenderRelease();
        var form = page.WaitForElement("[data-testid=waiver-form]");
        // An Approver cannot ask for a verdict, and is told so.
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Contains("Evaluate now"));
        Assert.Contains("your role cannot re-evaluate", form.TextContent);

        page.Find("[data-testid=waiver-form]").Submit();
        Assert.Contains("Choose the rule", page.Find("#waiver-target-error").TextContent);
        Assert.Contains("Say why", page.Find("#waiver-reason-error").TextContent);
        Assert.Empty(gateway.Posts);

        page.Find("[data-testid=waiver-form] select").Change("id:smoke-pass-rate");
        page.Find("[data-testid=waiver-form] textarea").Input("known flaky round trip, fixed in 2.4.2");
        page.Find("[data-testid=waiver-form] input[type=text]").Input("tester");
        page.Find("[data-testid=waiver-form]").Submit();
        Assert.Contains("someone else", page.Find("#waiver-requested-error").TextContent);

        page.Find("[data-testid=waiver-form] input[type=text]").Input("rita");
        gateway.Answer($"/api/releases/{ReleaseId}/waivers", new { }, HttpStatusCode.Created);
        page.Find("[data-testid=waiver-form]").Submit();

        page.WaitForAssertion(() => Assert.Equal("Waiver granted.", page.Find("[data-testid=waiver-status]").TextContent));
        var (path, body) = Assert.Single(gateway.Posts);
        Assert.Equal($"/api/releases/{ReleaseId}/waivers", path);
        var sent = JsonDocument.Parse(body).RootElement;
        Assert.Equal("smoke-pass-rate", sent.GetProperty("ruleId").GetString());
        Assert.False(sent.TryGetProperty("ruleKind", out _));
        Assert.Equal("rita", sent.GetProperty("requestedBy").GetString());
        Assert.Equal("tester", sent.GetProperty("approvedBy").GetString());
        Assert.True(sent.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
    }

    [Fact]
    public void TheServersRefusalOfAWaiverIsShownBesideTheField()
    {
        Scopes = ["releases:read", "releases:waive"];
        var page = RenderRelease();
        page.WaitForElement("[data-testid=waiver-form]");
        gateway.Answer($"/api/releases/{ReleaseId}/waivers", new
        {
            title = "One or more validation errors occurred.", status = 400,
            errors = new Dictionary<string, string[]> { ["approvedBy"] = ["the approver must not be the requester."] },
        }, HttpStatusCode.BadRequest);

        page.Find("[data-testid=waiver-form] select").Change("kind:smoke.passRate");
        page.Find("[data-testid=waiver-form] textarea").Input("reason");
        page.Find("[data-testid=waiver-form] input[type=text]").Input("rita");
        page.Find("[data-testid=waiver-form]").Submit();

        page.WaitForAssertion(() => Assert.Contains("the approver must not be the requester", page.Find("[data-testid=waiver-form] .problem").TextContent));
        Assert.Equal("400", page.Find("[data-testid=waiver-form] .problem").GetAttribute("data-status"));
    }

    [Fact]
    public void AnAdminAsksForAVerdictFromThePage()
    {
        Scopes = ["releases:read", "releases:waive", "releases:write"];
        var page = RenderRelease();
        var form = page.WaitForElement("[data-testid=waiver-form]");
        Assert.DoesNotContain("your role cannot re-evaluate", form.TextContent);
        gateway.Answer($"/api/releases/{ReleaseId}/evaluations", new { }, HttpStatusCode.Created);

        page.FindAll("button").Single(b => b.TextContent.Contains("Evaluate now")).Click();

        page.WaitForAssertion(() => Assert.Equal($"/api/releases/{ReleaseId}/evaluations", Assert.Single(gateway.Posts).Path));
    }

    [Fact]
    public void ReplayShowsThatTheDigestMatches()
    {
        Scopes = ["releases:read"];
        var page = RenderRelease();
        page.WaitForElement("[data-testid=replay]").Click();

        page.WaitForAssertion(() => Assert.Contains("Replay matches", page.Find("[data-testid=replay-result]").TextContent));
    }

    [Fact]
    public void TheBoardShowsEachCellsVerdictAsWordsAndFiltersFromTheUrl()
    {
        Scopes = ["releases:read"];
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/releases?service=payments-api");
        var board = Render<ReleaseBoard>();

        board.WaitForAssertion(() => Assert.Equal(2, board.FindAll("[data-testid=readiness] td.cell").Count));
        // Environments in promotion order.
        Assert.Equal(["staging", "prod"], board.FindAll("[data-testid=readiness] thead th").Skip(1).Select(h => h.TextContent).ToArray());
        var prod = board.Find("td.cell[data-environment=prod]");
        Assert.Equal("Blocked", prod.QuerySelector("[data-testid=verdict]")!.TextContent);
        Assert.Equal($"/releases/{ReleaseId}", prod.QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("Evidence: 5 min old", prod.TextContent);
        Assert.Contains("Truth: Fail", prod.TextContent);
        Assert.Contains("No verdict", board.Find("td.cell[data-environment=staging]").TextContent);
        Assert.DoesNotContain("ledger", board.Find("[data-testid=readiness]").TextContent);
        Assert.Contains(gateway.Gets, p => p.StartsWith("/api/releases?limit=50&service=payments-api", StringComparison.Ordinal));
        Assert.Contains(gateway.Gets, p => p == "/api/releases/dora?days=30&service=payments-api");
        // DORA figures as a table, formatted.
        var dora = board.Find("[data-testid=dora] tbody tr").TextContent;
        Assert.Contains("2.5 h", dora);
        Assert.Contains("33.3 %", dora);

        board.Find("[data-testid=environment-filter]").Change("prod");
        Assert.EndsWith("/releases?service=payments-api&environment=prod", navigation.Uri);
    }

    /// <summary>Answers GETs by path prefix and records POST bodies.</summary>
    private sealed class FakeGateway : HttpMessageHandler
    {
        private readonly List<(string Prefix, object Body, HttpStatusCode Status)> answers = [];

        public List<string> Gets { get; } = [];

        public List<(string Path, string Body)> Posts { get; } = [];

        public void Answer(string prefix, object body, HttpStatusCode status = HttpStatusCode.OK) => answers.Insert(0, (prefix, body, status));

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.PathAndQuery;
            if (request.Method == HttpMethod.Post)
            {
                Posts.Add((request.RequestUri.AbsolutePath, request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken)));
            }
            else
            {
                Gets.Add(path);
            }
            var (_, body, status) = answers.FirstOrDefault(a => path.StartsWith(a.Prefix, StringComparison.Ordinal));
            if (body is null)
            {
                return new HttpResponseMessage(HttpStatusCode.NotFound);
            }
            return new HttpResponseMessage(status)
            {
                Content = new StringContent(JsonSerializer.Serialize(body, GatewayClient.Json), Encoding.UTF8,
                    (int)status >= 400 ? "application/problem+json" : "application/json"),
            };
        }
    }
}
