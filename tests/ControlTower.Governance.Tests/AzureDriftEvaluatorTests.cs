using ControlTower.Governance.Apis;
using ControlTower.Governance.Baseline;
using ControlTower.Governance.Drift;

namespace ControlTower.Governance.Tests;

/// <summary>The Azure drift rules on their own: which differences are drift, and how severe.</summary>
public sealed class AzureDriftEvaluatorTests
{
    private const string Mg = "/providers/Microsoft.Management/managementGroups/";
    private const string Sub = "11112222-bbbb-3333-cccc-4444dddd5555";
    private static readonly DateTimeOffset At = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static readonly AzureBaseline Baseline = new("aaaabbbb-0000-cccc-1111-dddd2222eeee",
        [new("ct-root", "Root", null, []), new("ct-platform", "Platform", "ct-root", []), new("ct-landingzones", "Landing zones", "ct-root", []), new("ct-corp", "Corp", "ct-landingzones", [])],
        [new(Sub.ToUpperInvariant(), "corp-core", "ct-corp")],
        [new("deny-public-ip", Mg + "ct-landingzones", "/providers/Microsoft.Authorization/policyDefinitions/6c112d4e", "deny"),
         new("audit-diagnostics", Mg + "ct-root", "/providers/Microsoft.Authorization/policySetDefinitions/diagnostics", "auditIfNotExists")]);

    private static ObservedAzureView View(
        IReadOnlyList<ManagementGroupView>? groups = null, IReadOnlyList<SubscriptionView>? subscriptions = null,
        IReadOnlyList<PolicyAssignmentView>? assignments = null, IReadOnlyList<PolicyExemptionView>? exemptions = null) =>
        new(groups ?? [], subscriptions ?? [], assignments ?? [], exemptions ?? []);

    private static PolicyExemptionView Exemption(string scope, string? assignment, string? category = null) =>
        new($"{scope}/providers/microsoft.authorization/policyexemptions/x".ToLowerInvariant(), "x", scope.ToLowerInvariant(), assignment?.ToLowerInvariant(), category, null, false, At, "e1");

    [Fact]
    public void TheEstateAsTheBaselineSaysHasNoDrift()
    {
        var observed = View(
            [new("ct-corp", "Corp", "ct-landingzones", false, At, "e1")],
            [new(Sub, "corp-core", "ct-corp", false, At, "e2")],
            [new(AzureDriftEvaluator.AssignmentId(Baseline.PolicyAssignments[0]), "deny-public-ip", Mg.ToLowerInvariant() + "ct-landingzones",
                "/providers/microsoft.authorization/policydefinitions/6c112d4e", "Default", "Deny", false, At, "e3")]);

        Assert.Empty(AzureDriftEvaluator.Evaluate(Baseline, observed));
    }

    [Fact]
    public void AnExemptionWithoutItsAssignmentIdIsDriftWhenItsScopeLiesUnderABaselineAssignmentThroughTheGroupTree()
    {
        // The subscription sits in Corp, under Landing zones, where deny-public-ip is assigned.
        var inResourceGroup = Exemption($"/subscriptions/{Sub}/resourceGroups/rg-web", null, "Mitigated");
        var inGroup = Exemption(Mg + "ct-corp", null);
        var elsewhere = Exemption("/subscriptions/99999999-bbbb-3333-cccc-4444dddd5555", null);
        var otherAssignment = Exemption($"/subscriptions/{Sub}", $"/subscriptions/{Sub}/providers/Microsoft.Authorization/policyAssignments/tags");

        var drift = AzureDriftEvaluator.Evaluate(Baseline, View(exemptions: [inResourceGroup, inGroup, elsewhere, otherAssignment]));

        Assert.Equal([(inGroup.ExemptionId, "high"), (inResourceGroup.ExemptionId, "medium")],
            drift.Where(d => d.Type == "POLICY_EXEMPTION_CREATED").Select(d => (d.Subject, d.Severity)).Order());
        Assert.Equal(2, drift.Count);
        // Deleted, it is no longer drift.
        Assert.Empty(AzureDriftEvaluator.Evaluate(Baseline, View(exemptions: [inGroup with { Deleted = true }])));
    }

    [Fact]
    public void AnEffectChangeThatKeepsTheGuardrailIsMediumAndOneThatWeakensItIsHigh()
    {
        var id = AzureDriftEvaluator.AssignmentId(Baseline.PolicyAssignments[1]);
        var audit = new PolicyAssignmentView(id, "audit-diagnostics", Mg + "ct-root", "/providers/Microsoft.Authorization/policySetDefinitions/diagnostics",
            "Default", "Audit", false, At, "e1");
        var denyId = AzureDriftEvaluator.AssignmentId(Baseline.PolicyAssignments[0]);
        var weakened = new PolicyAssignmentView(denyId, "deny-public-ip", Mg + "ct-landingzones", null, null, "Disabled", false, At, "e2");

        var drift = AzureDriftEvaluator.Evaluate(Baseline, View(assignments: [audit, weakened]));

        Assert.Equal([(denyId, "high"), (id, "medium")], drift.Select(d => (d.Subject, d.Severity)));
        Assert.All(drift, d => Assert.Equal("POLICY_ASSIGNMENT_CHANGED", d.Type));
        // An unknown definition (a write without a body) is not a difference.
        Assert.DoesNotContain("assigns", drift[0].Observed);
    }

    [Fact]
    public void AMovedGroupAndASubscriptionRemovedFromAnotherGroupAreDrift()
    {
        var observed = View(
            [new("ct-corp", "Corp", "ct-platform", false, At, "e1")],
            [new(Sub, null, "ct-platform", true, At, "e2")]);

        var drift = AzureDriftEvaluator.Evaluate(Baseline, observed);

        Assert.Equal([("MANAGEMENT_GROUP_MOVED", "ct-corp"), ("SUBSCRIPTION_MOVED_BETWEEN_MANAGEMENT_GROUPS", Sub)], drift.Select(d => (d.Type, d.Subject)));
        // Under the tenant root group it is governed by neither of the assignments the baseline puts over Corp.
        Assert.Contains("tenant root group", drift[1].Observed);
        Assert.Contains("deny-public-ip, audit-diagnostics", drift[1].Observed);
        Assert.Equal("high", drift[1].Severity);
    }
}
