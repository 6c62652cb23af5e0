using Bunit;
using ControlTower.Web.Components.Pages.Admin;
using ControlTower.Web.Gateway;
using ControlTower.Web.Session;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Web.Tests;

/// <summary>The admin actions as a person meets them: a secret shown once, a replay confirmed before it is sent.</summary>
public sealed class AdminActionTests : PortalTestContext
{
    private readonly AdminFakeGateway gateway = new();

    public AdminActionTests()
    {
        Services.AddSingleton(gateway);
        Services.AddScoped(sp => new GatewayClient(new HttpClient(sp.GetRequiredService<AdminFakeGateway>()) { BaseAddress = GatewayClient.BaseAddress },
            sp.GetRequiredService<PortalUser>()));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        Scopes = ["audit:read", "admin:keys", "admin:messages", "governance:read", "governance:write"];
    }

    [Fact]
    public void ANewKeysSecretIsShownOnceAndIsGoneWhenTheDialogCloses()
    {
        gateway.Answer("GET /api/admin/keys", "[]");
        gateway.Answer("POST /api/admin/keys", """
            {"key":{"name":"ci-ingest","scopes":["ingest:aws"],"primaryPrefix":"ct_abcd","secondaryPrefix":null,"secondaryExpiresAt":null,
              "signed":false,"managedBy":"api","createdBy":"ada","createdAt":"2026-11-29T10:00:00+00:00","rotatedAt":null,"revokedAt":null},
             "secret":"ct_abcd_the-secret-value"}
            """);
        var keys = Render<Keys>();
        keys.WaitForAssertion(() => keys.Find("p.empty"));

        keys.Find("input[type=text]").Change("ci-ingest");
        keys.Find("input[value='ingest:aws']").Change(true);
        keys.Find("form.create-form").Submit();

        keys.WaitForAssertion(() => Assert.Equal("ct_abcd_the-secret-value", keys.Find("[data-testid=secret]").GetAttribute("value")));
        Assert.Contains("You will not see it again", keys.Find("[data-testid=secret-dialog]").TextContent);
        Assert.Contains("POST /api/admin/keys", gateway.Queries);

        keys.Find("[data-testid=secret-dialog] button[data-shortcut=close]").Click();

        Assert.Empty(keys.FindAll("[data-testid=secret-dialog]"));
        Assert.DoesNotContain("the-secret-value", keys.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void AReplayIsConfirmedBeforeItIsSentAndTheResultSaysWhatMoved()
    {
        gateway.Answer("/api/admin/messages", """[{"queue":"governance-activity_error","inputQueue":"governance-activity","count":2}]""");
        gateway.Answer("/api/admin/messages/governance-activity_error", """
            {"queue":"governance-activity_error","inputQueue":"governance-activity","count":2,"offset":0,"messages":[
              {"messageId":"m-1","messageType":"urn:message:X","faultExceptionType":"System.InvalidOperationException","faultMessage":"boom",
               "faultedAt":"2026-11-29T10:00:00+00:00","bodyBytes":120,"headers":{"MT-Fault-InputAddress":"rabbitmq://localhost/governance-activity"}}]}
            """);
        gateway.Answer("POST /api/admin/messages/governance-activity_error/replay",
            """{"queue":"governance-activity_error","inputQueue":"governance-activity","replayed":1,"remaining":1}""");
        Services.GetRequiredService<NavigationManager>().NavigateTo("/admin/messages?queue=governance-activity_error");

        var page = Render<Messages>();
        page.WaitForAssertion(() => Assert.Contains("boom", page.Find("tr[data-message='m-1']").TextContent));
        Assert.Contains("rabbitmq://localhost/governance-activity", page.Find("tr[data-message='m-1'] details").TextContent);

        page.Find("button[aria-label='Replay message m-1']").Click();
        Assert.Contains("m-1", page.Find("[data-testid=replay-dialog]").TextContent);
        Assert.DoesNotContain(gateway.Queries, q => q.StartsWith("POST", StringComparison.Ordinal));

        page.Find("[data-testid=replay-dialog] button.primary").Click();

        page.WaitForAssertion(() => Assert.Contains("Replayed 1 message(s)", page.Find("[data-testid=replay-result]").TextContent));
        Assert.Contains("1 remain", page.Find("[data-testid=replay-result]").TextContent);
        Assert.Contains("POST /api/admin/messages/governance-activity_error/replay?messageId=m-1", gateway.Queries);
        Assert.Empty(page.FindAll("[data-testid=replay-dialog]"));
    }
}
