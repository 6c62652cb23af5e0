using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using ControlTower.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ControlTower.EndToEnd.Tests.Portal;

/// <summary>The admin pages in a real headless Chromium: keys, the baseline, poison messages and the audit log, as Admin and as Viewer.</summary>
[Collection(PortalBrowser.Collection)]
public sealed partial class AdminPageTests(SystemFixture system, PortalBrowser browser)
{
    private static readonly TimeSpan AuditWait = TimeSpan.FromSeconds(120);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string Unique() => Guid.NewGuid().ToString("N")[..8];

    /// <summary>Posts a CloudTrail file through the gateway with <paramref name="key"/> and returns the status it got.</summary>
    private async Task<HttpStatusCode> IngestWithAsync(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/aws/cloudtrail")
        {
            Content = new StringContent(CloudTrailFiles.File(CloudTrailFiles.Record(Guid.NewGuid().ToString(), account: "555566667777", eventName: "DescribeInstances")),
                new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("X-Api-Key", key);
        using var response = await system.Gateway.SendAsync(request, Token);
        return response.StatusCode;
    }

    /// <summary>Opens the audit log at <paramref name="query"/> until a row shows <paramref name="text"/> (entries arrive through the broker).</summary>
    private static async Task<ILocator> AuditRowAsync(IPage page, string query, string text)
    {
        var deadline = DateTimeOffset.UtcNow + AuditWait;
        var row = page.Locator("[data-testid=audit] tbody tr", new PageLocatorOptions { HasText = text });
        while (true)
        {
            await page.GotoAsync("/admin/audit?" + query);
            await PortalBrowser.WaitForInteractiveAsync(page);
            try
            {
                await row.First.WaitForAsync(new LocatorWaitForOptions { Timeout = 5_000 });
                return row;
            }
            catch (TimeoutException) when (DateTimeOffset.UtcNow < deadline)
            {
                // Not recorded yet: read the log again.
            }
        }
    }

    [Fact]
    public async Task AnAdminCreatesAKeySeesItsSecretOnceUsesRotatesAndRevokesItAndTheAuditLogExportsIt()
    {
        var admin = "ada-" + Unique();
        var name = "e2e-ingest-" + Unique();
        var page = await browser.SignInAsync(system.Portal, "Admin", admin, "/admin");

        // The index offers every admin page; the keys page creates a key with ingest:aws.
        await Expect(page.Locator(".card h2")).ToHaveCountAsync(4);
        await page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "API keys" }).First.ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith("/admin/keys", StringComparison.Ordinal));
        await page.GetByLabel("Name", new PageGetByLabelOptions { Exact = true }).FillAsync(name);
        await page.Locator("input[type=checkbox][value='ingest:aws']").CheckAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Create key" }).ClickAsync();

        var dialog = page.Locator("[data-testid=secret-dialog]");
        await Expect(dialog).ToContainTextAsync("You will not see it again");
        var secret = await dialog.Locator("[data-testid=secret]").InputValueAsync();
        Assert.False(string.IsNullOrWhiteSpace(secret));
        await dialog.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "I have stored it" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        var row = page.Locator($"tr[data-key='{name}']");
        await Expect(row).ToContainTextAsync("ingest:aws");
        await Expect(row).ToContainTextAsync("Active");
        await PortalBrowser.CheckThemesAsync(page, "admin-keys");

        Assert.Equal(HttpStatusCode.Accepted, await IngestWithAsync(secret));

        // Rotate with no grace period: the new secret works, the old one no longer does.
        await row.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = $"Rotate {name}" }).ClickAsync();
        var rotate = page.Locator("[data-testid=rotate-dialog]");
        await rotate.Locator("input[type=number]").FillAsync("0");
        await rotate.Locator("input[type=number]").PressAsync("Tab");
        await rotate.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Rotate", Exact = true }).ClickAsync();
        await Expect(dialog).ToContainTextAsync("You will not see it again");
        var rotated = await dialog.Locator("[data-testid=secret]").InputValueAsync();
        Assert.NotEqual(secret, rotated);
        await dialog.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "I have stored it" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToContainTextAsync("the previous secret no longer works");
        Assert.Equal(HttpStatusCode.Accepted, await IngestWithAsync(rotated));
        Assert.Equal(HttpStatusCode.Unauthorized, await IngestWithAsync(secret));

        // Revoke, confirmed: neither secret works.
        await row.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = $"Revoke {name}" }).ClickAsync();
        await page.Locator("[data-testid=revoke-dialog]").GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = $"Revoke {name}" }).ClickAsync();
        await Expect(row).ToContainTextAsync("Revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, await IngestWithAsync(rotated));

        // A second key with the same name is refused by the server, said plainly.
        await page.GetByLabel("Name", new PageGetByLabelOptions { Exact = true }).FillAsync(name);
        await page.Locator("input[type=checkbox][value='activity:read']").CheckAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Create key" }).ClickAsync();
        await Expect(page.Locator(".problem")).ToContainTextAsync("Key name taken");

        // The audit log, filtered by this person, holds the creation, the rotation and the revocation.
        var created = await AuditRowAsync(page, $"actor={admin}&action=POST%20/api/admin/keys", "POST /api/admin/keys");
        await Expect(created.Filter(new LocatorFilterOptions { HasText = "ok 201" })).ToHaveCountAsync(1);
        await Expect(created.Filter(new LocatorFilterOptions { HasText = "failed 409" })).ToHaveCountAsync(1);
        await AuditRowAsync(page, $"actor={admin}", $"POST /api/admin/keys/{name}/revoke");
        await Expect(page.Locator("[data-testid=audit] tbody tr", new PageLocatorOptions { HasText = $"/api/admin/keys/{name}/rotate" })).ToHaveCountAsync(1);
        await PortalBrowser.CheckThemesAsync(page, "admin-audit");

        // Its CSV export, streamed through the portal, holds the same entries and nobody else's.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=export-csv]").ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!, Token);
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.StartsWith("id,at,actor,actorKind,action,", lines[0], StringComparison.Ordinal);
        Assert.True(lines.Length >= 5, csv);
        Assert.All(lines.Skip(1), line => Assert.Contains($",{admin},user,", line, StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains($"POST /api/admin/keys/{name}/rotate", StringComparison.Ordinal));
        Assert.DoesNotContain(secret, csv, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnAdminUploadsAChangedBaselineSeesHistoryGrowAndTheDiffAndIsToldWhatIsWrongWithAnInvalidOne()
    {
        var admin = "ada-" + Unique();
        var newOwner = $"e2e-{Unique()}@example.com";
        var page = await browser.SignInAsync(system.Portal, "Admin", admin, "/admin/baseline");

        // The current version, readably: the organisation tree with its accounts, the SCPs, Azure, and the raw text.
        await Expect(page.Locator("[data-testid=current-version]")).ToContainTextAsync("Version");
        await Expect(page.Locator("li[data-node='ou-ab12-sec00001'] li[data-node='333344445555']")).ToContainTextAsync("audit");
        await Expect(page.Locator("[data-testid=raw-yaml]")).ToContainTextAsync("333344445555");
        await Expect(page.GetByText("Service control policies")).ToBeVisibleAsync();
        await Expect(page.GetByText("Policy assignments")).ToBeVisibleAsync();
        await PortalBrowser.CheckThemesAsync(page, "admin-baseline");

        // Upload the current document with the audit account's owner changed.
        await page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Upload a new version" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Start from the current version" }).ClickAsync();
        var text = page.Locator("[data-testid=baseline-text]");
        await Expect(text).ToHaveValueAsync(new Regex("333344445555"));
        var yaml = await text.InputValueAsync();
        var owner = AuditAccountOwner().Match(yaml);
        Assert.True(owner.Success, "the audit account has an owner in the current baseline");
        await text.FillAsync(AuditAccountOwner().Replace(yaml, m => m.Groups[1].Value + newOwner, 1));
        await page.GetByLabel("Reason (recorded with the version and in the audit log)").FillAsync("e2e: new owner of the audit account");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Put in place" }).ClickAsync();
        var outcome = page.Locator("[data-testid=upload-outcome]");
        await Expect(outcome).ToContainTextAsync("is in place, with 1 change(s)");
        await Expect(outcome.Locator("[data-testid=changes]")).ToContainTextAsync("333344445555");
        var version = int.Parse(Regex.Match(await outcome.Locator("h2").InnerTextAsync(), @"Version (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        // The diff with the version before shows the owner line removed and added.
        await outcome.GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = $"See the diff with version {version - 1}" }).ClickAsync();
        await Expect(page.Locator("[data-testid=diff-title]")).ToContainTextAsync($"→ version {version}");
        await Expect(page.Locator("[data-file='baseline.yaml'] tr.removed")).ToContainTextAsync($"owner: {owner.Groups[2].Value}");
        await Expect(page.Locator("[data-file='baseline.yaml'] tr.added")).ToContainTextAsync($"owner: {newOwner}");
        await Expect(page.Locator("[data-testid=changes]")).ToContainTextAsync(newOwner);
        await PortalBrowser.CheckThemesAsync(page, "admin-baseline-diff");

        // The history has grown by this version, with its reason.
        await page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "History" }).ClickAsync();
        await Expect(page.Locator($"tr[data-version='{version}']")).ToContainTextAsync("e2e: new owner of the audit account");

        // An invalid baseline is refused, naming the field and what is wrong with it; nothing changes.
        await page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Upload a new version" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Start from the current version" }).ClickAsync();
        await Expect(text).ToHaveValueAsync(new Regex(Regex.Escape(newOwner)));
        await text.FillAsync(AuditAccountOu().Replace(await text.InputValueAsync(), m => m.Groups[1].Value + "ou-missing-e2e", 1));
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Put in place" }).ClickAsync();
        var problem = page.Locator(".problem");
        await Expect(problem).ToContainTextAsync("The baseline is not valid");
        await Expect(problem).ToContainTextAsync("ou-missing-e2e is neither the root nor an OU of this baseline");
        await Expect(problem.Locator("li code").First).ToContainTextAsync(".ou");

        // The audit log shows both uploads by this person, the refused one as failed.
        var uploads = await AuditRowAsync(page, $"actor={admin}&action=PUT%20/api/governance/baseline", "PUT /api/governance/baseline");
        await Expect(uploads.Filter(new LocatorFilterOptions { HasText = "ok 200" })).ToHaveCountAsync(1);
        await Expect(uploads.Filter(new LocatorFilterOptions { HasText = "failed 400" })).ToHaveCountAsync(1);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TheMessagesPageListsTheErrorQueuesOrSaysThereAreNone()
    {
        var page = await browser.SignInAsync(system.Portal, "Admin", "ada-" + Unique(), "/admin/messages");

        var queues = page.Locator("[data-testid=queues], [data-testid=no-queues]");
        await Expect(queues).ToHaveCountAsync(1);
        await Expect(page.Locator(".problem")).ToHaveCountAsync(0);
        await PortalBrowser.CheckThemesAsync(page, "admin-messages");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AViewerIsNotOfferedAdminAndVisitingItSaysNotAllowedWithoutData()
    {
        var page = await browser.SignInAsync(system.Portal, "Viewer", "vera-" + Unique(), "/activity");
        await Expect(page.Locator("nav.side-nav")).ToContainTextAsync("Activity");
        await Expect(page.Locator("nav.side-nav a[href='/admin']")).ToHaveCountAsync(0);

        foreach (var path in new[] { "/admin", "/admin/keys", "/admin/audit", "/admin/messages" })
        {
            await page.GotoAsync(path);
            await PortalBrowser.WaitForInteractiveAsync(page);
            await Expect(page.Locator("[data-testid=not-allowed]")).ToContainTextAsync("Not allowed");
            await Expect(page.Locator("main table, main form, main a[download]")).ToHaveCountAsync(0);
        }
        await page.Context.CloseAsync();
    }

    [GeneratedRegex("""(id: "333344445555"\n(?:[ ]+\w+: .*\n)*?[ ]+owner: )(\S+)""")]
    private static partial Regex AuditAccountOwner();

    [GeneratedRegex("""(id: "333344445555"\n(?:[ ]+\w+: .*\n)*?[ ]+ou: )(\S+)""")]
    private static partial Regex AuditAccountOu();
}
