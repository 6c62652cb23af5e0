using System.Net;
using System.Text;
using System.Text.Json;
using Bunit;
using ControlTower.Web.Components.Pages.LandingZone;
using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Web.Tests;

/// <summary>The gateway as the pages see it: canned answers by path and query, and every request remembered.</summary>
public sealed class FakeGateway : HttpMessageHandler
{
    private readonly Dictionary<string, (HttpStatusCode Status, string Body, string MediaType)> answers = new(StringComparer.Ordinal);

    public List<(HttpMethod Method, string PathAndQuery, string? Body)> Requests { get; } = [];

    public FakeGateway Answer(string pathAndQuery, object value) =>
        Answer(pathAndQuery, HttpStatusCode.OK, JsonSerializer.Serialize(value, GatewayClient.Json), "application/json");

    public FakeGateway Answer(string pathAndQuery, HttpStatusCode status, string body, string mediaType)
    {
        answers[pathAndQuery] = (status, body, mediaType);
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var pathAndQuery = request.RequestUri!.PathAndQuery;
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests)
        {
            Requests.Add((request.Method, pathAndQuery, body));
        }
        if (!answers.TryGetValue(pathAndQuery, out var answer) && !answers.TryGetValue(request.RequestUri.AbsolutePath, out answer))
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("""{"title":"Not faked"}""", Encoding.UTF8, "application/problem+json") };
        }
        return new HttpResponseMessage(answer.Status) { Content = new StringContent(answer.Body, Encoding.UTF8, answer.MediaType), RequestMessage = request };
    }
}

/// <summary>A small landing zone: payments-prod under Workloads › Prod, payments-dev under Workloads, a sandbox account, one Azure subscription.</summary>
public static class LandingZoneSamples
{
    public const string Root = "r-ab12";
    public const string Prod = "555566667777";
    public const string Dev = "666677778888";
    public const string Sandbox = "777788889999";
    public const string Subscription = "22222222-3333-4444-5555-666666666666";
    public static readonly DateTimeOffset Now = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);

    public const string RegionLock = """{"Version":"2012-10-17","Statement":[{"Sid":"RegionLock","Effect":"Deny","NotAction":["iam:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}""";
    public const string DenyLeave = """{"Version":"2012-10-17","Statement":[{"Sid":"DenyLeaveOrganization","Effect":"Deny","Action":["organizations:LeaveOrganization"],"Resource":"*"}]}""";

    public static BaselineDocument Baseline() => new(3, "sha", "deploy/landing-zone/baseline.yaml", Now,
        new LandingZoneBaseline(1,
            new AwsLandingZone("o-example", Root, "111122223333",
                [
                    new BaselineOu("ou-wkl", "Workloads", Root, 1, false, [], new BaselineOwnership(null, "payments", null)),
                    new BaselineOu("ou-prd", "Prod", "ou-wkl", 2, false, [], new BaselineOwnership(null, null, "prod")),
                    new BaselineOu("ou-sbx", "Sandbox", Root, 1, false, [], new BaselineOwnership(null, null, "sandbox")),
                ],
                [
                    new BaselineAccount("111122223333", "management", "management", Root),
                    new BaselineAccount(Prod, "payments-prod", "workload", "ou-prd", new BaselineOwnership("lead@example.com", null, null)),
                    new BaselineAccount(Dev, "payments-dev", "workload", "ou-wkl"),
                ],
                [
                    new BaselinePolicy("p-leave", "deny-leave", DenyLeave, [Root]),
                    new BaselinePolicy("p-regionlock", "region-lock", RegionLock, ["ou-wkl"]),
                ]),
            new AzureLandingZone("tenant-1",
                [new BaselineManagementGroup("alz", "Landing zones root", null, []), new BaselineManagementGroup("alz-corp", "Corp", "alz", [], new BaselineOwnership(null, "payments", "prod"))],
                [new BaselineSubscription(Subscription, "corp-payments", "alz-corp")],
                [new BaselinePolicyAssignment("deny-public-ip", "/providers/Microsoft.Management/managementGroups/alz-corp", "def", "deny")])));

    /// <summary>payments-dev was moved into Sandbox; an account the baseline does not know sits in Sandbox; region-lock was attached to Sandbox by hand.</summary>
    public static ObservedOrganization Organization() => new(
        [new ObservedAccount(Dev, "payments-dev", "ou-sbx", true), new ObservedAccount(Sandbox, "stray", "ou-sbx", true)],
        [],
        [new ObservedPolicy("p-regionlock", "region-lock", "SERVICE_CONTROL_POLICY", false, ["ou-wkl", "ou-sbx"], [])]);

    public static List<GovernanceFinding> Findings() =>
    [
        Finding("drift", "ACCOUNT_MOVED_BETWEEN_OUS", Dev, "medium", account: null),
        Finding("guardrail", "AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED", $"arn:aws:cloudtrail:eu-west-1:{Dev}:trail/t", "critical", account: Dev,
            suppressed: new SuppressedBy(Guid.NewGuid(), "known test trail", Now.AddDays(2))),
        Finding("guardrail", "GOV.S3.2", $"arn:aws:s3:::bucket-{Prod}", "high", account: Prod),
        Finding("drift", "SCP_DETACHED_FROM_OU", "p-leave@ou-sbx", "high", account: null, status: "resolved"),
    ];

    public static GovernanceFinding Finding(string kind, string type, string subject, string severity, string? account, string status = "open", SuppressedBy? suppressed = null) =>
        new(Guid.NewGuid(), kind, type, subject, status, severity, "as the baseline says", "observed otherwise", "repair it", null, account is null ? null : "aws", account, 1,
            Now.AddHours(-1), Now.AddMinutes(-5), status == "resolved" ? Now : null, suppressed);

    public static FakeGateway Gateway() => new FakeGateway()
        .Answer("/api/governance/baseline", Baseline())
        .Answer("/api/governance/organization", Organization())
        .Answer("/api/governance/azure", new ObservedAzure([], [new ObservedSubscription(Subscription, "corp-payments", "alz-corp", false)], []))
        .Answer("/api/governance/findings?status=open", Findings().Where(f => f.Open).ToList())
        .Answer("/api/governance/findings", Findings())
        .Answer("/api/governance/suppressions?state=active", new List<FindingSuppression>
        {
            new(Guid.NewGuid(), "AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED", $"arn:aws:cloudtrail:eu-west-1:{Dev}:trail/t", "known test trail", "ada@example.com",
                Now.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2).AddMinutes(5), null, null, true, 1),
        });
}

public sealed class LandingZonePageTests : PortalTestContext
{
    private readonly FakeGateway gateway = LandingZoneSamples.Gateway();

    public LandingZonePageTests()
    {
        Services.AddScoped(sp => new GatewayClient(new HttpClient(gateway) { BaseAddress = GatewayClient.BaseAddress }, sp.GetRequiredService<PortalUser>()));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        Scopes = ["governance:read", "activity:read", "releases:read"];
    }

    private static string Node(IRenderedComponent<LandingZonePage> page, string id) =>
        page.Find($"li[data-node='{id}'] > .node").TextContent;

    [Fact]
    public void EachAccountShowsItsFindingsAsTextLinksToItsPageAndSaysWhereItDiffersFromTheBaseline()
    {
        var page = Render<LandingZonePage>();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("li[data-node]")));
        // The badge says how many and how bad, in words; the suppressed one is counted apart.
        var dev = page.Find($"li[data-node='{LandingZoneSamples.Dev}']");
        Assert.Equal("1 open finding (medium), 1 suppressed", dev.QuerySelector("[data-testid=findings-badge]")!.TextContent);
        Assert.Equal($"/landing-zone/accounts/{LandingZoneSamples.Dev}", dev.QuerySelector("a.name")!.GetAttribute("href"));
        Assert.Contains("Observed under Sandbox (ou-sbx); the baseline puts it under Workloads", dev.TextContent);
        Assert.Equal("1 open finding (high)", page.Find($"li[data-node='{LandingZoneSamples.Prod}'] [data-testid=findings-badge]").TextContent);
        Assert.Contains("No open findings", Node(page, "111122223333"));

        // Owner, team and environment, each from the nearest level that sets it.
        var prod = page.Find($"li[data-node='{LandingZoneSamples.Prod}'] > .owners").TextContent;
        Assert.Contains("Owner: lead@example.com · Team: payments (from OU Workloads) · Environment: prod (from OU Prod)", prod);

        // SCPs on each node, and what the events show differently: a stray account, a policy attached by hand.
        Assert.Contains("deny-leave", page.Find($"li[data-node='{LandingZoneSamples.Root}'] > .policies").TextContent);
        Assert.Contains("region-lock — attached, not in the baseline", page.Find("li[data-node='ou-sbx'] > .policies").TextContent);
        Assert.Contains("Not in the baseline", Node(page, LandingZoneSamples.Sandbox));

        // The Azure tree beside it, subscriptions linking to their pages, assignments on their management group.
        var subscription = page.Find($"li[data-node='{LandingZoneSamples.Subscription}']");
        Assert.Equal($"/landing-zone/subscriptions/{LandingZoneSamples.Subscription}", subscription.QuerySelector("a.name")!.GetAttribute("href"));
        Assert.Contains("deny-public-ip (deny)", page.Find("li[data-node='alz-corp'] > .policies").TextContent);
        Assert.Contains("Team: payments (from management group Corp)", subscription.TextContent);
    }

    [Fact]
    public void TheTreesAreNestedListsOfLinksAKeyboardReachesWithoutScripts()
    {
        var page = Render<LandingZonePage>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("ul.org-tree").Count));
        Assert.Equal(["AWS organisation: root, OUs and accounts", "Azure management groups and subscriptions"],
            page.FindAll("ul.org-tree").Select(u => u.GetAttribute("aria-label")).ToArray());
        // payments-prod sits three levels down: root › Workloads › Prod.
        Assert.Single(page.FindAll($"ul.org-tree > li > ul > li[data-node='ou-wkl'] > ul > li[data-node='ou-prd'] > ul > li[data-node='{LandingZoneSamples.Prod}'] a.name"));
        // A node with findings links its badge to the findings list filtered to it.
        Assert.Equal($"/landing-zone/findings?status=open&account={LandingZoneSamples.Prod}",
            page.Find($"li[data-node='{LandingZoneSamples.Prod}'] a[data-testid=findings-badge]").GetAttribute("href"));
    }

    [Fact]
    public void AnAccountPageShowsTheTabNamedInTheUrl()
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"/landing-zone/accounts/{LandingZoneSamples.Prod}?tab=owners");

        var page = Render<AccountPage>(p => p.Add(a => a.Id, LandingZoneSamples.Prod));

        page.WaitForAssertion(() => Assert.Contains("payments-prod (555566667777)", page.Find("h1").TextContent));
        Assert.Equal("Owners", page.Find(".tabs a[aria-current=page]").TextContent);
        var rows = page.FindAll("table.owners tbody tr").Select(r => string.Join(" | ", r.Children.Select(c => c.TextContent.Trim()))).ToList();
        Assert.Equal(["Owner | lead@example.com | the account itself", "Team | payments | OU Workloads", "Environment | prod | OU Prod"], rows);
        Assert.Equal("https://555566667777.signin.aws.amazon.com/console", page.Find(".toolbar a[target=_blank]").GetAttribute("href"));
        Assert.EndsWith("/landing-zone/accounts/555566667777?tab=findings", page.FindAll(".tabs a")[1].GetAttribute("href"));
    }

    [Fact]
    public void AnAccountsFindingsTabListsItsOpenAndResolvedFindingsWithTheirSuppression()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/landing-zone/accounts/{LandingZoneSamples.Dev}?tab=findings");

        var page = Render<AccountPage>(p => p.Add(a => a.Id, LandingZoneSamples.Dev));

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("tr[data-finding]").Count));
        Assert.Contains("ACCOUNT_MOVED_BETWEEN_OUS", page.Markup);
        Assert.Contains("known test trail", page.Find("tr[data-finding]:nth-child(2)").TextContent);
        Assert.Contains("Observed under Sandbox", page.Find("dl.summary").TextContent);
    }
}
