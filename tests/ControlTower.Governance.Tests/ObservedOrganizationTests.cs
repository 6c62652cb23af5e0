using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlTower.Contracts.Activity;
using ControlTower.Governance.Apis;
using ControlTower.Governance.Observed;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Governance.Tests;

/// <summary>The observed organisation, kept from AWS Organizations events (tests/TestData/aws/organizations-events.jsonl).</summary>
public sealed class ObservedOrganizationTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, "governancedb");
        client = factory.CreateTrustedClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    [Fact]
    public void EverySampleOrganizationsEventIsReadIntoTheChangeItMakes()
    {
        var changes = OrganizationSamples.Events().Select(a => (a.Operation, Changes: OrganizationEvents.Interpret(a))).ToList();

        Assert.All(changes, c => Assert.Single(c.Changes));
        var byName = changes.ToDictionary(c => c.Operation, c => c.Changes[0]);
        Assert.Equal("ou-ab12-wkl00001", Assert.IsType<AccountMoved>(byName["MoveAccount"]).ParentId);
        var created = Assert.IsType<PolicyChanged>(byName["CreatePolicy"]);
        Assert.Equal(("p-guardrail01", "SERVICE_CONTROL_POLICY"), (created.PolicyId, created.Type));
        // The escaped content is read as the policy document it is.
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(Assert.IsType<PolicyChanged>(byName["UpdatePolicy"]).Content!).RootElement.ValueKind);
        Assert.True(Assert.IsType<PolicyChanged>(byName["DeletePolicy"]).Deleted);
        Assert.False(Assert.IsType<PolicyAttachmentChanged>(byName["DetachPolicy"]).Attached);
        Assert.Equal(new AccountMembershipChanged("444455556666", true, "****", byName["CreateAccountResult"].At, byName["CreateAccountResult"].EventId),
            byName["CreateAccountResult"]);
        Assert.False(Assert.IsType<AccountMembershipChanged>(byName["RemoveAccountFromOrganization"]).Member);
        Assert.True(Assert.IsType<OrganizationalUnitChanged>(byName["DeleteOrganizationalUnit"]).Deleted);
        Assert.Equal("policy-type/r-ab12/SERVICE_CONTROL_POLICY", Assert.IsType<OrganizationSettingChanged>(byName["DisablePolicyType"]).Key);
        Assert.Equal("service-access/controltower.amazonaws.com", Assert.IsType<OrganizationSettingChanged>(byName["DisableAWSServiceAccess"]).Key);
    }

    [Fact]
    public void FailedCallsChangeNothing()
    {
        var move = OrganizationSamples.Events().Single(a => a.Operation == "MoveAccount") with { Outcome = ActivityOutcome.Failure, ErrorCode = "AccessDenied" };

        Assert.Empty(OrganizationEvents.Interpret(move));
    }

    [Fact]
    public async Task EventsArrivingLateRepeatedOrBackwardsEndInTheLatestState()
    {
        var events = OrganizationSamples.Events();
        var move = events.Single(a => a.Operation == "MoveAccount");
        var raw = JsonNode.Parse(move.Raw)!.AsObject();
        // An earlier move of the same account, delivered after the later one.
        raw["requestParameters"]!["destinationParentId"] = "ou-ab12-sbx00001";
        raw["eventTime"] = "2026-11-28T08:00:00Z";
        var earlierMove = OrganizationSamples.Activity(raw);
        var bus = factory.Services.GetRequiredService<IBus>();

        // Last in the final batch, which is stored in one transaction: once it shows, the batch before it has been applied.
        var sentinelRaw = JsonNode.Parse(events.Single(a => a.Operation == "DisableAWSServiceAccess").Raw)!.AsObject();
        sentinelRaw["eventName"] = "EnableAWSServiceAccess";
        var sentinelKey = $"service-access/sentinel-{Guid.NewGuid():N}.amazonaws.com";
        sentinelRaw["requestParameters"]!["servicePrincipal"] = sentinelKey["service-access/".Length..];
        var sentinel = OrganizationSamples.Activity(sentinelRaw);

        // Backwards; then again, with the earlier move after the later one.
        foreach (var batch in new[] { events.AsEnumerable().Reverse().ToList(), [.. events, earlierMove, sentinel] })
        {
            await bus.Publish(new CloudActivityBatch { BatchId = Guid.NewGuid(), Source = "test", ReceivedAt = DateTimeOffset.UtcNow, Activities = batch },
                TestContext.Current.CancellationToken);
        }

        var organization = await Eventually.Async(async () =>
        {
            var view = await client.GetFromJsonAsync<ObservedOrganizationView>("/api/governance/organization", TestContext.Current.CancellationToken);
            return view!.Settings.Any(s => s.Key == sentinelKey) ? view : null;
        });

        var moved = organization.Accounts.Single(a => a.AccountId == "333344445555");
        Assert.Equal("ou-ab12-wkl00001", moved.ParentId);
        Assert.Equal(move.EventId, moved.ParentEventId);
        Assert.True(organization.Accounts.Single(a => a.AccountId == "444455556666").Member);
        Assert.False(organization.Accounts.Single(a => a.AccountId == "555566667777").Member);
        var guardrail = organization.Policies.Single(p => p.PolicyId == "p-guardrail01");
        Assert.Equal(["ou-ab12-wkl00001"], guardrail.Targets);
        Assert.NotNull(guardrail.Name);
        var update = JsonNode.Parse(events.Single(a => a.Operation == "UpdatePolicy").Raw)!["requestParameters"]!["content"]!.GetValue<string>();
        Assert.Equal(update, guardrail.Content);
        Assert.True(organization.Policies.Single(p => p.PolicyId == "p-guardrail03").Deleted);
        Assert.DoesNotContain("222233334444", organization.Policies.SelectMany(p => p.Targets));
        Assert.True(organization.OrganizationalUnits.Single(o => o.OuId == "ou-ab12-sbx00001").Deleted);
        Assert.Equal("Sandbox", organization.OrganizationalUnits.Single(o => o.OuId == "ou-ab12-sbx00001").Name);
        Assert.False(organization.Settings.Single(s => s.Key == "service-access/controltower.amazonaws.com").Enabled);
        Assert.False(organization.Settings.Single(s => s.Key == "policy-type/r-ab12/SERVICE_CONTROL_POLICY").Enabled);
        Assert.True(organization.Settings.Single(s => s.Key == sentinelKey).Enabled);
    }
}
