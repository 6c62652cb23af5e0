using ControlTower.Governance.Baseline;
using ControlTower.Governance.Controls;
using ControlTower.Testing;

namespace ControlTower.Governance.Tests;

/// <summary>Which controls are on for an account: the shipped example baseline's tree, and the observed placement over it.</summary>
public sealed class ControlPlacementTests
{
    private static readonly IReadOnlyDictionary<string, string?> NoObservedOus = new Dictionary<string, string?>();

    private static ControlPlacement Example()
    {
        var path = Path.Combine(Repository.Root, "deploy", "landing-zone", "baseline.yaml");
        var (baseline, errors) = BaselineLoader.Load(File.ReadAllText(path), f => File.ReadAllText(Path.Combine(Path.GetDirectoryName(path)!, f)));
        Assert.Empty(errors);
        return new ControlPlacement(baseline!, ControlCatalog.Default);
    }

    [Fact]
    public void AnAccountHasTheControlsOfItsOuAndEveryOuAboveAndTheMandatoryOnes()
    {
        var scope = Example().Resolve("aws", "555566667777", null, NoObservedOus);

        Assert.Equal("ou-ab12-prd00001", scope.Parent);
        Assert.Equal("workload", scope.Role);
        Assert.False(scope.IsManagementAccount);
        Assert.Equal("ou-ab12-prd00001", scope.Enabled["GOV.IAM.1"]);
        Assert.Equal("ou-ab12-wkl00001", scope.Enabled["GOV.EC2.2"]);
        Assert.Equal(ControlPlacement.MandatoryPlacement, scope.Enabled["AWS-GR_CLOUDTRAIL_CHANGE_PROHIBITED"]);
        Assert.DoesNotContain("GOV.AZ.LOCK.1", scope.Enabled.Keys);
    }

    [Fact]
    public void TheObservedParentWinsOverTheBaselines()
    {
        var placement = Example();

        var asBaseline = placement.Resolve("aws", "444455556666", null, NoObservedOus);
        var moved = placement.Resolve("aws", "444455556666", "ou-ab12-sbx00001", NoObservedOus);

        Assert.Contains("GOV.EC2.1", asBaseline.Enabled.Keys);
        Assert.DoesNotContain("GOV.IAM.1", asBaseline.Enabled.Keys);
        Assert.Equal("ou-ab12-sbx00001", moved.Enabled["GOV.IAM.1"]);
        Assert.DoesNotContain("GOV.EC2.1", moved.Enabled.Keys);
    }

    [Fact]
    public void AnOuTheBaselineDoesNotKnowIsFollowedUpToOneItDoes()
    {
        var observedOus = new Dictionary<string, string?> { ["ou-ab12-new00001"] = "ou-ab12-wkl00001" };

        var scope = Example().Resolve("aws", "777788889999", "ou-ab12-new00001", observedOus);

        Assert.Equal("ou-ab12-wkl00001", scope.Enabled["GOV.EC2.2"]);
        Assert.Null(scope.Role);
    }

    [Fact]
    public void AnAccountNowhereKnownHasTheMandatoryControlsOnly()
    {
        var scope = Example().Resolve("aws", "999999999999", null, NoObservedOus);

        Assert.NotEmpty(scope.Enabled);
        Assert.All(scope.Enabled, e => Assert.True(ControlCatalog.Default.Find(e.Key)!.IsMandatory && e.Value == ControlPlacement.MandatoryPlacement));
    }

    [Fact]
    public void TheManagementAccountIsKnownAsSuch()
    {
        var scope = Example().Resolve("aws", "111122223333", null, NoObservedOus);

        Assert.True(scope.IsManagementAccount);
        Assert.Equal("management", scope.Role);
    }

    [Fact]
    public void ASubscriptionHasTheControlsOfItsManagementGroupsWhateverTheCaseOfItsId()
    {
        var placement = Example();

        var scope = placement.Resolve("azure", "22222222-3333-4444-5555-666666666666".ToUpperInvariant(), null, NoObservedOus);

        Assert.Equal("alz-corp", scope.Parent);
        Assert.Equal("alz", scope.Enabled["GOV.AZ.LOCK.1"]);
        Assert.DoesNotContain("GOV.AZ.POLICY.2", scope.Enabled.Keys);
        Assert.Equal(["alz-sandbox"], placement.EnabledOn(ControlCatalog.Default.Find("GOV.AZ.POLICY.2")!));
        Assert.Equal([ControlPlacement.MandatoryPlacement], placement.EnabledOn(ControlCatalog.Default.Find("GOV.AZ.MONITOR.1")!));
    }
}
