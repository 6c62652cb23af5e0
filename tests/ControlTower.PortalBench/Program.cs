using System.Diagnostics;
using System.Globalization;
using ControlTower.EndToEnd.Tests.Portal;
using Microsoft.Playwright;

// Times each portal page's first render in a real headless Chromium against a running system (e.g. `./ct up` with
// millions of activities stored): from the start of the navigation until the page shows its data, signed in as the
// given role through the Development sign-in. Prints p50, p95 and max per page.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

const string Usage = """
    usage: ControlTower.PortalBench --portal http://localhost:5000 [--role Admin] [--iterations 20] [--pages /,/activity,...]
    A page is ready when the circuit is up and nothing in <main> says "Loading" any more; a page that shows a
    problem instead of its data counts as a failure.
    """;

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i]] = args[i + 1];
}
if (!options.TryGetValue("--portal", out var portal))
{
    Console.Error.WriteLine(Usage);
    return 2;
}
var role = options.GetValueOrDefault("--role", "Admin");
var iterations = int.Parse(options.GetValueOrDefault("--iterations", "20"), CultureInfo.InvariantCulture);
var pages = options.GetValueOrDefault("--pages",
    "/,/activity,/activity?q=arn:aws:iam,/signals,/landing-zone,/landing-zone/findings,/policy-simulator,/releases,/admin/audit").Split(',');

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = Browser.Path(),
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});
var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal });
context.SetDefaultTimeout(30_000);
var page = await context.NewPageAsync();
await page.GotoAsync("/signin");
await page.GetByLabel("Name").FillAsync("bench");
await page.Locator($"button[name=role][value={role}]").ClickAsync();
await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
Console.WriteLine($"portal bench: {portal}, signed in as {role}, {iterations} loads per page (plus one warm-up)");
Console.WriteLine($"{"page",-34} {"p50 ms",8} {"p95 ms",8} {"max ms",8} {"html ms",8} failures");

var worst = 0.0;
foreach (var path in pages)
{
    var times = new List<double>();
    var html = new List<double>();
    var failures = 0;
    for (var i = 0; i <= iterations; i++)
    {
        var clock = Stopwatch.StartNew();
        await page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
        await page.Locator("body[data-interactive='true']").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await page.WaitForFunctionAsync("() => document.querySelector('main h1') && !document.querySelector('main').innerText.includes('Loading')");
        var elapsed = clock.Elapsed.TotalMilliseconds;
        var documentMs = await page.EvaluateAsync<double>("() => performance.getEntriesByType('navigation')[0].responseEnd");
        if (await page.Locator("main .problem").CountAsync() > 0)
        {
            failures++;
            Console.WriteLine($"  {path}: {await page.Locator("main .problem").First.InnerTextAsync()}");
        }
        if (i > 0)
        {
            times.Add(elapsed);
            html.Add(documentMs);
        }
    }
    times.Sort();
    html.Sort();
    worst = Math.Max(worst, Percentile(times, 0.95));
    Console.WriteLine($"{path,-34} {Percentile(times, 0.5),8:F0} {Percentile(times, 0.95),8:F0} {times[^1],8:F0} {Percentile(html, 0.5),8:F0} {failures}");
}
Console.WriteLine($"portal bench: worst p95 {worst:F0} ms (aim: under 1000 ms)");
return 0;

static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

