using System.Text.Json.Nodes;
using ControlTower.Governance.Apis;
using ControlTower.Governance.Baseline;
using ControlTower.Governance.Controls;
using ControlTower.Governance.Drift;
using ControlTower.Testing;

namespace ControlTower.Governance.Tests;

/// <summary>
/// Whether the observed SCPs still enforce each preventive control where the example baseline enables it: the
/// whole path from the root, so a denial lost from one policy but still made by another is no weakening.
/// </summary>
public sealed class PreventiveControlDriftTests
{
    private const string CloudTrailControl = "AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED";
    private static readonly DateTimeOffset At = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Folder = Path.Combine(Repository.Root, "deploy", "landing-zone");
    private static readonly LandingZoneBaseline Example =
        BaselineLoader.Load(File.ReadAllText(Path.Combine(Folder, "baseline.yaml")), f => File.ReadAllText(Path.Combine(Folder, f))).Baseline!;

    private static ObservedOrganizationView Observed(params PolicyView[] policies) => new([], [], policies, []);

    private static PolicyView Policy(string id, string? content = null, string[]? targets = null, string[]? detachedFrom = null, bool deleted = false) =>
        new(id, id, "SERVICE_CONTROL_POLICY", deleted, targets ?? [], detachedFrom ?? [], content, At, "evt-" + id);

    /// <summary>The deny-leave guardrail (attached at the root) with its CloudTrail statement taken out.</summary>
    private static string GuardrailsWithoutCloudTrail()
    {
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "policies", "guardrails.json")))!;
        document["Statement"]!.AsArray().RemoveAt(1);
        return document.ToJsonString();
    }

    private static List<DriftFinding> Evaluate(ObservedOrganizationView observed) =>
        [.. PreventiveControlDrift.Evaluate(Example, observed, ControlCatalog.Default)];

    [Fact]
    public void AsTheBaselineWritesItEveryPreventiveControlItEnforcesHolds() =>
        Assert.Empty(Evaluate(Observed()));

    [Fact]
    public void ARootPolicyThatStopsDenyingCloudTrailChangesWeakensTheControlOnlyWhereNoOtherPolicyStillDoes()
    {
        var finding = Assert.Single(Evaluate(Observed(Policy("p-guardrail01", GuardrailsWithoutCloudTrail()))));

        Assert.Equal(("PREVENTIVE_CONTROL_WEAKENED", CloudTrailControl, "critical"), (finding.Type, finding.Subject, finding.Severity));
        // Security and Workloads (and the log archive) keep protect-logging's denial; only shared services, under
        // Infrastructure, had the CloudTrail denial from the root policy alone.
        Assert.EndsWith("in 1 account(s): 444455556666", finding.Observed, StringComparison.Ordinal);
        Assert.Contains("cloudtrail:DeleteTrail, cloudtrail:StopLogging, cloudtrail:UpdateTrail", finding.Observed, StringComparison.Ordinal);
        Assert.Equal("evt-p-guardrail01", finding.EvidenceEventId);
    }

    [Fact]
    public void DroppingDenialsWeakensTheControlOnlyForTheActionsNoOtherPolicyStillDenies()
    {
        // protect-logging without its CloudTrail statement: the root guardrail still denies those actions everywhere,
        // and PutEventSelectors, which only protect-logging denied, is not one the control's SCPs made hold.
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "policies", "protect-logging.json")))!;
        document["Statement"]!.AsArray().RemoveAt(0);

        var findings = Evaluate(Observed(Policy("p-guardrail02", document.ToJsonString())));

        var finding = Assert.Single(findings);
        Assert.Equal(CloudTrailControl, finding.Subject);
        Assert.Contains("no longer deny cloudtrail:PutEventSelectors in 4 account(s)", finding.Observed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("detached")]
    [InlineData("deleted")]
    public void DetachingOrDeletingTheRootPolicyWeakensTheControl(string how)
    {
        var view = how == "detached" ? Policy("p-guardrail01", detachedFrom: ["r-ab12"]) : Policy("p-guardrail01", deleted: true);

        var finding = Assert.Single(Evaluate(Observed(view)));

        Assert.Equal(CloudTrailControl, finding.Subject);
        Assert.EndsWith(": 444455556666", finding.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public void APolicyOutsideTheBaselineCanStillEnforceTheControl()
    {
        // The root policy lost its CloudTrail denial, but an unmanaged policy on Infrastructure makes it.
        const string Unmanaged = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"cloudtrail:*","Resource":"*"}]}""";

        Assert.Empty(Evaluate(Observed(Policy("p-guardrail01", GuardrailsWithoutCloudTrail()), Policy("p-unmanaged1", Unmanaged, ["ou-ab12-inf00001"]))));
    }

    [Fact]
    public void APreventiveControlTheBaselinesSCPsDoNotEnforceIsNamedWithTheAccountsWhereItIsOnlyWatched()
    {
        var notEnforced = PreventiveControlDrift.NotEnforced(Example, ControlCatalog.Default);

        // The CloudTrail control is mandatory: protect-logging denies PutEventSelectors in Security and Workloads
        // (and the log archive), and nothing denies it to shared services under Infrastructure.
        Assert.Equal(["444455556666"], notEnforced[CloudTrailControl]);
        // No SCP of the example denies deleting the log archive bucket: watched in every member account.
        Assert.Equal(["222233334444", "333344445555", "444455556666", "555566667777", "666677778888"],
            notEnforced["AWS-GR_AUDIT_BUCKET_DELETION_PROHIBITED"]);
        // The management account is never listed: SCPs do not restrict it.
        Assert.DoesNotContain(notEnforced.Values, accounts => accounts.Contains("111122223333"));
    }

    [Fact]
    public void AControlsActionsAreItsServiceWithEachOperation()
    {
        var control = ControlCatalog.Default.Controls.Single(c => c.Id == CloudTrailControl);

        Assert.Equal(["cloudtrail:DeleteTrail", "cloudtrail:PutEventSelectors", "cloudtrail:StopLogging", "cloudtrail:UpdateTrail"],
            PreventiveControlDrift.Actions(control.Match).Order(StringComparer.Ordinal));
    }
}
