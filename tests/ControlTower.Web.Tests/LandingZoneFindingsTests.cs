using Bunit;
using ControlTower.Web.Components.Pages.LandingZone;
using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Web.Tests;

public sealed class LandingZoneFindingsTests : PortalTestContext
{
    private readonly FakeGateway gateway = LandingZoneSamples.Gateway();

    public LandingZoneFindingsTests()
    {
        Services.AddScoped(sp => new GatewayClient(new HttpClient(gateway) { BaseAddress = GatewayClient.BaseAddress }, sp.GetRequiredService<PortalUser>()));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    private IRenderedComponent<FindingsPage> Open(string query)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("/landing-zone/findings" + query);
        var page = Render<FindingsPage>();
        page.WaitForAssertion(() => Assert.Contains("finding(s)", page.Find("p.count").TextContent));
        return page;
    }

    [Fact]
    public void AViewerSeesFindingsAndSuppressionsButNoSuppressOrLiftButton()
    {
        Scopes = ["governance:read"];

        var page = Open("");

        Assert.Equal(4, page.FindAll("tr[data-finding]").Count);
        Assert.Single(page.FindAll("tr[data-suppression]"));
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent is "Suppress" or "Lift");
    }

    [Fact]
    public void AnApproverSuppressesAFindingWithReasonAndExpiryAndSeesTheSuppressionsAuthorAndCountdown()
    {
        Scopes = ["governance:read", "governance:suppress"];
        var page = Open("?status=open");
        Assert.Equal("/api/governance/findings?status=open", gateway.Requests.First(r => r.PathAndQuery.StartsWith("/api/governance/findings", StringComparison.Ordinal)).PathAndQuery);
        var suppression = page.Find("tr[data-suppression]").TextContent;
        Assert.Contains("ada@example.com", suppression);
        Assert.Contains("known test trail", suppression);
        Assert.Matches(@"expires in 2 d 0 h", suppression);
        // Already suppressed findings offer no second suppression; the others do, and active suppressions can be lifted.
        Assert.Equal(2, page.FindAll("tr[data-finding] button").Count(b => b.TextContent == "Suppress"));
        Assert.Single(page.FindAll("tr[data-suppression] button"), b => b.TextContent == "Lift");

        gateway.Answer("/api/governance/suppressions", System.Net.HttpStatusCode.Created,
            """{"id":"0193a000-0000-7000-8000-000000000001","type":"GOV.S3.2","subject":"s","reason":"r","createdBy":"approver","createdAt":"2026-11-29T10:00:00Z","expiresAt":"2026-12-06T10:00:00Z","active":true,"openFindings":1}""",
            "application/json");
        page.FindAll("tr[data-finding]").Single(r => r.TextContent.Contains("GOV.S3.2")).QuerySelector("button")!.Click();
        page.Find(".suppress-form textarea").Change("bucket is public on purpose: static site");
        page.Find(".suppress-form input[type=datetime-local]").Input("2026-12-06T10:00");
        page.Find(".suppress-form form").Submit();

        page.WaitForAssertion(() => Assert.Contains("Suppressed GOV.S3.2", page.Find("p.notice").TextContent));
        var posted = gateway.Requests.Single(r => r.Method == HttpMethod.Post);
        Assert.Equal("/api/governance/suppressions", posted.PathAndQuery);
        Assert.Contains("\"type\":\"GOV.S3.2\"", posted.Body);
        Assert.Contains($"\"subject\":\"arn:aws:s3:::bucket-{LandingZoneSamples.Prod}\"", posted.Body);
        Assert.Contains("\"reason\":\"bucket is public on purpose: static site\"", posted.Body);
        Assert.Contains("\"expiresAt\":\"2026-12-06T10:00:00+00:00\"", posted.Body);
    }

    [Fact]
    public void FiltersComeFromTheUrlAndKindAndStatusAreAskedOfTheServer()
    {
        Scopes = ["governance:read"];

        var page = Open($"?kind=guardrail&severity=high&account={LandingZoneSamples.Prod}");

        Assert.Contains(gateway.Requests, r => r.PathAndQuery == "/api/governance/findings?kind=guardrail");
        // The fake answers every kind: severity and account are narrowed here.
        var row = Assert.Single(page.FindAll("tr[data-finding]"));
        Assert.Contains("GOV.S3.2", row.TextContent);
        Assert.Equal("high", page.FindAll("select")[2].GetAttribute("value"));
        Assert.Equal(LandingZoneSamples.Prod, page.Find("input[type=search]").GetAttribute("value"));

        page.FindAll("select")[0].Change("drift");
        Assert.EndsWith($"/landing-zone/findings?kind=drift&severity=high&account={LandingZoneSamples.Prod}", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Theory]
    [InlineData(0, 0, 30, "expires in 30 min 0 s")]
    [InlineData(6, 23, 0, "expires in 6 d 23 h")]
    [InlineData(0, -2, 0, "expired 2 h 0 min ago")]
    public void ExpiriesReadAsACountdown(int days, int hours, int minutes, string expected) =>
        Assert.Equal(expected, Countdown.Until(LandingZoneSamples.Now.AddDays(days).AddHours(hours).AddMinutes(minutes), LandingZoneSamples.Now));
}
