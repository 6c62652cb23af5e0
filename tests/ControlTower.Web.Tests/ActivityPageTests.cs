using Bunit;
using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using ControlTower.Web.Components.Pages.Activity;

namespace ControlTower.Web.Tests;

/// <summary>The activity explorer's filters live in the URL: read from it, sent to the gateway, written back by the form.</summary>
public sealed class ActivityPageTests : PortalTestContext
{
    private const string TwoEvents = """
        {"items":[
          {"provider":"aws","eventId":"e-1","time":"2026-11-28T10:00:05Z","account":"555566667777","region":"us-east-1","service":"cloudtrail.amazonaws.com","operation":"StopLogging","actor":"arn:aws:iam::555566667777:user/eve","actorType":"IAMUser","outcome":"Success"},
          {"provider":"aws","eventId":"e-2","time":"2026-11-28T10:00:01Z","account":"555566667777","region":"us-east-1","service":"iam.amazonaws.com","operation":"CreateUser","outcome":"Failure","errorCode":"AccessDenied"}],
         "next":"CURSOR-2"}
        """;

    private readonly ActivityOverviewGateway gateway = new();

    public ActivityPageTests()
    {
        Scopes = ["activity:read"];
        Services.AddScoped(sp => new GatewayClient(new HttpClient(gateway) { BaseAddress = GatewayClient.BaseAddress }, sp.GetRequiredService<PortalUser>()));
        // Not interactive: the live refresh stays off, so each test sees exactly the reads it caused.
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: false));
        gateway.On("/api/activity", TwoEvents);
    }

    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    [Fact]
    public void FiltersReadFromTheUrlAreSentToTheGatewayAndShownInTheForm()
    {
        Navigation.NavigateTo("/activity?account=555566667777&provider=AWS&outcome=Failure&range=24h&q=Create");

        var page = Render<ActivityExplorer>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("tbody tr").Count));
        var asked = Assert.Single(gateway.Requests, r => r.StartsWith("/api/activity?", StringComparison.Ordinal));
        Assert.Contains("account=555566667777", asked);
        Assert.Contains("provider=aws", asked);
        Assert.Contains("outcome=Failure", asked);
        Assert.Contains("q=Create", asked);
        Assert.Contains("from=", asked);
        Assert.DoesNotContain("to=", asked.Replace("&q=", "", StringComparison.Ordinal));
        Assert.Equal("555566667777", page.Find("[data-testid=filter-account]").GetAttribute("value"));
        Assert.Equal("24h", page.Find("[data-testid=filter-range]").GetAttribute("value"));
        Assert.Equal("/export/activity?format=csv&range=24h&provider=aws&account=555566667777&outcome=Failure&q=Create",
            page.Find("[data-testid=export-csv]").GetAttribute("href"));
    }

    [Fact]
    public void ApplyingTheFormPutsTheFiltersInTheUrlAndStartsFromTheNewestPage()
    {
        Navigation.NavigateTo("/activity?before=CURSOR-1&service=iam.amazonaws.com");
        var page = Render<ActivityExplorer>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("tbody tr").Count));

        page.Find("[data-testid=filter-account]").Change("111122223333");
        page.Find("[data-testid=filter-operation]").Change("CreateUser");
        page.Find("form.activity-filters").Submit();

        var uri = new Uri(Navigation.Uri);
        Assert.Equal("/activity", uri.AbsolutePath);
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        Assert.Equal("111122223333", query["account"]);
        Assert.Equal("CreateUser", query["operation"]);
        Assert.Equal("iam.amazonaws.com", query["service"]);
        Assert.Null(query["before"]);
        page.WaitForAssertion(() => Assert.Contains(gateway.Requests, r => r.Contains("account=111122223333", StringComparison.Ordinal) && !r.Contains("before=", StringComparison.Ordinal)));
    }

    [Fact]
    public void OlderPagesGoByTheCursorAndNewerComesBack()
    {
        Navigation.NavigateTo("/activity?account=555566667777");
        var page = Render<ActivityExplorer>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("tbody tr").Count));

        page.Find("[data-testid=older]").Click();

        Assert.Contains("before=CURSOR-2", Navigation.Uri);
        Assert.Contains("account=555566667777", Navigation.Uri);
        page.WaitForAssertion(() => Assert.Contains(gateway.Requests, r => r.Contains("before=CURSOR-2", StringComparison.Ordinal)));
        page.WaitForAssertion(() => page.Find("button:contains('Newer')").Click());
        Assert.DoesNotContain("before=", Navigation.Uri);
    }

    [Fact]
    public void TheDetailPaneShowsTheNormalisedFieldsAndTheRawEvent()
    {
        gateway.On("/api/activity/aws/e-1", """
            {"activity":{"provider":"aws","eventId":"e-1","time":"2026-11-28T10:00:05Z","account":"555566667777","region":"us-east-1","service":"cloudtrail.amazonaws.com","operation":"StopLogging","actor":"eve","outcome":"Success"},
             "userAgent":"aws-cli/2.22.4","readOnly":false,"resources":[],"anomalies":[],"source":"cloudtrail","receivedAt":"2026-11-28T10:00:09Z",
             "raw":"{\"eventName\":\"StopLogging\",\"awsRegion\":\"us-east-1\"}"}
            """);
        Navigation.NavigateTo("/activity?event=aws/e-1");

        var page = Render<ActivityExplorer>();

        page.WaitForAssertion(() => Assert.Contains("\"eventName\": \"StopLogging\"", page.Find("[data-testid=raw-event]").TextContent));
        var pane = page.Find("[data-testid=activity-detail]");
        Assert.Contains("aws-cli/2.22.4", pane.TextContent);
        Assert.Equal("StopLogging", pane.QuerySelector("h2")!.TextContent);
        Assert.Equal("true", page.Find("tr[data-event-id=e-1]").GetAttribute("aria-current"));
        // Esc clicks the close link, which drops the event from the URL.
        Assert.DoesNotContain("event=", page.Find("[data-shortcut=close]").GetAttribute("href"));
    }

    [Theory]
    [InlineData("range=1h&from=2026-01-01T00:00:00Z", "1h", null)]
    [InlineData("from=2026-01-01T00:00:00Z", "custom", "2026-01-01T00:00:00Z")]
    [InlineData("range=bogus&provider=Azure", null, null)]
    public void ARangePresetWinsOverStrayTimesAndTimesImplyACustomRange(string query, string? range, string? from)
    {
        var values = System.Web.HttpUtility.ParseQueryString(query);
        var filters = ActivityFilters.Read(name => values[name]);
        Assert.Equal(range, filters.Range);
        Assert.Equal(from, filters.From);
    }

    [Fact]
    public void APresetIsResolvedAgainstTheClockForTheGateway()
    {
        var now = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal("from=2026-11-29T11%3A00%3A00Z&account=1", new ActivityFilters(Range: "1h", Account: "1").ToApiQuery(now));
        Assert.Equal("from=2026-11-22T12%3A00%3A00Z", new ActivityFilters(Range: "7d").ToApiQuery(now));
        Assert.Equal("from=a&to=b", new ActivityFilters(Range: "custom", From: "a", To: "b").ToApiQuery(now));
        Assert.Equal("", new ActivityFilters().ToApiQuery(now));
    }
}
