using System.Net;
using System.Text;
using Bunit;
using ControlTower.Web.Components.Pages.Admin;
using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Web.Tests;

/// <summary>What each role is offered on the admin pages, and that a page it may not use asks the gateway nothing.</summary>
public sealed class AdminVisibilityTests : PortalTestContext
{
    private static readonly string[] ViewerScopes = ["activity:read", "alerts:read", "signals:read", "governance:read", "releases:read"];

    private static readonly string[] AdminScopes =
        [.. ViewerScopes, "signals:triage", "signals:suppress", "governance:suppress", "releases:waive", "audit:read", "admin:keys", "admin:messages", "governance:write", "releases:write"];

    private const string BaselineJson = """
        {"version":3,"hash":"abcdef0123456789","origin":"api","source":"ada","recordedAt":"2026-11-29T10:00:00+00:00",
         "baseline":{"version":1,
           "aws":{"organizationId":"o-example","rootId":"r-ab12","managementAccount":"111122223333","trustedAccess":["config.amazonaws.com"],
             "organizationalUnits":[{"id":"ou-sec","name":"Security","parentId":"r-ab12","depth":1,"foundational":true,"controls":["GOV.KMS.1"],"ownership":{"team":"platform-security"}}],
             "accounts":[{"id":"222233334444","name":"log-archive","role":"log-archive","parentId":"ou-sec","ownership":{"owner":"security-ops@example.com"}}],
             "policies":[{"id":"p-guard","name":"deny-leave","document":"{\"Version\":\"2012-10-17\"}","targets":["r-ab12"]}]},
           "azure":{"tenant":"t-1","managementGroups":[{"id":"alz","name":"Landing zones root","parentId":null,"controls":[]}],
             "subscriptions":[{"id":"sub-1","name":"corp-payments","managementGroup":"alz"}],
             "policyAssignments":[{"name":"deny-public-ip","scope":"/mg/alz","definition":"/defs/x","effect":"deny"}]}}}
        """;

    private const string VersionJson = """
        {"version":3,"hash":"abcdef","origin":"api","source":"ada","reason":null,"recordedAt":"2026-11-29T10:00:00+00:00",
         "yaml":"version: 1\n","files":{},"changes":[]}
        """;

    private readonly AdminFakeGateway gateway = new();

    public AdminVisibilityTests()
    {
        Services.AddSingleton(gateway);
        Services.AddScoped(sp => new GatewayClient(new HttpClient(sp.GetRequiredService<AdminFakeGateway>()) { BaseAddress = GatewayClient.BaseAddress },
            sp.GetRequiredService<PortalUser>()));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        gateway.Answer("/api/governance/baseline", BaselineJson);
        gateway.Answer("/api/governance/baseline/history/3", VersionJson);
        gateway.Answer("/api/audit", """{"items":[],"next":null}""");
        gateway.Answer("/api/admin/keys", "[]");
    }

    [Fact]
    public void AViewerIsToldAdminIsNotAllowedAndNoAdminDataIsAskedFor()
    {
        Scopes = ViewerScopes;

        var index = Render<AdminIndex>();
        Assert.Contains("Not allowed", index.Find("[data-testid=not-allowed]").TextContent);
        Assert.Empty(index.FindAll(".card"));

        var keys = Render<Keys>();
        Assert.Contains("admin:keys", keys.Find("[data-testid=not-allowed]").TextContent);
        Assert.Empty(keys.FindAll("form"));
        var audit = Render<Audit>();
        Assert.Contains("audit:read", audit.Find("[data-testid=not-allowed]").TextContent);
        Assert.Empty(audit.FindAll("a[download]"));
        var messages = Render<Messages>();
        Assert.Contains("admin:messages", messages.Find("[data-testid=not-allowed]").TextContent);

        Assert.Empty(gateway.Requests);
    }

    [Fact]
    public void AnAdminIsOfferedEverySectionAndTheKeyForm()
    {
        Scopes = AdminScopes;

        var index = Render<AdminIndex>();
        Assert.Equal(["API keys", "Baseline", "Poison messages", "Audit log"], index.FindAll(".card h2").Select(h => h.TextContent.Trim()));
        Assert.Empty(index.FindAll("[data-testid=not-allowed]"));

        var keys = Render<Keys>();
        keys.WaitForAssertion(() => Assert.Equal("No keys yet.", keys.Find("p.empty").TextContent));
        Assert.Equal(16, keys.FindAll("fieldset input[type=checkbox]").Count);
        Assert.Contains("/api/admin/keys", gateway.Requests);
    }

    [Fact]
    public void OnlyGovernanceWriteIsOfferedTheUploadAndBothSeeTheTreeReadably()
    {
        Scopes = ViewerScopes;
        var viewer = Render<Baseline>();
        viewer.WaitForAssertion(() => Assert.Contains("log-archive", viewer.Find(".tree").TextContent));
        Assert.DoesNotContain(viewer.FindAll(".tabs a"), a => a.TextContent.Contains("Upload", StringComparison.Ordinal));
        // The organisation tree nests the account under its OU, with its owner and the SCP on the root.
        Assert.Contains("security-ops@example.com", viewer.Find("li[data-node='ou-sec'] li[data-node='222233334444']").TextContent);
        Assert.Contains("SCP deny-leave", viewer.Find(".tree .node").TextContent);
        Assert.Contains("version: 1", viewer.Find("[data-testid=raw-yaml]").TextContent);
        Navigate("/admin/baseline?view=upload");
        var uploadAsViewer = Render<Baseline>();
        Assert.Contains("governance:write", uploadAsViewer.Find("[data-testid=not-allowed]").TextContent);
        Assert.Empty(uploadAsViewer.FindAll("textarea"));

        Scopes = AdminScopes;
        Navigate("/admin/baseline");
        var admin = Render<Baseline>();
        admin.WaitForAssertion(() => Assert.Contains(admin.FindAll(".tabs a"), a => a.TextContent.Contains("Upload", StringComparison.Ordinal)));
        Navigate("/admin/baseline?view=upload");
        var upload = Render<Baseline>();
        Assert.Single(upload.FindAll("textarea#baseline-text"));
    }

    [Fact]
    public void TheAuditFiltersInTheUrlGoToTheGatewayAndIntoTheExportLinks()
    {
        Scopes = AdminScopes;

        Navigate("/admin/audit?actor=ada&result=failed&from=2026-11-29T10%3A00");
        var audit = Render<Audit>();

        audit.WaitForAssertion(() => Assert.Contains("/api/audit?actor=ada&from=2026-11-29T10%3A00&result=failed&limit=50", gateway.Queries));
        Assert.Equal("/exports/audit?actor=ada&from=2026-11-29T10%3A00&result=failed&format=csv",
            audit.Find("[data-testid=export-csv]").GetAttribute("href"));
        Assert.Equal("failed", audit.Find("select").GetAttribute("value") ?? audit.Find("select option[selected]")?.GetAttribute("value"));
    }

    private void Navigate(string uri) => Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
}

/// <summary>The gateway as the admin pages see it: a canned JSON answer per path (or per method and path), every request recorded.</summary>
internal sealed class AdminFakeGateway : HttpMessageHandler
{
    private readonly Dictionary<string, string> answers = new(StringComparer.Ordinal);

    public List<string> Requests { get; } = [];

    public List<string> Queries { get; } = [];

    /// <summary>Answers <paramref name="path"/>, or with "POST /path" only that method.</summary>
    public void Answer(string path, string json) => answers[path] = json;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        lock (Requests)
        {
            Requests.Add(path);
            Queries.Add(request.Method.Method == "GET" ? request.RequestUri.PathAndQuery : $"{request.Method.Method} {request.RequestUri.PathAndQuery}");
        }
        return Task.FromResult(answers.TryGetValue($"{request.Method.Method} {path}", out var json) || answers.TryGetValue(path, out json)
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") }
            : new HttpResponseMessage(HttpStatusCode.NotFound));
    }
}
