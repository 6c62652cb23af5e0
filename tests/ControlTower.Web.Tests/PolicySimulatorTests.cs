using System.Net;
using System.Text.Json;
using Bunit;
using ControlTower.Web.Components.Pages.PolicySimulator;
using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Web.Tests;

public sealed class PolicySimulatorTests : PortalTestContext
{
    private readonly FakeGateway gateway = LandingZoneSamples.Gateway();

    public PolicySimulatorTests()
    {
        Services.AddScoped(sp => new GatewayClient(new HttpClient(gateway) { BaseAddress = GatewayClient.BaseAddress }, sp.GetRequiredService<PortalUser>()));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        Scopes = ["governance:read"];
    }

    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    [Fact]
    public void TheUrlFillsTheFormAndTheEngineGetsTheAccountsChainWithTheDecidingStatementHighlighted()
    {
        gateway.Answer("/api/governance/scp/evaluate", new ScpDecision("explicitDeny", "an explicit Deny covers the request", "ou-wkl", "p-regionlock", "region-lock", 0, "RegionLock"));
        Navigation.NavigateTo($"/policy-simulator?account={LandingZoneSamples.Prod}&action=s3:GetObject&ctx=aws%3ARequestedRegion%3Dus-east-1&ctx=aws%3APrincipalTag%2Fteam%3Dpayments");

        var page = Render<PolicySimulatorPage>();

        page.WaitForAssertion(() => Assert.Equal("Deny (explicit)", page.Find("[data-testid=outcome]").TextContent));
        Assert.Equal(LandingZoneSamples.Prod, page.Find("select").GetAttribute("value"));
        Assert.Equal("s3:GetObject", page.FindAll("input[type=text]")[0].GetAttribute("value"));
        Assert.Equal(["aws:RequestedRegion", "us-east-1", "aws:PrincipalTag/team", "payments"],
            page.FindAll(".context-row input").Select(i => i.GetAttribute("value")).ToArray());

        // The engine is asked with the path root › Workloads › Prod › account, FullAWSAccess and the baseline's SCPs at each level.
        var request = JsonDocument.Parse(gateway.Requests.Single(r => r.Method == HttpMethod.Post).Body!).RootElement;
        var path = request.GetProperty("path").EnumerateArray()
            .Select(l => l.GetProperty("targetId").GetString() + ":" + string.Join("+", l.GetProperty("policies").EnumerateArray().Select(p => p.GetProperty("id").GetString())))
            .ToArray();
        Assert.Equal(["r-ab12:p-FullAWSAccess+p-leave", "ou-wkl:p-FullAWSAccess+p-regionlock", "ou-prd:p-FullAWSAccess", "555566667777:p-FullAWSAccess"], path);
        Assert.Equal("us-east-1", request.GetProperty("context").GetProperty("aws:RequestedRegion")[0].GetString());
        Assert.False(request.GetProperty("managementAccount").GetBoolean());

        // Highlighted in the chain, with words as well as colour.
        var level = page.Find("li.level.deciding");
        Assert.Equal("ou-wkl", level.GetAttribute("data-level"));
        Assert.Contains("Deciding level", level.TextContent);
        Assert.Equal("p-regionlock", page.Find(".policy.deciding").GetAttribute("data-policy"));
        var statement = Assert.Single(page.FindAll("tr.deciding"));
        Assert.Contains("RegionLock", statement.TextContent);
        Assert.Contains("Deciding statement", statement.TextContent);
        Assert.Contains("Decided at OU Workloads (ou-wkl) by policy region-lock (p-regionlock), statement RegionLock", page.Find("[data-testid=decided-by]").TextContent);
    }

    [Fact]
    public void SubmittingTheFormPutsEveryInputInTheUrl()
    {
        Navigation.NavigateTo("/policy-simulator");
        var page = Render<PolicySimulatorPage>();
        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("form.simulator select option").Count));

        page.Find("select").Change(LandingZoneSamples.Dev);
        page.FindAll("input[type=text]")[0].Change("ec2:RunInstances");
        page.FindAll("input[type=text]")[1].Change("arn:aws:ec2:*:*:instance/*");
        page.FindAll("button").Single(b => b.TextContent == "Add a context key").Click();
        page.FindAll("button").Single(b => b.TextContent == "Add a context key").Click();
        page.FindAll(".context-row input")[0].Change("aws:RequestedRegion");
        page.FindAll(".context-row input")[1].Change("eu-west-1");
        page.FindAll(".context-row input")[2].Change("aws:PrincipalArn");
        page.FindAll(".context-row input")[3].Change("arn:aws:iam::666677778888:role/x");
        page.FindAll("button").First(b => b.TextContent == "Remove").Click();
        page.Find("form.simulator").Submit();

        var uri = new Uri(Navigation.Uri);
        Assert.Equal("/policy-simulator", uri.AbsolutePath);
        Assert.Equal($"?account={LandingZoneSamples.Dev}&action=ec2%3ARunInstances&resource=arn%3Aaws%3Aec2%3A%2A%3A%2A%3Ainstance%2F%2A&ctx=aws%3APrincipalArn%3Darn%3Aaws%3Aiam%3A%3A666677778888%3Arole%2Fx",
            uri.Query);
    }

    [Fact]
    public void InputsRoundTripThroughTheUrl()
    {
        var inputs = new SimulatorInputs("555566667777", " s3:GetObject ", "*", [("aws:RequestedRegion", "eu-west-1"), ("aws:RequestedRegion", "eu-central-1"), ("", "dropped")]);

        var query = inputs.Query();

        Assert.Null(query["resource"]);
        var ctx = Assert.IsType<string[]>(query["ctx"]);
        Assert.Equal(["aws:RequestedRegion=eu-west-1", "aws:RequestedRegion=eu-central-1"], ctx);
        var back = new SimulatorInputs((string?)query["account"], (string?)query["action"], null, SimulatorInputs.ParseContext(ctx));
        Assert.Equal("s3:GetObject", back.Action);
        Assert.Equal(["eu-west-1", "eu-central-1"], back.ContextMap()!["aws:RequestedRegion"]);
        // A value may itself hold '=': only the first one splits.
        Assert.Equal(("aws:PrincipalTag/x", "a=b"), SimulatorInputs.ParseContext(["aws:PrincipalTag/x=a=b"]).Single());
    }

    [Fact]
    public void AMalformedPolicyInTheImpactPreviewShowsTheServersProblemNamingTheFault()
    {
        gateway.Answer("/api/governance/scp/impact", HttpStatusCode.BadRequest,
            """{"title":"The request or its policy is not valid","status":400,"errors":{"document":["the document is not JSON: '}' is invalid after a value. LineNumber: 0 | BytePositionInLine: 12."]}}""",
            "application/problem+json");
        Navigation.NavigateTo("/policy-simulator?account=555566667777&action=s3:GetObject");
        gateway.Answer("/api/governance/scp/evaluate", new ScpDecision("allowed", "every level allows", "555566667777", "p-FullAWSAccess", "FullAWSAccess", 0, null));
        var page = Render<PolicySimulatorPage>();
        page.WaitForAssertion(() => Assert.Equal("Allow", page.Find("[data-testid=outcome]").TextContent));

        page.Find("form.impact select").Change("p-regionlock");
        Assert.Contains("\"Sid\": \"RegionLock\"", page.Find("form.impact textarea").GetAttribute("value") ?? page.Find("form.impact textarea").TextContent);
        page.Find("form.impact textarea").Change("{\"Version\": 1}}");
        page.Find("form.impact").Submit();

        page.WaitForAssertion(() => Assert.Contains("Previewing the impact: The request or its policy is not valid", page.Find(".problem").TextContent));
        Assert.Contains("document", page.Find(".problem li code").TextContent);
        var sent = JsonDocument.Parse(gateway.Requests.Last().Body!).RootElement;
        Assert.Equal(("p-regionlock", "{\"Version\": 1}}", "s3:GetObject"),
            (sent.GetProperty("policyId").GetString(), sent.GetProperty("document").GetString(), sent.GetProperty("action").GetString()));
    }

    [Fact]
    public void TheImpactPreviewListsTheAccountsThatWouldLoseOrGainTheAction()
    {
        gateway.Answer("/api/governance/scp/impact", new ScpImpact(
            [new ScpImpactAccount(LandingZoneSamples.Dev, "payments-dev", new ScpDecision("allowed", "ok", LandingZoneSamples.Dev, null, null, null, null),
                new ScpDecision("explicitDeny", "deny", "ou-wkl", "p-regionlock", "region-lock", 0, "RegionLock"))],
            [], 5));
        Navigation.NavigateTo("/policy-simulator?action=s3:GetObject");
        var page = Render<PolicySimulatorPage>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("form.impact option").Count));

        page.Find("form.impact select").Change("p-regionlock");
        page.Find("form.impact").Submit();

        page.WaitForAssertion(() => Assert.Contains("5 accounts checked", page.Find("[data-testid=impact] h3").TextContent));
        var table = Assert.Single(page.FindAll("[data-testid=impact] table"));
        Assert.Equal("Would lose the action (allowed now, denied after)", table.QuerySelector("caption")!.TextContent);
        Assert.Contains("payments-dev (666677778888)", table.TextContent);
        Assert.Contains("Deny (explicit) by region-lock at ou-wkl", table.TextContent);
    }
    [Fact]
    public void ANewPolicyForATargetIsPreviewedWithTheTargetAndNoPolicyId()
    {
        gateway.Answer("/api/governance/scp/impact", new ScpImpact([], [], 2));
        Navigation.NavigateTo("/policy-simulator?action=s3:GetObject");
        var page = Render<PolicySimulatorPage>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("form.impact option").Count));

        page.FindAll("form.impact input[type=radio]")[1].Change(true);
        Assert.Contains("\"Sid\": \"DenySomething\"", page.Find("form.impact textarea").GetAttribute("value"));
        // Root, three OUs and the two member accounts: the management account is not restricted by SCPs.
        Assert.Equal(["", "r-ab12", "ou-wkl", "ou-prd", "ou-sbx", LandingZoneSamples.Prod, LandingZoneSamples.Dev],
            page.FindAll("form.impact select option").Select(o => o.GetAttribute("value")).ToArray());
        page.Find("form.impact select").Change("ou-prd");
        page.Find("form.impact textarea").Change(LandingZoneSamples.DenyLeave);
        page.Find("form.impact").Submit();

        page.WaitForAssertion(() => Assert.Contains("If this new policy were attached to OU Prod, for s3:GetObject: 2 accounts checked", page.Find("[data-testid=impact] h3").TextContent));
        Assert.Contains("No account's decision would change.", page.Find("[data-testid=impact]").TextContent);
        var sent = JsonDocument.Parse(gateway.Requests.Last().Body!).RootElement;
        Assert.Equal("ou-prd", sent.GetProperty("targetId").GetString());
        Assert.False(sent.TryGetProperty("policyId", out _));
        Assert.Equal(LandingZoneSamples.DenyLeave, sent.GetProperty("document").GetString());
    }
}
