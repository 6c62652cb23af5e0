using ControlTower.Governance.Baseline;
using ControlTower.Testing;

namespace ControlTower.Governance.Tests;

/// <summary>The landing-zone baseline format: the shipped example loads; every fault is named by line and field.</summary>
public sealed class BaselineTests
{
    private static readonly string Example = Path.Combine(Repository.Root, "deploy", "landing-zone", "baseline.yaml");

    private static (LandingZoneBaseline? Baseline, IReadOnlyList<BaselineError> Errors) Load(string yaml) =>
        BaselineLoader.Load(yaml, file => file == "policies/deny.json"
            ? """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"""
            : null);

    private const string Minimal = """
        version: 1
        aws:
          organization:
            id: o-exampleorgid
            root: r-ab12
            managementAccount: "111122223333"
          organizationalUnits:
            - id: ou-ab12-wkl00001
              name: Workloads
          accounts:
            - id: "555566667777"
              name: payments
              role: workload
              ou: ou-ab12-wkl00001
          policies:
            - id: p-guardrail01
              name: deny-leave
              file: policies/deny.json
              attach: [r-ab12]
        """;

    [Fact]
    public void TheShippedExampleLoadsWithItsWholeTree()
    {
        var folder = Path.GetDirectoryName(Example)!;
        var (baseline, errors) = BaselineLoader.Load(File.ReadAllText(Example), f => File.ReadAllText(Path.Combine(folder, f)));

        Assert.Empty(errors);
        var aws = baseline!.Aws!;
        Assert.Equal(7, aws.OrganizationalUnits.Count);
        Assert.Equal(2, aws.OrganizationalUnits.Single(o => o.Id == "ou-ab12-prd00001").Depth);
        Assert.Equal(["management", "log-archive", "audit", "shared-services", "workload", "workload"], aws.Accounts.Select(a => a.Role));
        Assert.Equal(3, aws.Policies.Count);
        Assert.Equal(2, baseline.Azure!.Subscriptions.Count);
    }

    [Fact]
    public void AMinimalBaselineLoads()
    {
        var (baseline, errors) = Load(Minimal);

        Assert.Empty(errors);
        Assert.Equal("r-ab12", baseline!.Aws!.Policies.Single().Targets.Single());
    }

    [Theory]
    [InlineData("      name: Workloads", "      name: Workloads\n      colour: blue", 10, "aws.organizationalUnits[0].colour")]
    [InlineData("    - id: \"555566667777\"", "    - id: \"5555\"", 11, "aws.accounts[0].id")]
    [InlineData("      role: workload", "      role: boss", 13, "aws.accounts[0].role")]
    [InlineData("      ou: ou-ab12-wkl00001", "      ou: ou-ab12-zzz00001", 14, "aws.accounts[0].ou")]
    [InlineData("      attach: [r-ab12]", "      attach: [ou-ab12-nope0001]", 19, "aws.policies[0].attach")]
    [InlineData("      file: policies/deny.json", "      file: policies/missing.json", 18, "aws.policies[0].file")]
    [InlineData("    id: o-exampleorgid", "    id: example", 4, "aws.organization.id")]
    [InlineData("version: 1", "version: 2", 1, "version")]
    [InlineData("      name: Workloads", "      name: Workloads\n      controls: [GOV.EC2.2, AWS-GR_NOT_A_CONTROL]", 10, "aws.organizationalUnits[0].controls")]
    [InlineData("      name: Workloads", "      name: Workloads\n      controls: [GOV.AZ.LOCK.1]", 10, "aws.organizationalUnits[0].controls")]
    [InlineData("      name: Workloads", "      name: Workloads\n      controls: [GOV.EC2.2, GOV.EC2.2]", 10, "aws.organizationalUnits[0].controls")]
    public void FaultsAreNamedByLineAndField(string line, string replacement, int expectedLine, string field)
    {
        var (baseline, errors) = Load(Minimal.Replace(line, replacement, StringComparison.Ordinal));

        Assert.Null(baseline);
        var error = Assert.Single(errors);
        Assert.Equal((expectedLine, field), (error.Line, error.Field));
    }

    [Fact]
    public void PolicyDocumentsAreCheckedWithTheScpRules()
    {
        var yaml = Minimal.Replace("      file: policies/deny.json", """
                  document: |
                    {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*"}]}
            """, StringComparison.Ordinal);

        var (_, errors) = Load(yaml);

        var error = Assert.Single(errors);
        Assert.Equal("aws.policies[0].document.Statement[0].Principal", error.Field);
        Assert.Equal(18, error.Line);
    }

    [Fact]
    public void OusNestAtMostFiveLevelsBelowTheRoot()
    {
        // Six OUs, each the only child of the one before.
        var lines = new List<string>();
        for (var level = 1; level <= 6; level++)
        {
            var indent = new string(' ', 4 * level);
            lines.Add($"{indent}- id: ou-ab12-lvl0000{level}");
            lines.Add($"{indent}  name: level{level}");
            if (level < 6)
            {
                lines.Add($"{indent}  children:");
            }
        }
        var yaml = "version: 1\naws:\n  organization:\n    id: o-exampleorgid\n    root: r-ab12\n    managementAccount: \"111122223333\"\n"
            + "  organizationalUnits:\n" + string.Join('\n', lines.Select(l => l[2..])) + "\n";

        var (_, errors) = Load(yaml);

        Assert.Contains(errors, e => e.Message.Contains("at most 5 levels", StringComparison.Ordinal));
    }

    [Fact]
    public void AnUnknownControlIsAFaultWithItsLineAndWhatToLookAt()
    {
        var yaml = Minimal.Replace("      name: Workloads", "      name: Workloads\n      controls:\n        - GOV.EC2.2\n        - AWS-GR_NOT_A_CONTROL",
            StringComparison.Ordinal);

        var (baseline, errors) = Load(yaml);

        Assert.Null(baseline);
        var error = Assert.Single(errors);
        Assert.Equal((12, "aws.organizationalUnits[0].controls"), (error.Line, error.Field));
        Assert.Contains("'AWS-GR_NOT_A_CONTROL' is not a control of the catalog", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheShippedExampleEnablesControlsOnOusAndManagementGroups()
    {
        var folder = Path.GetDirectoryName(Example)!;
        var (baseline, errors) = BaselineLoader.Load(File.ReadAllText(Example), f => File.ReadAllText(Path.Combine(folder, f)));

        Assert.Empty(errors);
        Assert.Contains("GOV.EC2.2", baseline!.Aws!.OrganizationalUnits.Single(o => o.Name == "Workloads").Controls);
        Assert.Contains("GOV.AZ.LOCK.1", baseline.Azure!.ManagementGroups.Single(g => g.Id == "alz").Controls);
    }
}
