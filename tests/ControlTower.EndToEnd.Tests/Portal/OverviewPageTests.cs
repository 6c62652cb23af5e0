using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlTower.Testing;
using Microsoft.Playwright;

namespace ControlTower.EndToEnd.Tests.Portal;

/// <summary>The overview in a real headless Chromium: counts, charts with their tables and release markers, links to the lists behind them.</summary>
[Collection(PortalBrowser.Collection)]
public sealed class OverviewPageTests(SystemFixture system, PortalBrowser browser)
{
    private const string PaymentsProd = "555566667777";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OverviewCountsChartsAndLinksFollowWhatWasPosted()
    {
        // A guardrail broken now (Control Tower's own trail stopped): an activity, a finding and a signal.
        var record = CloudTrailFiles.Record(account: PaymentsProd, eventName: "StopLogging", time: DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        record["eventSource"] = "cloudtrail.amazonaws.com";
        record["requestParameters"] = new JsonObject { ["name"] = $"arn:aws:cloudtrail:us-east-1:{PaymentsProd}:trail/aws-controltower-BaselineCloudTrail-{Guid.NewGuid():N}" };
        using (var ingest = new HttpRequestMessage(HttpMethod.Post, "/ingest/aws/cloudtrail")
        {
            Content = new StringContent(CloudTrailFiles.File(record), new MediaTypeHeaderValue("application/json")),
        })
        {
            ingest.Headers.Add("X-Api-Key", system.IngestKey);
            using var accepted = await system.Gateway.SendAsync(ingest, Token);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        // A release registered by a pipeline now: a marker on the charts.
        var service = $"overview-{Guid.NewGuid():N}"[..20];
        Guid releaseId;
        using (var register = new HttpRequestMessage(HttpMethod.Post, "/api/releases")
        {
            Content = JsonContent.Create(new { service, environment = "prod", version = "2.4.0", commit = "0123456789abcdef" }),
        })
        {
            register.Headers.Add("X-Api-Key", system.PipelineKey);
            using var registered = await system.Gateway.SendAsync(register, Token);
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            releaseId = (await registered.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("id").GetGuid();
        }

        var page = await browser.SignInAsync(system.Portal, "Viewer", "vera", "/");
        Assert.Equal("Overview · Control Tower", await page.TitleAsync());

        // The signal arrives within seconds and the page follows it without a reload.
        var severityLinks = page.Locator("section[data-part=signals] table").First.Locator("tbody th a");
        await severityLinks.First.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.True(int.Parse(await page.GetByTestId("open-count").InnerTextAsync(), NumberStyles.AllowThousands, CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("ok", await page.Locator("section[data-part=posture]").GetAttributeAsync("data-state"));
        Assert.Equal("ok", await page.Locator("section[data-part=readiness]").GetAttributeAsync("data-state"));

        // The activity chart as a table: this hour has the event, and the release is listed as a marker linking to it.
        var activity = page.Locator("[data-part=activity]");
        var marker = activity.Locator($"a[href='/releases/{releaseId}']");
        await Eventually.ValueAsync<bool>(async () =>
        {
            if (await activity.GetByRole(AriaRole.Button, new() { Name = "Show table" }).IsVisibleAsync())
            {
                await activity.GetByRole(AriaRole.Button, new() { Name = "Show table" }).ClickAsync();
            }
            return await marker.CountAsync() == 1 ? true : null;
        }, TimeSpan.FromSeconds(30));
        Assert.Contains($"{service} 2.4.0 → prod", await marker.InnerTextAsync());
        var hour = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:00", CultureInfo.InvariantCulture);
        var row = activity.Locator("tbody tr", new() { Has = page.Locator($"th:has-text('{hour}')") });
        var awsCount = await row.Locator("td").First.InnerTextAsync();
        Assert.True(int.Parse(awsCount, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) >= 1, $"the {hour} row shows {awsCount}");

        // The readiness table links the new release.
        Assert.Equal(1, await page.Locator($"section[data-part=readiness] a[href='/releases/{releaseId}']").CountAsync());

        await PortalBrowser.CheckThemesAsync(page, "overview");

        // A severity row leads to the signals list with that filter in the URL.
        var severity = (await severityLinks.First.InnerTextAsync()).ToLowerInvariant();
        await severityLinks.First.ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/signals?", StringComparison.Ordinal) && url.Contains($"severity={severity}", StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }
}
