using System.Text.Json.Nodes;
using ControlTower.Contracts.Activity;
using ControlTower.Governance.Observed;

namespace ControlTower.Governance.Tests;

/// <summary>The Azure interpreter over realistic Activity Log records (tests/TestData/azure).</summary>
public sealed class AzureEventsTests
{
    private const string Mg = "/providers/microsoft.management/managementgroups/";

    [Fact]
    public void EveryGovernanceRecordIsReadIntoTheChangeItMakes()
    {
        var events = AzureSamples.Events();

        var changes = events.Select(AzureEvents.Interpret).ToList();

        Assert.Equal(new SubscriptionPlaced(AzureSamples.CorpSubscription, "ct-platform", false, null, events[0].Time, events[0].EventId), Assert.Single(changes[0]));
        Assert.Equal(new SubscriptionPlaced(AzureSamples.PlatformSubscription, "ct-platform", true, null, events[1].Time, events[1].EventId), Assert.Single(changes[1]));
        Assert.Equal(new ManagementGroupChanged("ct-sandbox", null, null, true, events[2].Time, events[2].EventId), Assert.Single(changes[2]));
        // The created group's name and parent come from the request body.
        Assert.Equal(new ManagementGroupChanged("ct-decommissioned", "Decommissioned", "ct-root", false, events[3].Time, events[3].EventId), Assert.Single(changes[3]));
        var assignment = Assert.IsType<PolicyAssignmentChanged>(Assert.Single(changes[4]));
        Assert.Equal(Mg + "ct-landingzones/providers/microsoft.authorization/policyassignments/deny-public-ip", assignment.AssignmentId);
        Assert.Equal((Mg + "ct-landingzones", "deny-public-ip"), (assignment.Scope, assignment.Name));
        Assert.Equal("/providers/Microsoft.Authorization/policyDefinitions/6c112d4e-5bc7-47ae-a041-ea2d9dccd749", assignment.DefinitionId);
        Assert.Equal(("DoNotEnforce", "Deny", false), (assignment.EnforcementMode, assignment.Effect, assignment.Deleted));
        var exemption = Assert.IsType<PolicyExemptionChanged>(Assert.Single(changes[5]));
        Assert.Equal($"/subscriptions/{AzureSamples.PlatformSubscription}/resourcegroups/rg-diag", exemption.Scope);
        Assert.Equal(Mg + "ct-root/providers/microsoft.authorization/policyassignments/audit-diagnostics", exemption.AssignmentId);
        Assert.Equal(("Waiver", new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero)), (exemption.Category, exemption.ExpiresOn));
        // The Start record and the failed delete change nothing.
        Assert.Empty(changes[6]);
        Assert.Empty(changes[7]);
    }

    [Fact]
    public void TheRestFormPolicyAssignmentDeleteIsRead()
    {
        var delete = AzureSamples.Activity(AzureSamples.RestAssignmentDelete());

        var change = Assert.IsType<PolicyAssignmentChanged>(Assert.Single(AzureEvents.Interpret(delete)));

        Assert.True(change.Deleted);
        Assert.Equal("/subscriptions/11112222-bbbb-3333-cccc-4444dddd5555/resourcegroups/rg-prod-core/providers/microsoft.authorization/policyassignments/deny-public-storage",
            change.AssignmentId);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 10, 2, 17, 441, TimeSpan.Zero).AddTicks(9832), change.At);
        Assert.Null(change.DefinitionId);
    }

    [Fact]
    public void OperationNamesAreComparedWithoutCase()
    {
        var upper = AzureSamples.Events()[0] with { Operation = "MICROSOFT.MANAGEMENT/MANAGEMENTGROUPS/SUBSCRIPTIONS/WRITE" };
        var mixed = AzureSamples.Events()[2] with { Operation = "Microsoft.Management/managementGroups/DELETE" };

        Assert.IsType<SubscriptionPlaced>(Assert.Single(AzureEvents.Interpret(upper)));
        Assert.True(Assert.IsType<ManagementGroupChanged>(Assert.Single(AzureEvents.Interpret(mixed))).Deleted);
        Assert.True(AzureEvents.Concerns(upper));
    }

    [Fact]
    public void FailedUnfinishedAndOtherCloudsActivityChangesNothing()
    {
        var move = AzureSamples.Events()[0];

        Assert.Empty(AzureEvents.Interpret(move with { Outcome = ActivityOutcome.Failure, ErrorCode = "AuthorizationFailed" }));
        Assert.Empty(AzureEvents.Interpret(move with { Outcome = ActivityOutcome.Unknown }));
        Assert.Empty(AzureEvents.Interpret(move with { Provider = "aws" }));
        Assert.Empty(AzureEvents.Interpret(move with { ResourceId = null }));
        // An unrelated operation, even on a management group.
        Assert.Empty(AzureEvents.Interpret(move with { Operation = "microsoft.management/managementgroups/read" }));
    }

    [Fact]
    public void AWriteWithoutABodyOrWithABrokenOneLeavesWhatItWouldNameUnknown()
    {
        const string Id = "/providers/Microsoft.Management/managementGroups/ct-root/providers/Microsoft.Authorization/policyAssignments/audit-diagnostics";
        var bare = AzureSamples.Record("Microsoft.Authorization/policyAssignments/write", Id, "2026-11-28T12:00:00Z");
        var raw = JsonNode.Parse(bare.Raw)!.AsObject();
        raw["properties"]!["requestbody"] = "{\"properties\":{\"policyDefinitionId\":\"/providers/Micro";
        var truncated = AzureSamples.Activity(raw);
        // The response body names what the request body (here absent) would have.
        raw["properties"]!["requestbody"] = null;
        raw["properties"]!["responseBody"] = "{\"properties\":{\"policyDefinitionId\":\"/providers/x/policySetDefinitions/diagnostics\",\"enforcementMode\":\"Default\",\"parameters\":{\"Effect\":{\"value\":\"AuditIfNotExists\"}}}}";
        var response = AzureSamples.Activity(raw);

        var fromBare = Assert.IsType<PolicyAssignmentChanged>(Assert.Single(AzureEvents.Interpret(bare)));
        var fromTruncated = Assert.IsType<PolicyAssignmentChanged>(Assert.Single(AzureEvents.Interpret(truncated)));
        var fromResponse = Assert.IsType<PolicyAssignmentChanged>(Assert.Single(AzureEvents.Interpret(response)));

        Assert.Equal((null, null, null, false), (fromBare.DefinitionId, fromBare.EnforcementMode, fromBare.Effect, fromBare.Deleted));
        Assert.Equal((null, null, null), (fromTruncated.DefinitionId, fromTruncated.EnforcementMode, fromTruncated.Effect));
        Assert.Equal(("/providers/x/policySetDefinitions/diagnostics", "Default", "AuditIfNotExists"),
            (fromResponse.DefinitionId, fromResponse.EnforcementMode, fromResponse.Effect));
    }
}
