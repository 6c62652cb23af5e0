using System.Net;
using System.Net.Http.Headers;
using ControlTower.Testing;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace ControlTower.EndToEnd.Tests;

/// <summary>The portal in a real headless Chromium, served by the running system.</summary>
public sealed class PortalTests(SystemFixture system) : IAsyncLifetime
{
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;

    public async ValueTask InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Browser.Path(),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }

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

        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(system.Portal, "/activity").ToString());

        // The page refreshes itself every few seconds: the row appears without a reload.
        var row = page.Locator($"tr[data-event-id='{eventId}']");
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.Contains("StopLogging", await row.InnerTextAsync());
        Assert.Contains("555566667777", await row.InnerTextAsync());
        Assert.Equal("Activity · Control Tower", await page.TitleAsync());

        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.True(serious.Count == 0, "Accessibility violations: " + string.Join("; ", serious));
    }
}
