using System.Net;
using System.Net.Http.Headers;
using ControlTower.Testing;
using Microsoft.Playwright;

namespace ControlTower.EndToEnd.Tests.Portal;

/// <summary>The activity page in a real headless Chromium, served by the running system.</summary>
public sealed class ActivityPageTests(SystemFixture system, PortalBrowser browser)
{
    [Fact]
    public async Task ActivityPageShowsAnEventPostedThroughTheGateway()
    {
        var eventId = Guid.NewGuid().ToString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/aws/cloudtrail")
        {
            Content = new StringContent(
                CloudTrailFiles.File(CloudTrailFiles.Record(eventId, account: "555566667777", eventName: "StopLogging")),
                new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("X-Api-Key", system.IngestKey);
        using var posted = await system.Gateway.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        var page = await browser.SignInAsync(system.Portal, "Viewer", "vera", "/activity");

        // The page refreshes itself: the row appears without a reload.
        var row = page.Locator($"tr[data-event-id='{eventId}']");
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.Contains("StopLogging", await row.InnerTextAsync());
        Assert.Contains("555566667777", await row.InnerTextAsync());
        Assert.Equal("Activity · Control Tower", await page.TitleAsync());
        await PortalBrowser.CheckThemesAsync(page, "activity");
        await page.Context.CloseAsync();
    }
}
