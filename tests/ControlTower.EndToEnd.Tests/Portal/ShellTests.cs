using System.Net;
using Microsoft.Playwright;

namespace ControlTower.EndToEnd.Tests.Portal;

/// <summary>
/// What every page shares: signing in (the OIDC provider's code flow, and the Development sign-in), signing out, the
/// menu by role, keyboard shortcuts, the theme and the time zone, all in a real headless Chromium.
/// </summary>
[Collection(PortalBrowser.Collection)]
public sealed class ShellTests(SystemFixture system, PortalBrowser browser)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AStrangerIsSentToSignInAndComesBackToThePageAsked()
    {
        var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = system.Portal.ToString() });
        var page = await context.NewPageAsync();

        await page.GotoAsync("/activity?provider=aws");

        Assert.Equal("/signin", new Uri(page.Url).AbsolutePath);
        Assert.Contains("returnUrl=%2Factivity%3Fprovider%3Daws", page.Url);
        Assert.Equal("Sign in · Control Tower", await page.TitleAsync());
        await PortalBrowser.CheckThemesAsync(page, "signin");

        await page.GetByLabel("Name").FillAsync("stella");
        await page.Locator("button[name=role][value=Viewer]").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).PathAndQuery == "/activity?provider=aws", new() { WaitUntil = WaitUntilState.Commit, Timeout = 90_000 });
        await PortalBrowser.WaitForInteractiveAsync(page);
        Assert.Equal("stella · Viewer", await page.GetByTestId("who").InnerTextAsync());
        await context.CloseAsync();
    }

    [Fact]
    public async Task APersonSignsInThroughTheIdentityProviderAndTheGatewayGrantsTheirRolesScopes()
    {
        system.Identity.NextSignIn = ("olivia@example.com", ["Operator"]);
        var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = system.Portal.ToString() });
        var page = await context.NewPageAsync();

        await page.GotoAsync("/signin?returnUrl=%2Factivity");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with your organisation" }).ClickAsync();

        // Provider's /authorize → portal callback → the gateway checks the access token at /api/me → the page asked for.
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/activity", new() { WaitUntil = WaitUntilState.Commit, Timeout = 90_000 });
        await PortalBrowser.WaitForInteractiveAsync(page);
        Assert.Equal("olivia@example.com · Operator", await page.GetByTestId("who").InnerTextAsync());
        Assert.Equal(0, await page.Locator(".dev-badge").CountAsync());
        // The activity page read through the gateway with the person's token (a refusal would show a problem instead).
        await page.GetByRole(AriaRole.Heading, new() { Name = "Activity", Level = 1 }).WaitForAsync();
        Assert.Equal(0, await page.Locator(".problem").CountAsync());
        await context.CloseAsync();
    }

    [Fact]
    public async Task TheMenuOffersAdminOnlyToAdmins()
    {
        var viewer = await browser.SignInAsync(system.Portal, "Viewer", "vic", "/activity");
        var menu = viewer.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        Assert.Equal(1, await menu.GetByRole(AriaRole.Link, new() { Name = "Releases" }).CountAsync());
        Assert.Equal(0, await menu.GetByRole(AriaRole.Link, new() { Name = "Admin" }).CountAsync());
        Assert.Equal(1, await viewer.Locator(".dev-badge").CountAsync());
        await viewer.Context.CloseAsync();

        var admin = await browser.SignInAsync(system.Portal, "Admin", "ada", "/activity");
        Assert.Equal(1, await admin.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Admin" }).CountAsync());
        await admin.Context.CloseAsync();
    }

    [Fact]
    public async Task KeyboardShortcutsListThemselvesAndNavigate()
    {
        var page = await browser.SignInAsync(system.Portal, "Viewer", "kim", "/activity");
        await page.Locator("main h1").WaitForAsync();

        await page.Keyboard.PressAsync("?");
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Keyboard shortcuts" });
        await dialog.WaitForAsync();
        Assert.Contains("Go to Releases", await dialog.InnerTextAsync());
        await page.Keyboard.PressAsync("Escape");
        await dialog.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Hidden });

        await page.Keyboard.PressAsync("g");
        await page.Keyboard.PressAsync("r");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/releases");

        // Shortcuts stay out of the way while typing.
        await page.GotoAsync("/signin");
        await page.GetByLabel("Name").FocusAsync();
        await page.Keyboard.PressAsync("?");
        Assert.Equal(0, await page.GetByRole(AriaRole.Dialog).CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TheThemeChoiceIsKeptAcrossVisits()
    {
        var page = await browser.SignInAsync(system.Portal, "Viewer", "theo", "/activity");
        var light = await BackgroundAsync(page);

        await page.GetByTestId("theme").SelectOptionAsync("Dark");
        await page.WaitForFunctionAsync($"() => getComputedStyle(document.body).backgroundColor !== '{light}'");
        var dark = await BackgroundAsync(page);

        await page.ReloadAsync();
        await PortalBrowser.WaitForInteractiveAsync(page);
        await page.WaitForFunctionAsync($"() => getComputedStyle(document.body).backgroundColor === '{dark}'");
        Assert.Equal("Dark", await page.GetByTestId("theme").InputValueAsync());
        Assert.True(Luminance(dark) < Luminance(light), $"dark {dark} is not darker than light {light}");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TimesSwitchBetweenUtcAndTheBrowsersZone()
    {
        var page = await browser.SignInAsync(system.Portal, "Viewer", "tz", "/activity");
        var toggle = page.GetByTestId("timezone");
        Assert.Equal("Times: UTC", (await toggle.InnerTextAsync()).Trim());

        await page.Keyboard.PressAsync("t");
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=timezone]').textContent.includes('Europe/Berlin')");
        Assert.Equal("true", await toggle.GetAttributeAsync("aria-pressed"));

        await page.ReloadAsync();
        await PortalBrowser.WaitForInteractiveAsync(page);
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=timezone]').textContent.includes('Europe/Berlin')");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SigningOutEndsTheSession()
    {
        var page = await browser.SignInAsync(system.Portal, "Operator", "otto", "/activity");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/signin");
        await page.GetByText("You are signed out.").WaitForAsync();

        await page.GotoAsync("/activity");
        Assert.Equal("/signin", new Uri(page.Url).AbsolutePath);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task PagesAndTheSignInFormAreNeverFramedSniffedOrLeakedToOtherSites()
    {
        var page = await browser.SignInAsync(system.Portal, "Viewer", "vera", "/signals");
        var signedIn = await page.ReloadAsync();
        using var client = new HttpClient { BaseAddress = system.Portal };
        using var signIn = await client.GetAsync("/signin", Token);

        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        foreach (var headers in new[]
        {
            await signedIn!.AllHeadersAsync(),
            signIn.Headers.Concat(signIn.Content.Headers).ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(", ", h.Value)),
        })
        {
            Assert.Equal("nosniff", headers.GetValueOrDefault("x-content-type-options"));
            Assert.Equal("DENY", headers.GetValueOrDefault("x-frame-options"));
            Assert.Equal("frame-ancestors 'none'; base-uri 'self'; object-src 'none'", headers.GetValueOrDefault("content-security-policy"));
            Assert.Equal("same-origin", headers.GetValueOrDefault("referrer-policy"));
            Assert.Equal("same-origin", headers.GetValueOrDefault("cross-origin-opener-policy"));
        }
        // And the page still works under them: live, interactive, nothing refused by the browser.
        await page.Locator("h1").First.WaitForAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ASignInFormPostedFromElsewhereIsRefused()
    {
        using var client = new HttpClient { BaseAddress = system.Portal };
        using var forged = await client.PostAsync("/account/dev-signin",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["role"] = "Admin", ["name"] = "mallory" }), Token);

        // No antiforgery token: the form was not the portal's own, so no session is made.
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.False(forged.Headers.Contains("Set-Cookie") && forged.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith(".ControlTower.Portal", StringComparison.Ordinal)));
    }

    private static Task<string> BackgroundAsync(IPage page) => page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");

    private static double Luminance(string rgb)
    {
        var parts = rgb[(rgb.IndexOf('(') + 1)..rgb.IndexOf(')')].Split(',').Select(p => double.Parse(p.Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return 0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2];
    }
}
