using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ControlTower.Testing;
using Microsoft.Playwright;

namespace ControlTower.EndToEnd.Tests.Portal;

/// <summary>The landing zone, an account's page and the findings list in a real headless Chromium, served by the running system.</summary>
[Collection(PortalBrowser.Collection)]
public sealed partial class LandingZonePageTests(SystemFixture system, PortalBrowser browser)
{
    private const string Management = "111122223333";
    private const string PaymentsDev = "666677778888";
    private const string PaymentsProd = "555566667777";
    private const string NonProd = "ou-ab12-npd00001";
    private const string Sandbox = "ou-ab12-sbx00001";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task IngestAsync(JsonObject record)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/aws/cloudtrail")
        {
            Content = new StringContent(CloudTrailFiles.File(record), new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("X-Api-Key", system.IngestKey);
        using var posted = await system.Gateway.SendAsync(request, Token);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
    }

    /// <summary>Organizations' MoveAccount, as CloudTrail records it in the management account.</summary>
    private static JsonObject MoveAccount(string account, string from, string to, DateTimeOffset at)
    {
        var record = CloudTrailFiles.Record(account: Management, eventName: "MoveAccount", time: at.ToString("yyyy-MM-ddTHH:mm:ssZ"));
        record["eventSource"] = "organizations.amazonaws.com";
        record["requestParameters"] = new JsonObject { ["accountId"] = account, ["sourceParentId"] = from, ["destinationParentId"] = to };
        return record;
    }

    [Fact]
    public async Task AnAccountMovedOutOfItsOuShowsItsDriftOnTheTreeWithoutReloadAndInItsFindingsTab()
    {
        var page = await browser.SignInAsync(system.Portal, "Viewer", "vera", "/landing-zone");
        var node = page.Locator($"li[data-node='{PaymentsDev}']");
        var badge = node.Locator("> .node [data-testid=findings-badge]");
        await badge.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.DoesNotContain("Observed under Sandbox", await node.InnerTextAsync());
        Assert.Equal("Landing zone · Control Tower", await page.TitleAsync());

        // payments-dev moved from NonProd into Sandbox: drift against the baseline.
        await IngestAsync(MoveAccount(PaymentsDev, NonProd, Sandbox, DateTimeOffset.UtcNow));
        try
        {
            // The page re-reads by itself: the badge counts the new drift finding, in words, and the node says where it is.
            await Assertions.Expect(badge).ToHaveTextAsync(OpenFinding(), new LocatorAssertionsToHaveTextOptions { Timeout = 60_000 });
            await Assertions.Expect(node.Locator("> .difference")).ToContainTextAsync($"Observed under Sandbox ({Sandbox}); the baseline puts it under NonProd");
            await Assertions.Expect(node.Locator("> .owners")).ToContainTextAsync("Team: payments");
            await PortalBrowser.CheckThemesAsync(page, "landing-zone");

            // The account's page, by its link from the tree, and its findings tab.
            await node.Locator("> .node a.name").ClickAsync();
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == $"/landing-zone/accounts/{PaymentsDev}");
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync($"payments-dev ({PaymentsDev})");
            await page.Locator(".tabs a", new PageLocatorOptions { HasText = "Findings" }).ClickAsync();
            await page.WaitForURLAsync(url => new Uri(url).Query == "?tab=findings");
            var finding = page.Locator("tr[data-finding]", new PageLocatorOptions { HasText = "ACCOUNT_MOVED_BETWEEN_OUS" });
            await finding.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
            Assert.Contains("open", await finding.InnerTextAsync());
            Assert.Contains($"it sits under {Sandbox}", await finding.InnerTextAsync());
            Assert.Equal($"https://{PaymentsDev}.signin.aws.amazon.com/console",
                await page.Locator("a", new PageLocatorOptions { HasText = "Open in the AWS console" }).GetAttributeAsync("href"));
            await PortalBrowser.CheckThemesAsync(page, "account");
        }
        finally
        {
            // Back where the baseline puts it, for the tests after this one.
            await IngestAsync(MoveAccount(PaymentsDev, Sandbox, NonProd, DateTimeOffset.UtcNow.AddSeconds(1)));
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task AnApproverSuppressesAFindingWithAnExpiryAndAReasonAndAViewerSeesNoSuppressButton()
    {
        // A guardrail broken in payments-prod, on a trail only this test uses.
        var trail = $"aws-controltower-BaselineCloudTrail-{Guid.NewGuid():N}";
        var record = CloudTrailFiles.Record(account: PaymentsProd, eventName: "StopLogging", time: DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"));
        record["eventSource"] = "cloudtrail.amazonaws.com";
        record["awsRegion"] = "eu-west-1";
        record["requestParameters"] = new JsonObject { ["name"] = $"arn:aws:cloudtrail:eu-west-1:{PaymentsProd}:trail/{trail}" };
        await IngestAsync(record);
        var path = $"/landing-zone/findings?kind=guardrail&status=open&account={trail}";

        var page = await browser.SignInAsync(system.Portal, "Approver", "april", path);
        var row = page.Locator("tr[data-finding]", new PageLocatorOptions { HasText = "AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED" });
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.Equal("Findings · Control Tower", await page.TitleAsync());

        await row.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Suppress" }).ClickAsync();
        var form = page.Locator(".suppress-form");
        var expires = DateTime.UtcNow.AddDays(3);
        await form.GetByLabel("Expires at (UTC)").FillAsync(expires.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await form.GetByLabel("Reason").FillAsync("Trail rotation rehearsal, ticket OPS-42");
        await form.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Suppress" }).ClickAsync();

        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync("Suppressed AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED");
        // The finding carries its suppression; the suppressions list names who made it, why, and counts down to its expiry.
        await Assertions.Expect(row).ToContainTextAsync("Trail rotation rehearsal, ticket OPS-42", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
        var suppression = page.Locator("tr[data-suppression]", new PageLocatorOptions { HasText = trail });
        await Assertions.Expect(suppression).ToContainTextAsync("april");
        await Assertions.Expect(suppression).ToContainTextAsync(ExpiresInAboutThreeDays());
        await PortalBrowser.CheckThemesAsync(page, "findings");
        await page.Context.CloseAsync();

        // A Viewer sees the same finding and its suppression, and no button to suppress or lift.
        var viewer = await browser.SignInAsync(system.Portal, "Viewer", "vera", path);
        var seen = viewer.Locator("tr[data-finding]", new PageLocatorOptions { HasText = "AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED" });
        await Assertions.Expect(seen).ToContainTextAsync("Trail rotation rehearsal, ticket OPS-42", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
        Assert.Equal(0, await viewer.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Suppress" }).CountAsync());
        Assert.Equal(0, await viewer.GetByRole(AriaRole.Button, new PageGetByRoleOptions { NameRegex = new Regex("^Lift") }).CountAsync());
        await viewer.Context.CloseAsync();
    }

    [GeneratedRegex(@"^\d+ open findings? \(")]
    private static partial Regex OpenFinding();

    [GeneratedRegex(@"expires in (2 d 23 h|3 d 0 h)")]
    private static partial Regex ExpiresInAboutThreeDays();
}
