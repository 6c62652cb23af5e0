using System.Text;
using ControlTower.Governance.Baseline;
using ControlTower.Governance.Scp;
using ControlTower.Testing;
using ControlTower.Testing.Fuzzing;

namespace ControlTower.Governance.Tests;

/// <summary>
/// The SCP parser and the baseline loader fuzzed from the example landing zone: every input is read or refused with its
/// errors, none throws (README "Reliability and security").
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static readonly string LandingZone = Path.Combine(Repository.Root, "deploy", "landing-zone");

    [Fact]
    public void ServiceControlPolicies()
    {
        var seeds = Directory.GetFiles(Path.Combine(LandingZone, "policies"), "*.json").Select(File.ReadAllBytes).ToList();

        var report = new Fuzzer().Run(seeds, input =>
        {
            var result = ScpParser.Parse("p-fuzz", "fuzz", Encoding.UTF8.GetString(input));
            if (result.Succeeded == (result.Errors.Count > 0) && !result.Succeeded)
            {
                throw new InvalidOperationException("a policy refused without an error");
            }
        });

        output.WriteLine($"SCPs: {report}");
        Assert.True(report.Executions > seeds.Count);
    }

    [Fact]
    public void Baselines()
    {
        var seeds = new[] { Path.Combine(LandingZone, "baseline.yaml"), Repository.TestData("azure/governance-baseline.yaml") }
            .Select(File.ReadAllBytes).ToList();

        var report = new Fuzzer(Iterations: 10_000).Run(seeds, input =>
        {
            var (baseline, errors) = BaselineLoader.Load(Encoding.UTF8.GetString(input),
                file => file.Contains("..", StringComparison.Ordinal) ? null : File.Exists(Path.Combine(LandingZone, file)) ? File.ReadAllText(Path.Combine(LandingZone, file)) : null);
            if (baseline is null && errors.Count == 0)
            {
                throw new InvalidOperationException("a baseline refused without an error");
            }
        });

        output.WriteLine($"baselines: {report}");
        Assert.True(report.Executions > seeds.Count);
    }

    [Theory]
    [InlineData("""{"Version":["2012-10-17"],"Statement":[]}""", "$.Version")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Sid":"\uD800","Effect":"Deny","Action":"*","Resource":"*"}]}""", "$")]
    public void PoliciesTheFuzzerBrokeAreRefusedWithAnError(string json, string path)
    {
        var result = ScpParser.Parse("p-found", "found", json);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Path == path);
    }
}
