using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlTower.Testing;
using Microsoft.Playwright;

namespace ControlTower.EndToEnd.Tests.Portal;

/// <summary>
/// Triage in the portal, in a real headless Chromium against the running system: a broken guardrail posted through the
/// gateway appears in the queue without a reload, is acknowledged (by keyboard), meets someone else's change, is resolved
/// with a classification, and the audit log has it all; a Viewer sees no actions; a bulk action previews its count.
/// </summary>
[Collection(PortalBrowser.Collection)]
public sealed class SignalsPageTests(SystemFixture system, PortalBrowser browser)
{
    private const string PaymentsProd = "555566667777";
    private const string TrailControl = "AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Control Tower's own trail stopped in payments-prod: a mandatory guardrail broken, seen by the AWS collector.</summary>
    private async Task StopTrailAsync(string trail)
    {
        var record = CloudTrailFiles.Record(account: PaymentsProd, eventName: "StopLogging", time: DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"));
        record["eventSource"] = "cloudtrail.amazonaws.com";
        record["awsRegion"] = "eu-west-1";
        record["requestParameters"] = new JsonObject { ["name"] = $"arn:aws:cloudtrail:eu-west-1:{PaymentsProd}:trail/{trail}" };
        using var ingest = new HttpRequestMessage(HttpMethod.Post, "/ingest/aws/cloudtrail") { Content = new StringContent(CloudTrailFiles.File(record)) };
        ingest.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        ingest.Headers.Add("X-Api-Key", system.IngestKey);
        using var accepted = await system.Gateway.SendAsync(ingest, Token);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    /// <summary>A second person's session straight against the gateway (the Development sign-in), as another browser would have.</summary>
    private async Task<HttpClient> SessionAsync(string role, string name)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = system.Gateway.BaseAddress,
        };
        using var response = await client.GetAsync($"/dev/signin?role={role}&name={Uri.EscapeDataString(name)}", Token);
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.OK, $"dev sign-in answered {response.StatusCode}");
        return client;
    }

    private static ILocator Row(IPage page, string trail) =>
        page.Locator("table.signals tbody tr").Filter(new LocatorFilterOptions { HasText = TrailControl }).Filter(new LocatorFilterOptions { HasText = trail });

    private static async Task<long> SignalIdAsync(ILocator row) => long.Parse((await row.GetAttributeAsync("data-signal-id"))!, System.Globalization.CultureInfo.InvariantCulture);

    private static Task ExpectTextAsync(ILocator locator, string text, int timeout = 30_000) =>
        locator.Filter(new LocatorFilterOptions { HasText = text }).WaitForAsync(new LocatorWaitForOptions { Timeout = timeout });

    [Fact]
    public async Task ABrokenGuardrailAppearsLiveIsAcknowledgedMeetsAConflictIsResolvedAndTheAuditLogShowsIt()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var trail = $"aws-controltower-BaselineCloudTrail-{tag}";
        var page = await browser.SignInAsync(system.Portal, "Operator", "olga", $"/signals?q={tag}");
        await page.Locator("p.empty").WaitForAsync();

        // The event arrives while the queue is open: the signal shows up without a reload.
        await StopTrailAsync(trail);
        var row = Row(page, trail);
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.Equal(1, await row.CountAsync());
        var rowText = await row.InnerTextAsync();
        Assert.Contains("critical", rowText, StringComparison.Ordinal);
        Assert.Contains("payments-lead@example.com / payments", rowText, StringComparison.Ordinal);
        var id = await SignalIdAsync(row);
        Assert.Equal("Signals · Control Tower", await page.TitleAsync());
        await PortalBrowser.CheckThemesAsync(page, "signals");

        await row.GetByRole(AriaRole.Link).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == $"/signals/{id}");
        var status = page.Locator("[data-testid=signal-status]");
        await ExpectTextAsync(status, "new");
        Assert.Equal("payments-lead@example.com", await page.Locator("[data-testid=owner]").InnerTextAsync());
        Assert.NotNull(await page.Locator($"a[href='/landing-zone/accounts/{PaymentsProd}']").GetAttributeAsync("href"));
        Assert.NotNull(await page.Locator($"a[href='/activity?account={PaymentsProd}']").GetAttributeAsync("href"));

        // By keyboard: from the comment field, Tab reaches Acknowledge and Enter presses it.
        await page.GetByLabel("Comment (goes with the action, optional)").FillAsync("looking");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("acknowledge", await page.EvaluateAsync<string>("() => document.activeElement?.dataset?.action ?? ''"));
        await page.Keyboard.PressAsync("Enter");
        await ExpectTextAsync(status, "acknowledged");
        await ExpectTextAsync(page.Locator("[data-testid=timeline] li"), "new → acknowledged");

        // Someone else assigns it meanwhile, so the version on screen is stale.
        using (var oscar = await SessionAsync("Operator", "oscar@example.com"))
        {
            using var read = await oscar.GetAsync($"/api/signals/{id}", Token);
            using var assign = new HttpRequestMessage(HttpMethod.Post, $"/api/signals/{id}/assign") { Content = JsonContent.Create(new { owner = "oscar@example.com" }) };
            assign.Headers.IfMatch.Add(read.Headers.ETag!);
            using var assigned = await oscar.SendAsync(assign, Token);
            Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        }

        await page.Locator("[data-testid=classification-choice]").SelectOptionAsync("truePositive");
        await page.Locator("[data-action=resolve]").ClickAsync();
        await ExpectTextAsync(page.Locator(".problem"), "Someone else changed this first");
        await ExpectTextAsync(page.Locator("[data-testid=owner]"), "oscar@example.com");
        Assert.Contains("owner: payments-lead@example.com → oscar@example.com", await page.Locator("[data-testid=changed-meanwhile]").InnerTextAsync(),
            StringComparison.Ordinal);
        Assert.Equal("acknowledged", (await status.InnerTextAsync()).Trim());

        // Deciding again on what is there now works.
        await page.Locator("[data-action=resolve]").ClickAsync();
        await ExpectTextAsync(status, "resolved");
        Assert.Contains("True positive", await page.Locator("[data-testid=classification]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator(".problem").CountAsync());
        await PortalBrowser.CheckThemesAsync(page, "signal-detail");

        // Its incident, one link away.
        await page.Locator("a[href^='/incidents/']").First.ClickAsync();
        await page.Locator("[data-testid=incident-status]").WaitForAsync();
        Assert.Equal(1, await page.Locator($"tr[data-signal-id='{id}']").CountAsync());
        await PortalBrowser.CheckThemesAsync(page, "incident");

        // The Admin reads who did what in the audit log.
        using var admin = await SessionAsync("Admin", "ada@example.com");
        var audit = await Eventually.ValueAsync<JsonElement>(async () =>
        {
            var answer = await admin.GetFromJsonAsync<JsonElement>($"/api/audit?targetType=signal&target={id}", Token);
            return answer.GetProperty("items").EnumerateArray().Any(e => e.GetProperty("action").GetString() == "signal.resolve") ? answer : null;
        }, TimeSpan.FromSeconds(60));
        var entries = audit.GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "signal.acknowledge" && e.GetProperty("actor").GetString() == "olga");
        var resolution = entries.Single(e => e.GetProperty("action").GetString() == "signal.resolve");
        Assert.Equal("olga", resolution.GetProperty("actor").GetString());
        Assert.Contains("truePositive", resolution.GetProperty("after").GetString(), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AViewerFindsTheirTeamsSignalButNoActionButtonsOrCheckboxes()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var trail = $"aws-controltower-BaselineCloudTrail-{tag}";
        await StopTrailAsync(trail);
        // The account's owner, as a Viewer, finds it under "My team": the team of the accounts they own.
        var page = await browser.SignInAsync(system.Portal, "Viewer", "payments-lead@example.com", $"/signals?view=team&q={tag}&severity=critical");

        var row = Row(page, trail);
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.Equal("page", await page.Locator("a[data-view=team]").GetAttributeAsync("aria-current"));
        Assert.Equal(0, await page.Locator("input[type=checkbox]").CountAsync());
        Assert.Equal(0, await page.Locator("section.bulk").CountAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Preview" }).CountAsync());

        await row.GetByRole(AriaRole.Link).ClickAsync();
        await ExpectTextAsync(page.Locator("[data-testid=signal-status]"), "new");
        Assert.Equal(0, await page.Locator("[data-action]").CountAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Acknowledge" }).CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ABulkAcknowledgementOfTwoSelectedSignalsPreviewsTwoAndAcknowledgesBoth()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var (first, second) = ($"aws-controltower-BaselineCloudTrail-{tag}-a", $"aws-controltower-BaselineCloudTrail-{tag}-b");
        await StopTrailAsync(first);
        await StopTrailAsync(second);
        var page = await browser.SignInAsync(system.Portal, "Operator", "otto", $"/signals?q={tag}&kind=guardrail");
        var (rowA, rowB) = (Row(page, first), Row(page, second));
        await rowA.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        await rowB.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });

        // The whole filter first: the preview counts what the queue shows.
        await page.Locator("[data-testid=bulk-filter]").CheckAsync();
        await page.Locator("[data-testid=bulk-preview]").ClickAsync();
        await page.Locator("[data-testid=bulk-matched]").WaitForAsync();
        var rows = await page.Locator("table.signals tbody tr").CountAsync();
        Assert.True(rows >= 2, $"{rows} rows");
        Assert.Equal(rows.ToString(System.Globalization.CultureInfo.InvariantCulture), (await page.Locator("[data-testid=bulk-matched]").InnerTextAsync()).Trim());
        await page.Locator("[data-testid=bulk-selected]").CheckAsync();
        // Another scope, another count: the preview is gone until asked again.
        await page.Locator("[data-testid=bulk-matched]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });

        await rowA.Locator("input[type=checkbox]").CheckAsync();
        await rowB.Locator("input[type=checkbox]").CheckAsync();
        await page.Locator("[data-testid=bulk-preview]").ClickAsync();
        await ExpectTextAsync(page.Locator("[data-testid=bulk-count]"), "2");
        Assert.Equal("2", (await page.Locator("[data-testid=bulk-count]").InnerTextAsync()).Trim());

        await page.Locator("[data-testid=bulk-confirm]").ClickAsync();
        await ExpectTextAsync(page.Locator("[data-testid=bulk-result]"), "2 changed");
        await ExpectTextAsync(rowA.Locator("[data-status]"), "acknowledged");
        await ExpectTextAsync(rowB.Locator("[data-status]"), "acknowledged");

        // The view can be kept under a name, and comes back as a link with its filters.
        await page.GetByLabel("Name of this view").FillAsync($"bulk {tag}");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Save view" }).ClickAsync();
        var saved = page.Locator("ul.view-list a").Filter(new LocatorFilterOptions { HasText = $"bulk {tag}" });
        await saved.WaitForAsync();
        Assert.Equal($"/signals?q={tag}&kind=guardrail", await saved.GetAttributeAsync("href"));

        // The server agrees.
        using var reader = new HttpClient { BaseAddress = system.Gateway.BaseAddress };
        reader.DefaultRequestHeaders.Add("X-Api-Key", system.ReaderKey);
        foreach (var id in new[] { await SignalIdAsync(rowA), await SignalIdAsync(rowB) })
        {
            var detail = await reader.GetFromJsonAsync<JsonElement>($"/api/signals/{id}", Token);
            Assert.Equal("acknowledged", detail.GetProperty("signal").GetProperty("status").GetString());
        }
        await page.Context.CloseAsync();
    }
}
