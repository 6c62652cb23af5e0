using ControlTower.Contracts.Governance;
using ControlTower.Governance.Baseline;
using ControlTower.Testing;

namespace ControlTower.Governance.Tests;

/// <summary>Who owns what: each account's owner, team and environment from itself, else the nearest OU or management group above it.</summary>
public sealed class AccountDirectoryTests
{
    private static readonly string Example = Path.Combine(Repository.Root, "deploy", "landing-zone", "baseline.yaml");

    private static LandingZoneBaseline Load(string yaml)
    {
        var (baseline, errors) = BaselineLoader.Load(yaml, f => File.ReadAllText(Path.Combine(Path.GetDirectoryName(Example)!, f)));
        Assert.Empty(errors);
        return baseline!;
    }

    [Fact]
    public void TheShippedExampleNamesAnOwnerTeamAndEnvironmentForEveryAccountAndSubscription()
    {
        var directory = AccountDirectory.Of(Load(File.ReadAllText(Example)), 3, DateTimeOffset.UnixEpoch);

        Assert.Equal(3, directory.BaselineVersion);
        Assert.Equal(8, directory.Accounts.Count);
        // The account's own owner and team; the environment from its OU (Prod, below Workloads).
        Assert.Equal(new DirectoryAccount { Provider = "aws", Account = "555566667777", Name = "payments-prod", Owner = "payments-lead@example.com", Team = "payments", Environment = "prod" },
            directory.Accounts.Single(a => a.Account == "555566667777"));
        Assert.Equal("nonprod", directory.Accounts.Single(a => a.Account == "666677778888").Environment);
        // The team and environment inherited from the Security OU.
        Assert.Equal(("security-ops@example.com", "platform-security", "shared"),
            directory.Accounts.Where(a => a.Account == "222233334444").Select(a => (a.Owner, a.Team, a.Environment)).Single());
        // Azure: the subscription's own owner and team, the environment from the Corp management group.
        Assert.Equal(("azure", "payments-lead@example.com", "payments", "prod"),
            directory.Accounts.Where(a => a.Name == "corp-payments").Select(a => (a.Provider, a.Owner, a.Team, a.Environment)).Single());
        Assert.Equal(("platform", "shared"),
            directory.Accounts.Where(a => a.Provider == "azure" && a.Name == "management").Select(a => (a.Team, a.Environment)).Single());
    }

    [Fact]
    public void TheNearestSettingWinsAndNothingSetStaysUnset()
    {
        var baseline = Load("""
            version: 1
            aws:
              organization:
                id: o-exampleorgid
                root: r-ab12
                managementAccount: "111122223333"
              organizationalUnits:
                - id: ou-ab12-wkl00001
                  name: Workloads
                  team: apps
                  environment: nonprod
                  children:
                    - id: ou-ab12-prd00001
                      name: Prod
                      environment: prod
              accounts:
                - id: "111122223333"
                  name: management
                  role: management
                  ou: r-ab12
                - id: "555566667777"
                  name: shop
                  role: workload
                  ou: ou-ab12-prd00001
                  team: shop
            """);

        var accounts = AccountDirectory.Of(baseline, 1, DateTimeOffset.UnixEpoch).Accounts.ToDictionary(a => a.Account);

        Assert.Equal(("shop", "prod", (string?)null), (accounts["555566667777"].Team, accounts["555566667777"].Environment, accounts["555566667777"].Owner));
        Assert.Equal(((string?)null, (string?)null, (string?)null), (accounts["111122223333"].Team, accounts["111122223333"].Environment, accounts["111122223333"].Owner));
    }

    [Fact]
    public void ATeamOrEnvironmentThatIsNotALabelIsRefusedWithItsLine()
    {
        var (baseline, errors) = BaselineLoader.Load("""
            version: 1
            aws:
              organization:
                id: o-exampleorgid
                root: r-ab12
                managementAccount: "111122223333"
              accounts:
                - id: "111122223333"
                  name: management
                  role: management
                  ou: r-ab12
                  team: Platform Team
                  environment: ""
            """, _ => null);

        Assert.Null(baseline);
        Assert.Contains(errors, e => e.Field == "aws.accounts[0].team" && e.Line == 12);
        Assert.Contains(errors, e => e.Field == "aws.accounts[0].environment" && e.Line == 13);
    }
}
