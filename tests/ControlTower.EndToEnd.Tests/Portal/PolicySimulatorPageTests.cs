using Microsoft.Playwright;

namespace ControlTower.EndToEnd.Tests.Portal;

/// <summary>The policy simulator in a real headless Chromium, deciding with the baseline's SCPs through the gateway.</summary>
[Collection(PortalBrowser.Collection)]
public sealed class PolicySimulatorPageTests(SystemFixture system, PortalBrowser browser)
{
    private const string PaymentsProd = "555566667777";
    private static readonly LocatorGetByLabelOptions Exact = new() { Exact = true };

    [Fact]
    public async Task ADeniedActionShowsTheDecidingPolicyAnAllowedOneShowsAllowAndTheUrlGivesTheSameDecisionAgain()
    {
        var page = await browser.SignInAsync(system.Portal, "Viewer", "vera", "/policy-simulator");
        var form = page.Locator("form.simulator");
        await form.Locator($"select option[value='{PaymentsProd}']").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached, Timeout = 30_000 });

        // Leaving the organisation is denied at the root by the baseline's guardrails.
        await form.Locator("select").SelectOptionAsync(PaymentsProd);
        await form.GetByLabel("Action", Exact).FillAsync("organizations:LeaveOrganization");
        await form.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Simulate" }).ClickAsync();
        var outcome = page.Locator("[data-testid=outcome]");
        await Assertions.Expect(outcome).ToHaveTextAsync("Deny (explicit)", new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("li.level.deciding")).ToHaveAttributeAsync("data-level", "r-ab12");
        await Assertions.Expect(page.Locator(".policy.deciding")).ToHaveAttributeAsync("data-policy", "p-guardrail01");
        await Assertions.Expect(page.Locator("tr.deciding")).ToContainTextAsync("DenyLeaveOrganization");
        await Assertions.Expect(page.Locator("tr.deciding")).ToContainTextAsync("Deciding statement");
        await Assertions.Expect(page.Locator("[data-testid=decided-by]")).ToContainTextAsync("aws-guardrails-deny-leave");
        Assert.Equal("Policy simulator · Control Tower", await page.TitleAsync());

        // Reading an object in an allowed region passes every level, region lock included.
        await form.GetByLabel("Action", Exact).FillAsync("s3:GetObject");
        await form.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Add a context key" }).ClickAsync();
        await form.GetByLabel("Key", Exact).FillAsync("aws:RequestedRegion");
        await form.GetByLabel("Value", Exact).FillAsync("eu-west-1");
        await form.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Simulate" }).ClickAsync();
        await Assertions.Expect(outcome).ToHaveTextAsync("Allow", new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        var url = new Uri(page.Url);
        Assert.Contains("action=s3%3AGetObject", url.Query, StringComparison.Ordinal);
        Assert.Contains("ctx=aws%3ARequestedRegion%3Deu-west-1", url.Query, StringComparison.Ordinal);

        // The URL is the decision: loaded afresh, it gives the same answer from the same inputs.
        await page.ReloadAsync();
        await PortalBrowser.WaitForInteractiveAsync(page);
        await Assertions.Expect(outcome).ToHaveTextAsync("Allow", new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await Assertions.Expect(form.GetByLabel("Action", Exact)).ToHaveValueAsync("s3:GetObject");
        await Assertions.Expect(form.GetByLabel("Value", Exact)).ToHaveValueAsync("eu-west-1");

        // The same request in another region is denied one level down, by the region lock on Workloads.
        await form.GetByLabel("Value", Exact).FillAsync("us-east-1");
        await form.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Simulate" }).ClickAsync();
        await Assertions.Expect(outcome).ToHaveTextAsync("Deny (explicit)", new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("li.level.deciding")).ToHaveAttributeAsync("data-level", "ou-ab12-wkl00001");
        await Assertions.Expect(page.Locator("tr.deciding")).ToContainTextAsync("RegionLock");
        await PortalBrowser.CheckThemesAsync(page, "policy-simulator");

        // A malformed SCP in the impact preview: the server's problem names the fault.
        var impact = page.Locator("form.impact");
        await impact.Locator("select").SelectOptionAsync("p-regionlock");
        await Assertions.Expect(impact.Locator("textarea")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("RegionLock"));
        await impact.Locator("textarea").FillAsync("{\"Version\": \"2012-10-17\", \"Statement\": [");
        await impact.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Preview impact" }).ClickAsync();
        var problem = page.Locator(".problem");
        await Assertions.Expect(problem).ToContainTextAsync("Previewing the impact", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
        await Assertions.Expect(problem.Locator("li code").First).ToContainTextAsync("document");

        // A valid change that drops the region lock: accounts under Workloads would gain the action.
        await impact.Locator("textarea").FillAsync(
            """{"Version":"2012-10-17","Statement":[{"Sid":"Nothing","Effect":"Deny","Action":"none:None","Resource":"*"}]}""");
        await impact.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Preview impact" }).ClickAsync();
        var result = page.Locator("[data-testid=impact]");
        await Assertions.Expect(result).ToContainTextAsync("Would gain the action", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
        await Assertions.Expect(result).ToContainTextAsync($"payments-prod ({PaymentsProd})");

        // A new SCP denying the read, attached to the Prod OU: in an allowed region, only payments-prod would lose it.
        await form.GetByLabel("Value", Exact).FillAsync("eu-west-1");
        await impact.GetByLabel("a new SCP attached to a target").CheckAsync();
        await impact.Locator("select").SelectOptionAsync("ou-ab12-prd00001");
        await impact.Locator("textarea").FillAsync(
            """{"Version":"2012-10-17","Statement":[{"Sid":"NoReads","Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}""");
        await impact.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Preview impact" }).ClickAsync();
        await Assertions.Expect(result).ToContainTextAsync("If this new policy were attached to OU Prod", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
        var lose = result.Locator("table", new LocatorLocatorOptions { HasText = "Would lose the action" });
        await Assertions.Expect(lose.Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(lose).ToContainTextAsync($"payments-prod ({PaymentsProd})");
        await Assertions.Expect(lose).ToContainTextAsync("Deny (explicit) by new policy at ou-ab12-prd00001");
        await page.Context.CloseAsync();
    }
}
