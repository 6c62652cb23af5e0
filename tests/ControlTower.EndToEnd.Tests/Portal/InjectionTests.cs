using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlTower.Testing;
using Microsoft.Playwright;

namespace ControlTower.EndToEnd.Tests.Portal;

/// <summary>
/// Markup and SQL sent in as data and typed into the free-text filters are harmless: the portal shows them as text and
/// runs none of them (checked in Chromium), and a filter's SQL neither widens the answer nor touches the store.
/// </summary>
[Collection(PortalBrowser.Collection)]
public sealed class InjectionTests(SystemFixture system, PortalBrowser browser)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private const string ScriptTag = "<script>window.__ctInjected='script'</script>";
    private const string ImageTag = "<img src=x onerror=\"window.__ctInjected='img'\">";
    private const string Sql = "x' OR '1'='1'; DROP TABLE activities; --";

    private Task<HttpResponseMessage> ReadAsync(string path) => system.ReadAsync(path, Token);

    [Fact]
    public async Task MarkupInEventsAndFiltersIsShownAsTextAndNeverRuns()
    {
        var account = Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(CultureInfo.InvariantCulture);
        var eventId = Guid.NewGuid().ToString();
        var record = CloudTrailFiles.Record(eventId, account: account, eventName: "CreateUser" + ImageTag,
            time: DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        record["userIdentity"]!["arn"] = $"arn:aws:iam::{account}:user/{ScriptTag}";
        record["userIdentity"]!["userName"] = ScriptTag;
        record["userAgent"] = ImageTag;
        using (var ingest = new HttpRequestMessage(HttpMethod.Post, "/ingest/aws/cloudtrail")
        {
            Content = new StringContent(CloudTrailFiles.File(record), new MediaTypeHeaderValue("application/json")),
        })
        {
            ingest.Headers.Add("X-Api-Key", system.IngestKey);
            using var accepted = await system.Gateway.SendAsync(ingest, Token);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        var page = await browser.SignInAsync(system.Portal, "Viewer", "vera", $"/activity?account={account}");
        var row = page.Locator($"tr[data-event-id='{eventId}']");
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        // The markup is there as text, and nothing it would have made exists or ran.
        Assert.Contains("<img src=x", await row.InnerTextAsync(), StringComparison.Ordinal);
        await row.ClickAsync();
        await page.GetByText(ScriptTag).First.WaitForAsync();
        // The same markup typed into the free-text search, and SQL into another filter, through the URL the portal reads.
        await page.GotoAsync($"/activity?account={account}&q={Uri.EscapeDataString(ImageTag)}");
        await page.Locator("h1").First.WaitForAsync();
        await page.GotoAsync($"/signals?q={Uri.EscapeDataString(ScriptTag)}&account={Uri.EscapeDataString(Sql)}");
        await page.Locator("h1").First.WaitForAsync();

        Assert.Null(await page.EvaluateAsync<string?>("() => window.__ctInjected ?? null"));
        Assert.Equal(0, await page.Locator("img[src='x']").CountAsync());
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData("/api/activity?q={0}")]
    [InlineData("/api/activity?actor={0}")]
    [InlineData("/api/activity?account={0}")]
    [InlineData("/api/signals?q={0}")]
    [InlineData("/api/signals?owner={0}")]
    [InlineData("/api/governance/findings?status={0}")]
    [InlineData("/api/governance/findings?kind={0}")]
    public async Task SqlInAFilterMatchesNothingAndTouchesNothing(string route)
    {
        using var before = await ReadAsync("/api/activity?limit=1");
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        using var injected = await ReadAsync(string.Format(CultureInfo.InvariantCulture, route, Uri.EscapeDataString(Sql)));
        var text = await injected.Content.ReadAsStringAsync(Token);

        // Either the filter is refused as malformed (a 400 problem) or it matches what it literally says: nothing.
        Assert.True(injected.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{route}: {(int)injected.StatusCode} {text}");
        if (injected.StatusCode == HttpStatusCode.OK)
        {
            var root = JsonDocument.Parse(text).RootElement;
            var items = root.ValueKind == JsonValueKind.Array ? root : root.GetProperty("items");
            Assert.Equal(0, items.GetArrayLength());
        }
        using var after = await ReadAsync("/api/activity?limit=1");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(await before.Content.ReadFromJsonAsync<JsonObject>(Token) is { } b ? b["items"]!.AsArray().Count : -1,
            await after.Content.ReadFromJsonAsync<JsonObject>(Token) is { } a ? a["items"]!.AsArray().Count : -2);
    }
    /// <summary>
    /// Every portal page with a fixed route and the text filters it reads from its URL, found in the portal's source
    /// (<c>@page</c> and <c>[SupplyParameterFromQuery]</c> string properties), so a filter added later is covered too.
    /// </summary>
    public static TheoryData<string, string> PagesAndTheirTextFilters()
    {
        var pages = Path.Combine(Repository.Root, "web", "Components", "Pages");
        var data = new TheoryData<string, string>();
        foreach (var razor in Directory.EnumerateFiles(pages, "*.razor", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var routes = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(razor), "^@page \"(/[^\"{]*)\"\\s*$",
                System.Text.RegularExpressions.RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
            var code = razor + ".cs";
            if (routes.Count == 0 || !File.Exists(code))
            {
                continue;
            }
            var filters = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(code),
                    "\\[SupplyParameterFromQuery(?:\\(Name = \"(?<name>[^\"]+)\"\\))?\\]\\s*public string\\?? (?<property>\\w+)")
                .Select(m => m.Groups["name"].Success ? m.Groups["name"].Value : m.Groups["property"].Value.ToLowerInvariant())
                .ToList();
            foreach (var route in routes.Where(r => r != "/signin" && r != "/error" && r != "/not-found"))
            {
                if (filters.Count > 0)
                {
                    data.Add(route, string.Join(',', filters));
                }
            }
        }
        return data;
    }

    [Fact]
    public void TheDiscoveryFindsThePagesWithFilters()
    {
        var found = PagesAndTheirTextFilters().Select(row => row.Data.Item1).ToList();
        Assert.Contains("/activity", found);
        Assert.Contains("/signals", found);
        Assert.Contains("/admin/audit", found);
        Assert.Contains("/landing-zone/findings", found);
        Assert.Contains("/releases", found);
        Assert.Contains("/policy-simulator", found);
    }

    [Theory]
    [MemberData(nameof(PagesAndTheirTextFilters))]
    public async Task MarkupInEveryTextFilterOfEveryPageIsShownAsTextAndNeverRuns(string route, string filters)
    {
        // The filters take the script, the image and the SQL in turn; an Admin sees every page.
        var payloads = new[] { ScriptTag, ImageTag, Sql };
        var query = string.Join('&', filters.Split(',').Select((filter, i) => $"{filter}={Uri.EscapeDataString(payloads[i % payloads.Length])}"));
        var page = await browser.SignInAsync(system.Portal, "Admin", "ines", $"{route}?{query}");
        await page.Locator("h1").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });

        Assert.Null(await page.EvaluateAsync<string?>("() => window.__ctInjected ?? null"));
        Assert.Equal(0, await page.Locator("img[src='x']").CountAsync());
        Assert.NotEqual("Something went wrong", await page.Locator("h1").First.InnerTextAsync());
        await page.Context.CloseAsync();
    }
}
