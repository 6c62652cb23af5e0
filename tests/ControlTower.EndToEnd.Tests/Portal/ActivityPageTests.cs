using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using ControlTower.Testing;
using Microsoft.Playwright;

namespace ControlTower.EndToEnd.Tests.Portal;

/// <summary>The activity page in a real headless Chromium, served by the running system.</summary>
[Collection(PortalBrowser.Collection)]
public sealed class ActivityPageTests(SystemFixture system, PortalBrowser browser)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task PostAsync(string eventId, string account, string eventName)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/aws/cloudtrail")
        {
            Content = new StringContent(
                CloudTrailFiles.File(CloudTrailFiles.Record(eventId, account: account, eventName: eventName,
                    time: DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))),
                new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("X-Api-Key", system.IngestKey);
        using var posted = await system.Gateway.SendAsync(request, Token);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
    }

    private static string NewAccount() => Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task ActivityPageShowsAnEventPostedThroughTheGateway()
    {
        var eventId = Guid.NewGuid().ToString();
        await PostAsync(eventId, "555566667777", "StopLogging");

        var page = await browser.SignInAsync(system.Portal, "Viewer", "vera", "/activity");

        // The page refreshes itself: the row appears without a reload.
        var row = page.Locator($"tr[data-event-id='{eventId}']");
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.Contains("StopLogging", await row.InnerTextAsync());
        Assert.Contains("555566667777", await row.InnerTextAsync());
        Assert.Equal("Activity · Control Tower", await page.TitleAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task FilterByAccountOpenAnEventByKeyboardAndExportTheView()
    {
        var account = NewAccount();
        var other = NewAccount();
        var mine = Guid.NewGuid().ToString();
        var theirs = Guid.NewGuid().ToString();
        await PostAsync(mine, account, "AttachUserPolicy");
        await PostAsync(theirs, other, "AttachUserPolicy");

        var page = await browser.SignInAsync(system.Portal, "Viewer", "vera", "/activity");
        await page.Locator($"tr[data-event-id='{theirs}']").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });

        // Filter through the form: the URL carries the filter and only that account's rows show.
        await page.GetByLabel("Account or subscription").FillAsync(account);
        await page.GetByLabel("Account or subscription").PressAsync("Enter");
        // The URL is enough (as in ShellTests): the rows are awaited next. Waiting for the page's load event as well timed
        // out once on a busy machine after the URL had changed.
        await page.WaitForURLAsync(url => url.Contains($"account={account}", StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit, Timeout = 90_000 });
        await page.Locator($"tr[data-event-id='{theirs}']").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
        await page.Locator($"tr[data-event-id='{mine}']").WaitForAsync();
        var accounts = await page.Locator("table.activity tbody tr td:nth-child(3)").AllInnerTextsAsync();
        Assert.All(accounts, a => Assert.Equal(account, a));

        // The detail pane by keyboard: Tab from the last filter control to the row's link, Enter; Esc closes it.
        await page.GetByRole(AriaRole.Link, new() { Name = "Clear filters" }).FocusAsync();
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal(mine, await page.EvaluateAsync<string>("() => document.activeElement.closest('tr')?.dataset.eventId"));
        await page.Keyboard.PressAsync("Enter");
        var raw = page.GetByTestId("raw-event");
        await raw.WaitForAsync();
        Assert.Contains("\"eventName\": \"AttachUserPolicy\"", await raw.InnerTextAsync());
        Assert.Contains(mine, page.Url, StringComparison.Ordinal);
        await PortalBrowser.CheckThemesAsync(page, "activity");
        await page.Keyboard.PressAsync("Escape");
        await page.GetByTestId("activity-detail").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });

        // Export the view as CSV: the header and exactly this account's event.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-csv").ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var lines = (await File.ReadAllLinesAsync(await download.PathAsync(), Token)).Where(l => l.Length > 0).ToList();
        Assert.Equal("time,provider,eventId,account,region,service,operation,actor,actorType,sourceIp,outcome,errorCode", lines[0]);
        var data = Assert.Single(lines.Skip(1));
        Assert.Contains($",aws,{mine},{account},us-east-1,", data);
        Assert.Contains("AttachUserPolicy", data);
        Assert.DoesNotContain(theirs, string.Join('\n', lines));
        await page.Context.CloseAsync();
    }
}
