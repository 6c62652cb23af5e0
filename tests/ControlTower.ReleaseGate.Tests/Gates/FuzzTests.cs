using System.Text;
using ControlTower.ReleaseGate.Evidence;
using ControlTower.ReleaseGate.Policies;
using ControlTower.Testing;
using ControlTower.Testing.Fuzzing;

namespace ControlTower.ReleaseGate.Tests.Gates;

/// <summary>
/// The smoke report parsers (JUnit, CTRF, TAP) and the gate policy parser fuzzed from real inputs: every input is parsed or
/// refused with an error, none throws (README "Reliability and security").
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(SmokeFormat.JUnit)]
    [InlineData(SmokeFormat.Ctrf)]
    [InlineData(SmokeFormat.Tap)]
    public void SmokeReports(SmokeFormat format)
    {
        var seed = format switch
        {
            SmokeFormat.JUnit => SmokeReportParserTests.JUnit,
            SmokeFormat.Ctrf => SmokeReportParserTests.Ctrf,
            _ => SmokeReportParserTests.Tap,
        };

        var report = new Fuzzer().Run([Encoding.UTF8.GetBytes(seed)], input =>
        {
            var result = SmokeReportParser.Parse(format, input, tapSuite: "fuzz");
            // Either a run or an error that says what is wrong, never both, never neither.
            if (result.Succeeded == (result.Error is not null) || result.Error is { Message.Length: 0 })
            {
                throw new InvalidOperationException($"a result that is neither a run nor an error: {result}");
            }
        });

        output.WriteLine($"{format}: {report}");
        Assert.True(report.Executions > 1);
    }

    [Fact]
    public void GatePolicies()
    {
        var seeds = Directory.GetFiles(Path.Combine(Repository.Root, "deploy", "release-gates"), "*.yaml").Select(File.ReadAllBytes).ToList();

        var report = new Fuzzer(Iterations: 10_000).Run(seeds, input =>
        {
            var result = GatePolicyParser.Parse(Encoding.UTF8.GetString(input));
            if ((result.Snapshot is null) == (result.Errors.Count == 0))
            {
                throw new InvalidOperationException("a policy result with neither a snapshot nor errors");
            }
        });

        output.WriteLine($"gate policies: {report}");
        Assert.True(report.Executions > seeds.Count);
    }

    [Fact]
    public void ACtrfReportWhoseTextIsNotUtf8IsRefusedWithAnError()
    {
        byte[] report = [.. Encoding.UTF8.GetBytes("{\"results\":{\"tool\":{\"name\":\"pla"), 0xC0, 0xAF, .. Encoding.UTF8.GetBytes("y\"},\"tests\":[]}}")];

        var result = SmokeReportParser.Parse(SmokeFormat.Ctrf, report);

        Assert.False(result.Succeeded);
        Assert.Contains("cannot be read", result.Error!.Message, StringComparison.Ordinal);
    }
}
