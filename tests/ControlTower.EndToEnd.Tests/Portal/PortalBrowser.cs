using ControlTower.Testing;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace ControlTower.EndToEnd.Tests.Portal;

/// <summary>
/// One headless Chromium for every browser test of the assembly (Debian's, see <see cref="Browser"/>), and what those
/// tests do on every page: sign in through the portal's real sign-in page, check accessibility with axe-core, save
/// screenshots in light and dark theme under <c>artifacts/screenshots/</c>.
/// </summary>
public sealed class PortalBrowser : IAsyncLifetime
{
    /// <summary>
    /// The browser tests run one at a time (beside the assembly's other tests): pages of several of them at once on two
    /// cores, with the whole system behind them, could take longer to come alive than any sensible wait.
    /// </summary>
    public const string Collection = "Portal in a browser";

    private IPlaywright playwright = null!;

    public IBrowser Chromium { get; private set; } = null!;

    public static string ScreenshotFolder { get; } = Path.Combine(Repository.Root, "artifacts", "screenshots");

    public async ValueTask InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        Chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Browser.Path(),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Chromium.DisposeAsync();
        playwright.Dispose();
    }

    /// <summary>
    /// A new browser context signed in through the portal's Development sign-in page as <paramref name="role"/>, on
    /// <paramref name="path"/>. Light colour scheme, a desktop-sized window, and a generous default wait, since the
    /// system under test shares two cores with the test.
    /// </summary>
    public async Task<IPage> SignInAsync(Uri portal, string role, string name, string path = "/")
    {
        var context = await Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = portal.ToString(),
            ColorScheme = ColorScheme.Light,
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            TimezoneId = "Europe/Berlin",
        });
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin?returnUrl=" + Uri.EscapeDataString(path));
        await page.GetByLabel("Name").FillAsync(name);
        await page.Locator($"button[name=role][value={role}]").ClickAsync();
        // The page's own readiness is WaitForInteractiveAsync's to judge; here only that the browser went there.
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == path.Split('?')[0],
            new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit, Timeout = 90_000 });
        await WaitForInteractiveAsync(page);
        return page;
    }

    /// <summary>
    /// Waits until the page's Blazor circuit is up (the layout marks itself once its script ran). Generous: while the
    /// assembly's ingestion tests load the system on two cores, a prerender can wait on a busy Operations.
    /// </summary>
    public static async Task WaitForInteractiveAsync(IPage page)
    {
        try
        {
            await page.Locator("body[data-interactive='true']").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached, Timeout = 90_000 });
        }
        catch (TimeoutException)
        {
            // Say what the page showed instead: a screenshot beside the others, and its text in the failure.
            Directory.CreateDirectory(ScreenshotFolder);
            var name = "not-interactive-" + new Uri(page.Url).AbsolutePath.Trim('/').Replace('/', '-') + "-" + DateTime.UtcNow.ToString("HHmmss");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });
            var text = await page.EvaluateAsync<string>("() => document.body ? document.body.innerText.slice(0, 2000) : '(no body)'");
            throw new TimeoutException($"{page.Url} did not become interactive in 90 s; screenshot {name}.png; the page showed: {text}");
        }
    }

    /// <summary>Fails on any serious or critical axe-core violation, naming each with the elements it found.</summary>
    public static async Task AssertAccessibleAsync(IPage page, string what)
    {
        var result = await page.RunAxe();
        var serious = result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))}")
            .ToList();
        Assert.True(serious.Count == 0, $"Accessibility violations on {what}: " + string.Join("; ", serious));
    }

    /// <summary>
    /// Saves <c>{name}-light.png</c> and <c>{name}-dark.png</c>, checking accessibility in both themes (contrast differs),
    /// and leaves the page in the light theme. The theme follows the system's colour scheme, which the test emulates.
    /// </summary>
    public static async Task CheckThemesAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = scheme });
            // The theme script reacts to the change of scheme; give it a frame to repaint.
            await page.WaitForFunctionAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))");
            var suffix = scheme == ColorScheme.Dark ? "dark" : "light";
            await AssertAccessibleAsync(page, $"{name} ({suffix})");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"{name}-{suffix}.png"), FullPage = true });
        }
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });
    }
}
