using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ControlTower.Contracts.Activity;
using ControlTower.Contracts.Governance;
using ControlTower.Governance.Apis;
using ControlTower.Testing;
using ControlTower.Testing.Infrastructure;
using ControlTower.Testing.Services;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ControlTower.Governance.Tests;

/// <summary>
/// Azure drift from Activity Log records, through real RabbitMQ and PostgreSQL, against the test baseline
/// (tests/TestData/azure/governance-baseline.yaml; its ids are its own, so other tests' hosts never drift from them).
/// </summary>
public sealed class AzureDriftTests(InfrastructureFixture infrastructure) : IAsyncLifetime
{
    private const string Mg = "/providers/Microsoft.Management/managementGroups/";
    private const string DenyPublicIp = Mg + "ct-landingzones/providers/Microsoft.Authorization/policyAssignments/deny-public-ip";
    private const string DenyPublicStorage =
        "/subscriptions/11112222-bbbb-3333-cccc-4444dddd5555/resourceGroups/rg-prod-core/providers/Microsoft.Authorization/policyAssignments/deny-public-storage";
    private const string Exemption =
        "/subscriptions/22223333-cccc-4444-dddd-5555eeee6666/resourceGroups/rg-diag/providers/Microsoft.Authorization/policyExemptions/diag-waiver";

    private ServiceFactory<Program> factory = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        factory = ServiceFactory<Program>.OnServers(infrastructure, "governancedb",
            new Dictionary<string, string?> { ["Governance:BaselinePath"] = AzureSamples.BaselinePath });
        client = factory.CreateTrustedClient();
        await factory.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    [Fact]
    public async Task EveryAzureDriftTypeIsFoundFromActivityLogRecordsAndResolvesWhenTheEstateReturns()
    {
        await using var detected = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(DriftDetected), TestContext.Current.CancellationToken);
        await using var resolved = await MessageSpy.StartAsync(infrastructure.RabbitMq, typeof(DriftResolved), TestContext.Current.CancellationToken);
        var events = AzureSamples.Events();
        var delete = AzureSamples.Activity(AzureSamples.RestAssignmentDelete());
        var bus = factory.Services.GetRequiredService<IBus>();

        await Publish(bus, [.. events, delete]);

        var open = await Findings(f => f.Count(x => x.Status == "open") >= 6);
        Assert.Equal(
        [
            ("MANAGEMENT_GROUP_DELETED", "ct-sandbox"),
            ("POLICY_ASSIGNMENT_CHANGED", DenyPublicIp.ToLowerInvariant()),
            ("POLICY_ASSIGNMENT_DELETED", DenyPublicStorage.ToLowerInvariant()),
            ("POLICY_EXEMPTION_CREATED", Exemption.ToLowerInvariant()),
            ("SUBSCRIPTION_MOVED_BETWEEN_MANAGEMENT_GROUPS", AzureSamples.CorpSubscription),
            ("SUBSCRIPTION_REMOVED_FROM_MANAGEMENT_GROUP", AzureSamples.PlatformSubscription),
        ], open.Select(f => (f.Type, f.Subject)).Order());
        var moved = open.Single(f => f.Type == "SUBSCRIPTION_MOVED_BETWEEN_MANAGEMENT_GROUPS");
        Assert.Equal(events[0].EventId, moved.EvidenceEventId);
        // Out of Landing zones, the subscription lost the deny-public-ip guardrail: high, and the finding says why.
        Assert.Equal("high", moved.Severity);
        Assert.Contains("ct-corp", moved.Expected);
        Assert.Contains("ct-platform", moved.Observed);
        Assert.Contains("deny-public-ip", moved.Observed);
        var changed = open.Single(f => f.Type == "POLICY_ASSIGNMENT_CHANGED");
        Assert.Contains("DoNotEnforce", changed.Observed);
        Assert.Equal(("high", events[4].EventId), (changed.Severity, changed.EvidenceEventId));
        var deleted = open.Single(f => f.Type == "POLICY_ASSIGNMENT_DELETED");
        Assert.Equal(("critical", delete.EventId), (deleted.Severity, deleted.EvidenceEventId));
        Assert.Contains("Waiver", open.Single(f => f.Type == "POLICY_EXEMPTION_CREATED").Observed);
        Assert.Equal(events[1].EventId, open.Single(f => f.Type == "SUBSCRIPTION_REMOVED_FROM_MANAGEMENT_GROUP").EvidenceEventId);
        Assert.Equal(events[2].EventId, open.Single(f => f.Type == "MANAGEMENT_GROUP_DELETED").EvidenceEventId);
        var announced = await detected.WaitForAsync(m => m.GetProperty("type").GetString() == "POLICY_ASSIGNMENT_DELETED", TimeSpan.FromSeconds(30));
        Assert.Equal(deleted.Id.ToString(), announced.GetProperty("findingId").GetString());

        // The Start record and the failed delete left the root and its audit assignment alone.
        var azure = (await client.GetFromJsonAsync<ObservedAzureView>("/api/governance/azure", TestContext.Current.CancellationToken))!;
        Assert.DoesNotContain(azure.ManagementGroups, g => g.GroupId == "ct-root");
        Assert.DoesNotContain(azure.PolicyAssignments, a => a.Name == "audit-diagnostics");
        Assert.Equal(("Decommissioned", "ct-root"), azure.ManagementGroups.Single(g => g.GroupId == "ct-decommissioned") is var g ? (g.Name, g.ParentId) : default);

        // Everything is put back, an hour later: every finding resolves.
        const string Later = "2026-11-28T12:00:00Z";
        await Publish(bus,
        [
            AzureSamples.Record("Microsoft.Management/managementGroups/subscriptions/write", $"{Mg}ct-corp/subscriptions/{AzureSamples.CorpSubscription}", Later),
            AzureSamples.Record("Microsoft.Management/managementGroups/subscriptions/write", $"{Mg}ct-platform/subscriptions/{AzureSamples.PlatformSubscription}", Later),
            AzureSamples.Record("Microsoft.Management/managementGroups/write", $"{Mg}ct-sandbox", Later,
                new JsonObject { ["properties"] = new JsonObject { ["displayName"] = "Sandbox", ["details"] = new JsonObject { ["parent"] = new JsonObject { ["id"] = $"{Mg}ct-root" } } } }),
            AzureSamples.Record("Microsoft.Authorization/policyAssignments/write", DenyPublicIp, Later, Assignment("6c112d4e-5bc7-47ae-a041-ea2d9dccd749", "Default", "Deny")),
            AzureSamples.Record("Microsoft.Authorization/policyAssignments/write", DenyPublicStorage, Later, Assignment("34c877ad-507e-4c82-993e-3452a6e0ad3c", "Default", "Deny")),
            AzureSamples.Record("Microsoft.Authorization/policyExemptions/delete", Exemption, Later),
        ]);

        var after = await Findings(f => f.Count(x => x.Status == "resolved") == 6);
        Assert.DoesNotContain(after, f => f.Status == "open");
        Assert.All(after, f => Assert.NotNull(f.ResolvedAt));
        var closed = await resolved.WaitForAsync(m => m.GetProperty("type").GetString() == "SUBSCRIPTION_MOVED_BETWEEN_MANAGEMENT_GROUPS", TimeSpan.FromSeconds(30));
        Assert.Equal(moved.Id.ToString(), closed.GetProperty("findingId").GetString());
        using var drift = await client.GetAsync("/api/governance/drift", TestContext.Current.CancellationToken);
        Assert.Empty((await drift.Content.ReadFromJsonAsync<DriftView>(TestContext.Current.CancellationToken))!.Findings);

        // The assignment is weakened again, this time by its effect alone: the same finding opens a second time.
        await Publish(bus, [AzureSamples.Record("MICROSOFT.AUTHORIZATION/POLICYASSIGNMENTS/WRITE", DenyPublicIp.ToUpperInvariant(), "2026-11-28T13:00:00Z",
            Assignment("6c112d4e-5bc7-47ae-a041-ea2d9dccd749", "Default", "Audit"))]);
        var reopened = (await Findings(f => f.Any(x => x.Status == "open"))).Single(f => f.Status == "open");
        Assert.Equal((changed.Id, 2, "high"), (reopened.Id, reopened.Occurrences, reopened.Severity));
        Assert.Contains("its effect is Audit", reopened.Observed);
    }

    [Fact]
    public async Task AzureEventsArrivingLateRepeatedOrBackwardsEndInTheLatestState()
    {
        var events = AzureSamples.Events();
        var bus = factory.Services.GetRequiredService<IBus>();
        // An earlier placement of the moved subscription and an earlier write of the weakened assignment, delivered last.
        var earlierMove = AzureSamples.Record("Microsoft.Management/managementGroups/subscriptions/write",
            $"{Mg}ct-sandbox/subscriptions/{AzureSamples.CorpSubscription}", "2026-11-28T10:00:00Z");
        var earlierAssignment = AzureSamples.Record("Microsoft.Authorization/policyAssignments/write", DenyPublicIp, "2026-11-28T10:00:00Z",
            Assignment("6c112d4e-5bc7-47ae-a041-ea2d9dccd749", "Default", "Deny"));
        // An earlier write of the deleted group: it must not bring it back.
        var earlierGroup = AzureSamples.Record("Microsoft.Management/managementGroups/write", $"{Mg}ct-sandbox", "2026-11-28T10:00:00Z");
        // Last in the final batch, stored in one transaction with it: once it shows, the batches before it were applied.
        var sentinel = $"ct-sentinel-{Guid.NewGuid():N}"[..24];
        var sentinelWrite = AzureSamples.Record("Microsoft.Management/managementGroups/write", Mg + sentinel, "2026-11-28T10:00:00Z");

        await Publish(bus, [.. events.AsEnumerable().Reverse()]);
        await Publish(bus, [.. events, earlierMove, earlierAssignment, earlierGroup]);
        await Publish(bus, [.. events, sentinelWrite]);

        var azure = await Eventually.Async(async () =>
        {
            var view = await client.GetFromJsonAsync<ObservedAzureView>("/api/governance/azure", TestContext.Current.CancellationToken);
            return view!.ManagementGroups.Any(g => g.GroupId == sentinel) ? view : null;
        });

        var corp = azure.Subscriptions.Single(s => s.SubscriptionId == AzureSamples.CorpSubscription);
        Assert.Equal(("ct-platform", false, events[0].EventId), (corp.ManagementGroupId, corp.Removed, corp.EventId));
        var platform = azure.Subscriptions.Single(s => s.SubscriptionId == AzureSamples.PlatformSubscription);
        Assert.True(platform.Removed);
        var sandbox = azure.ManagementGroups.Single(g => g.GroupId == "ct-sandbox");
        Assert.Equal((true, events[2].EventId), (sandbox.Deleted, sandbox.EventId));
        var assignment = azure.PolicyAssignments.Single(a => a.AssignmentId == DenyPublicIp.ToLowerInvariant());
        Assert.Equal(("DoNotEnforce", "Deny", events[4].EventId), (assignment.EnforcementMode, assignment.Effect, assignment.EventId));
        var exemption = Assert.Single(azure.PolicyExemptions);
        Assert.False(exemption.Deleted);
        // One finding per drift, however many times its event came.
        var findings = await client.GetFromJsonAsync<List<FindingView>>("/api/governance/findings?kind=drift", TestContext.Current.CancellationToken);
        Assert.Equal(5, findings!.Count);
        Assert.All(findings, f => Assert.Equal(1, f.Occurrences));
    }

    private static JsonObject Assignment(string definition, string mode, string effect) => new()
    {
        ["properties"] = new JsonObject
        {
            ["policyDefinitionId"] = $"/providers/Microsoft.Authorization/policyDefinitions/{definition}",
            ["enforcementMode"] = mode,
            ["parameters"] = new JsonObject { ["effect"] = new JsonObject { ["value"] = effect } },
        },
    };

    private static Task Publish(IBus bus, IReadOnlyList<CloudActivity> activities) =>
        bus.Publish(new CloudActivityBatch { BatchId = Guid.NewGuid(), Source = "test", ReceivedAt = DateTimeOffset.UtcNow, Activities = activities },
            TestContext.Current.CancellationToken);

    private Task<List<FindingView>> Findings(Func<List<FindingView>, bool> until) =>
        client.GetUntilAsync("/api/governance/findings?kind=drift", until);
}
