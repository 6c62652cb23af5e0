using ControlTower.Governance.Baseline;
using ControlTower.Governance.Scp;
using ControlTower.Testing;

namespace ControlTower.Governance.Tests;

/// <summary>What an SCP change means: which of the baseline document's denials a new document no longer makes.</summary>
public sealed class ScpSemanticsTests
{
    private const string ProtectCloudTrail = """
        {"Sid":"ProtectCloudTrail","Effect":"Deny","Action":["cloudtrail:StopLogging","cloudtrail:DeleteTrail"],"Resource":"*",
         "Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/AWSControlTowerExecution"}}}
        """;

    private static readonly string[] Accounts = ["555566667777", "666677778888"];

    private static ScpPolicy Policy(string statements) =>
        ScpParser.Parse("p-test", "test", $$"""{"Version":"2012-10-17","Statement":[{{statements}}]}""").Policy
            ?? throw new InvalidOperationException("the test policy does not parse");

    private static IEnumerable<string> Lost(string before, string after) =>
        ScpSemantics.Weakened(Policy(before), Policy(after), Accounts).Select(w => w.Resource == "*" ? w.Action : $"{w.Action} on {w.Resource}");

    [Fact]
    public void DroppingAnActionFromADenyWeakensItInEveryAccount()
    {
        var weakened = ScpSemantics.Weakened(Policy(ProtectCloudTrail), Policy(ProtectCloudTrail.Replace("\"cloudtrail:StopLogging\",", "", StringComparison.Ordinal)), Accounts);

        var lost = Assert.Single(weakened);
        Assert.Equal(("cloudtrail:StopLogging", "*", "ProtectCloudTrail"), (lost.Action, lost.Resource, lost.StatementSid));
        Assert.Equal(Accounts, lost.Accounts);
    }

    [Theory]
    // The same denials, written otherwise: split statements, a wildcard that covers them, a deny of everything.
    [InlineData("""{"Effect":"Deny","Action":"cloudtrail:StopLogging","Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/AWSControlTowerExecution"}}},{"Effect":"Deny","Action":"cloudtrail:DeleteTrail","Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/AWSControlTowerExecution"}}}""")]
    [InlineData("""{"Effect":"Deny","Action":"cloudtrail:*","Resource":"*"}""")]
    [InlineData("""{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}""")]
    [InlineData("""{"Effect":"Deny","Action":["cloudtrail:stoplogging","CLOUDTRAIL:DELETETRAIL"],"Resource":"*"}""")]
    public void RewritingADenyWithoutLosingAnythingWeakensNothing(string after) =>
        Assert.Empty(Lost(ProtectCloudTrail, after));

    [Theory]
    // The exemption widened to every role: the deny no longer reaches an ordinary principal.
    [InlineData("""{"Effect":"Deny","Action":["cloudtrail:StopLogging","cloudtrail:DeleteTrail"],"Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}}}""", "cloudtrail:StopLogging,cloudtrail:DeleteTrail")]
    // Turned into an Allow.
    [InlineData("""{"Effect":"Allow","Action":["cloudtrail:StopLogging","cloudtrail:DeleteTrail"],"Resource":"*"}""", "cloudtrail:StopLogging,cloudtrail:DeleteTrail")]
    // Narrowed to a region the request does not name: with the key missing, StringEquals does not match.
    [InlineData("""{"Effect":"Deny","Action":["cloudtrail:StopLogging","cloudtrail:DeleteTrail"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}""", "cloudtrail:StopLogging,cloudtrail:DeleteTrail")]
    // A prefix that no longer covers one of them.
    [InlineData("""{"Effect":"Deny","Action":"cloudtrail:Stop*","Resource":"*"}""", "cloudtrail:DeleteTrail")]
    public void LooseningADenyIsNamedActionByAction(string after, string lost) =>
        Assert.Equal(lost.Split(','), Lost(ProtectCloudTrail, after));

    [Fact]
    public void WildcardsAndResourcesOfTheBaselineAreAskedWithAStandIn()
    {
        const string before = """{"Effect":"Deny","Action":"s3:Put*","Resource":"arn:aws:s3:::log-archive-*"}""";

        Assert.Empty(Lost(before, """{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::log-*"}"""));
        Assert.Equal(["s3:PutControlTowerProbe on arn:aws:s3:::log-archive-ControlTowerProbe"],
            Lost(before, """{"Effect":"Deny","Action":"s3:PutBucketPolicy","Resource":"arn:aws:s3:::log-archive-*"}"""));
        Assert.Equal(["s3:PutControlTowerProbe on arn:aws:s3:::log-archive-ControlTowerProbe"],
            Lost(before, """{"Effect":"Deny","Action":"s3:Put*","Resource":"arn:aws:s3:::other-bucket"}"""));
    }

    [Fact]
    public void APolicyGovernsTheMemberAccountsAtAndBelowItsTargets()
    {
        var folder = Path.Combine(Repository.Root, "deploy", "landing-zone");
        var aws = BaselineLoader.Load(File.ReadAllText(Path.Combine(folder, "baseline.yaml")), f => File.ReadAllText(Path.Combine(folder, f))).Baseline!.Aws!;

        Assert.Equal(["555566667777", "666677778888"], ScpSemantics.AccountsUnder(aws, ["ou-ab12-wkl00001"]).Order());
        Assert.Equal(["222233334444", "333344445555", "555566667777", "666677778888"],
            ScpSemantics.AccountsUnder(aws, ["ou-ab12-sec00001", "ou-ab12-wkl00001", "222233334444"]).Order());
        // The management account sits under the root but SCPs do not restrict it.
        Assert.DoesNotContain("111122223333", ScpSemantics.AccountsUnder(aws, ["r-ab12"]));
    }
}
