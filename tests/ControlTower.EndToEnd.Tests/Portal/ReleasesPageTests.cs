using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace ControlTower.EndToEnd.Tests.Portal;

/// <summary>
/// The headline release flow in a real browser: a pipeline's failing smoke report blocks a release; a Viewer reads why
/// on the board and the release page; an Approver grants a waiver, and the pipeline's next verdict appears live.
/// </summary>
[Collection(PortalBrowser.Collection)]
public sealed class ReleasesPageTests(SystemFixture system, PortalBrowser browser)
{
    private const string Commit = "5eed5eed5eed5eed5eed";

    private const string FailingJUnit = """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuite name="api-smoke">
          <testcase classname="health" name="ready"/>
          <testcase classname="checkout" name="pays with a saved card"><failure message="expected 201, got 502 from the card vault">at checkout.spec:41</failure></testcase>
        </testsuite>
        """;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<JsonElement> PipelineAsync(HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-Api-Key", system.PipelineKey);
        using var response = await system.Gateway.SendAsync(request, Token);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Token)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Token);
    }

    [Fact]
    public async Task AReleaseIsBlockedAViewerReadsWhyAndAnApproversWaiverShowsInTheNextVerdictLive()
    {
        var service = "checkout-" + Guid.NewGuid().ToString("N")[..8];
        var release = (await PipelineAsync(HttpMethod.Post, "/api/releases", JsonContent.Create(new
        {
            service, environment = "prod", version = "3.1.0", commit = Commit, artifactDigests = new[] { "sha256:" + new string('c', 64) },
            committedAt = DateTimeOffset.UtcNow.AddHours(-3),
        }))).GetProperty("id").GetGuid();
        var report = new ByteArrayContent(Encoding.UTF8.GetBytes(FailingJUnit));
        report.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        await PipelineAsync(HttpMethod.Post, $"/api/releases/{release}/smoke", report);
        var first = await PipelineAsync(HttpMethod.Post, $"/api/releases/{release}/evaluations");
        Assert.Equal("Fail", first.GetProperty("decision").GetString());

        // A Viewer: the board shows the release blocked, with its evidence age and truth status.
        var viewer = await browser.SignInAsync(system.Portal, "Viewer", "vera", $"/releases?service={service}");
        var cell = viewer.Locator($"td.cell[data-service='{service}'][data-environment='prod']");
        await Assertions.Expect(cell.Locator("[data-testid=verdict]")).ToHaveTextAsync("Blocked", new() { Timeout = 30_000 });
        Assert.Matches(@"Evidence: \d+ (s|min) old", await cell.InnerTextAsync());
        Assert.Contains("Truth: Fail", await cell.InnerTextAsync());
        Assert.Equal("Releases · Control Tower", await viewer.TitleAsync());
        await PortalBrowser.CheckThemesAsync(viewer, "releases");

        await cell.Locator("a[data-testid=cell-link]").ClickAsync();
        await viewer.WaitForURLAsync($"**/releases/{release}");
        var passRate = viewer.Locator("[data-testid=rules] tr[data-rule='smoke-pass-rate']");
        await passRate.WaitForAsync();
        Assert.Equal("Fail", await passRate.Locator("[data-testid=rule-status]").InnerTextAsync());
        var observed = await passRate.Locator("[data-testid=observed]").InnerTextAsync();
        Assert.Contains("passRate", observed);
        Assert.Contains("0.5", observed);
        Assert.Contains("0.98", await passRate.Locator("[data-testid=expected]").InnerTextAsync());
        Assert.Contains("below the minimum 0.98", await passRate.InnerTextAsync());
        var failure = viewer.Locator("[data-testid=failures] tbody tr");
        Assert.Contains("pays with a saved card", await failure.InnerTextAsync());
        Assert.Contains("expected 201, got 502 from the card vault", await failure.InnerTextAsync());
        Assert.Equal(0, await viewer.Locator("[data-testid=waiver-form]").CountAsync());
        Assert.Equal(0, await viewer.GetByRole(AriaRole.Button, new() { Name = "Evaluate now" }).CountAsync());
        await PortalBrowser.CheckThemesAsync(viewer, "release");
        await viewer.Context.CloseAsync();

        // An Approver grants a waiver for the failing rule; it is listed at once.
        var approver = await browser.SignInAsync(system.Portal, "Approver", "amir", $"/releases/{release}");
        var waiverForm = approver.Locator("[data-testid=waiver-form]");
        await waiverForm.GetByLabel("Rule or kind").SelectOptionAsync("id:smoke-pass-rate");
        await waiverForm.GetByLabel("Reason").FillAsync("The card vault sandbox is down; checkout was verified by hand.");
        await waiverForm.GetByLabel("Requested by").FillAsync("rita");
        await waiverForm.GetByLabel("Expires (UTC)").FillAsync(DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await waiverForm.GetByRole(AriaRole.Button, new() { Name = "Grant waiver" }).ClickAsync();
        await Assertions.Expect(approver.Locator("[data-testid=waiver-status]")).ToHaveTextAsync("Waiver granted.");
        var waiver = approver.Locator("[data-testid=waivers] tbody tr");
        Assert.Contains("The card vault sandbox is down", await waiver.InnerTextAsync());
        Assert.Contains("amir", await waiver.InnerTextAsync());
        Assert.Contains("next evaluation considers it", await waiver.InnerTextAsync());

        // The pipeline asks again; the page shows the new verdict without a reload, with the rule waived.
        var second = await PipelineAsync(HttpMethod.Post, $"/api/releases/{release}/evaluations");
        var secondId = second.GetProperty("id").GetGuid();
        await approver.Locator($"[data-testid=verdict][data-verdict-id='{secondId}']").WaitForAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(approver.Locator("[data-testid=rules] tr[data-rule='smoke-pass-rate'] [data-testid=rule-status]")).ToHaveTextAsync("Waived (Fail)");
        Assert.StartsWith("Applied", await waiver.Locator("td").Last.InnerTextAsync());
        Assert.Equal(2, await approver.Locator("[data-testid=history] tbody tr").CountAsync());

        await approver.Locator("[data-testid=replay]").ClickAsync();
        await Assertions.Expect(approver.Locator("[data-testid=replay-result]")).ToContainTextAsync("Replay matches");
        await approver.Context.CloseAsync();
    }
}
