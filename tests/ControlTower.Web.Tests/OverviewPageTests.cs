using System.Net;
using Bunit;
using ControlTower.Web.Components.Pages.Overview;
using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Web.Tests;

/// <summary>The overview's parts: each shows its data, or why it cannot, without taking the others down.</summary>
public sealed class OverviewPageTests : PortalTestContext
{
    private const string Signals = """
        {"name":"signals","status":"ok","data":{"open":7,"new":4,"unassigned":2,"oldestOpenSince":"2026-11-28T08:00:00Z",
          "bySeverity":{"low":1,"critical":2,"high":4},"bySource":{"aws":5,"pipelines":2},"byEnvironment":{"prod":6,"dev":1},
          "byStatus":{"new":4,"acknowledged":3},"byKind":{"cloud":5,"release":2}}}
        """;

    private const string Activity = """
        {"name":"activity","status":"ok","data":{"from":"2026-11-28T10:00:00Z","to":"2026-11-28T13:30:00Z","bucket":"01:00:00",
          "counts":[{"start":"2026-11-28T10:00:00Z","provider":"aws","outcome":"Success","count":3},
                    {"start":"2026-11-28T10:00:00Z","provider":"aws","outcome":"Failure","count":2},
                    {"start":"2026-11-28T12:00:00Z","provider":"azure","outcome":"Success","count":9}]}}
        """;

    private readonly ActivityOverviewGateway gateway = new();

    public OverviewPageTests()
    {
        Scopes = ["signals:read", "activity:read"];
        Services.AddScoped(sp => new GatewayClient(new HttpClient(gateway) { BaseAddress = GatewayClient.BaseAddress }, sp.GetRequiredService<PortalUser>()));
        // Not interactive: the live refresh stays off, so each test sees exactly the reads it caused.
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: false));
        gateway
            .On("/api/governance/findings/trend", HttpStatusCode.Forbidden, """{"title":"Forbidden","detail":"Needs scope governance:read."}""", "application/problem+json")
            .On("/api/releases", """[{"id":"0193a000-0000-7000-8000-000000000001","service":"payments-api","environment":"prod","version":"1.2.3","commit":"abcdef1","registeredAt":"2026-11-28T11:30:00Z"}]""");
    }

    /// <summary>The gateway's overview with these parts, each a JSON object naming itself.</summary>
    private static string Overview(params string[] parts) =>
        "{\"generatedAt\":\"2026-11-28T13:30:00Z\",\"partial\":true,\"parts\":{"
        + string.Join(",", parts.Select(p => "\"" + System.Text.Json.JsonDocument.Parse(p).RootElement.GetProperty("name").GetString() + "\":" + p))
        + "}}";

    [Fact]
    public void AForbiddenAndASlowPartSayWhyWhileTheOthersRender()
    {
        gateway.On("/api/overview", Overview(Signals, Activity,
            """{"name":"posture","status":"forbidden","detail":"Needs scope governance:read."}""",
            """{"name":"readiness","status":"timeout","detail":"releasegate did not answer within 2 s."}"""));

        var page = Render<OverviewPage>();

        page.WaitForAssertion(() => Assert.Equal("4", page.Find("[data-testid=new-count]").TextContent));
        Assert.Contains("may not read it", page.Find("section[data-part=posture] .part-notice").TextContent);
        Assert.Contains("governance:read", page.Find("section[data-part=posture] .part-notice").TextContent);
        Assert.Contains("did not answer in time", page.Find("section[data-part=readiness] .part-notice").TextContent);
        Assert.Contains("Open findings over time is not shown", page.Find("[data-part=findings-trend]").TextContent);
        Assert.NotNull(page.Find("[data-testid=partial]"));

        // The signals rendered in full: severities in order of severity, each a link to the list behind it.
        var severities = page.FindAll("section[data-part=signals] table").First().QuerySelectorAll("tbody th a");
        Assert.Equal(["Critical", "High", "Low"], severities.Select(a => a.TextContent));
        Assert.Equal("/signals?severity=critical&view=all", severities[0].GetAttribute("href"));
        var sources = page.FindAll("section[data-part=signals] table")[1].QuerySelectorAll("tbody th a");
        Assert.Equal(["AWS", "Pipelines"], sources.Select(a => a.TextContent));
        Assert.Equal("/signals?source=pipelines&view=all", sources[1].GetAttribute("href"));
        Assert.Equal("/signals?environment=prod&view=all", page.FindAll("section[data-part=signals] table")[2].QuerySelector("tbody th a")!.GetAttribute("href"));

        // The activity chart: one bar per provider and hour with activity, and the release marked, linking to it.
        Assert.Equal(2, page.FindAll("#activity-chart rect.bar").Count);
        Assert.Contains("payments-api 1.2.3", page.Find("#activity-chart line.marker").TextContent);
    }

    [Fact]
    public void TheActivityChartsTableHasEveryHourAndProvider()
    {
        gateway.On("/api/overview", Overview(Signals, Activity));

        var page = Render<OverviewPage>();
        page.WaitForAssertion(() => page.Find("[data-part=activity] figcaption button").Click());

        var rows = page.FindAll("[data-part=activity] tbody tr");
        Assert.Equal(4, rows.Count);
        Assert.Equal(["2026-11-28 10:00", "5", "0"], rows[0].Children.Select(c => c.TextContent.Trim()));
        Assert.Equal(["2026-11-28 12:00", "0", "9"], rows[2].Children.Select(c => c.TextContent.Trim()));
        Assert.Contains(page.FindAll("[data-part=activity] .chart-markers a"), a => a.GetAttribute("href") == "/releases/0193a000-0000-7000-8000-000000000001");
    }

    [Fact]
    public void WhenTheGatewayFailsTheProblemIsShown()
    {
        gateway.On("/api/overview", HttpStatusCode.ServiceUnavailable, """{"title":"Service Unavailable","detail":"The gateway is starting."}""", "application/problem+json");

        var page = Render<OverviewPage>();

        page.WaitForAssertion(() => Assert.Contains("failed on the server side", page.Find(".problem").TextContent));
        Assert.Empty(page.FindAll("section[data-part]"));
    }
}
