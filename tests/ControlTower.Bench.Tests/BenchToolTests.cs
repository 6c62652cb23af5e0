namespace ControlTower.Bench.Tests;

public class BenchToolTests
{
    // The shape BenchmarkDotNet 0.15's JSON exporter writes, cut to what the tool reads (and one entry without statistics).
    private const string Export = """
        {"Title":"ScpDecisionBenchmarks-20261129-031146","HostEnvironmentInfo":{},"Benchmarks":[
          {"DisplayInfo":"ScpDecisionBenchmarks.Decide: ShortRun","Namespace":"ControlTower.Benchmarks.Governance","Type":"ScpDecisionBenchmarks",
           "Method":"Decide","Statistics":{"N":3,"Mean":458.21664237976074,"Percentiles":{"P0":440.1,"P95":470.5,"P100":471.0}},
           "Memory":{"Gen0Collections":62,"TotalOperations":2097152,"BytesAllocatedPerOperation":496}},
          {"DisplayInfo":"ScpDecisionBenchmarks.Parse: ShortRun","Namespace":"ControlTower.Benchmarks.Governance","Type":"ScpDecisionBenchmarks",
           "Method":"Parse","Statistics":null,"Memory":null}
        ]}
        """;

    [Fact]
    public void BenchmarkDotNetExportGivesMeanPercentileAllocationAndRate()
    {
        var benchmark = Assert.Single(Engines.Parse(Export));

        Assert.Equal(("ScpDecisionBenchmarks", "Decide"), (benchmark.Type, benchmark.Method));
        Assert.Equal(458.21664237976074, benchmark.MeanNanoseconds);
        Assert.Equal(470.5, benchmark.P95Nanoseconds);
        Assert.Equal(496, benchmark.AllocatedBytes);
        Assert.Equal(2_182_374, benchmark.PerSecond, 0);
    }

    [Fact]
    public void TableRowShowsFigureBesideItsLimitWithTheRatio()
    {
        var report = new BenchReport { Command = "./ct bench" };
        report.Add(new Figure("ingest", "stored", 12_500, "events/s")
        {
            LimitName = "raw PostgreSQL COPY", Limit = 50_000, LimitUnit = "rows/s", Target = "≥ 25 %", Met = true,
        });
        report.Add(new Figure("drift", "p99", null, "ms") { Met = false });

        var lines = report.Markdown().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("| ingest | stored | 12,500 events/s | raw PostgreSQL COPY: 50,000 rows/s | 25 % | ≥ 25 % | yes |", lines[2]);
        Assert.Equal("| drift | p99 | not measured |  |  |  | **no** |", lines[3]);
    }

    [Theory]
    [InlineData(0.5, "0.5")]
    [InlineData(12.345, "12.3")]
    [InlineData(1_234_567.8, "1,234,568")]
    public void NumbersKeepFewDecimals(double value, string text) => Assert.Equal(text, BenchReport.Number(value));

    [Theory]
    [InlineData(0.25, "25 %")]
    [InlineData(0.013, "1.3 %")]
    [InlineData(30.06, "30×")]
    public void RatiosReadAsPercentagesUntilTheyAreMultiples(double ratio, string text) => Assert.Equal(text, BenchReport.Ratio(ratio));

    [Theory]
    [InlineData("/work/x/services/Gateway/bin/Release/net10.0/ControlTower.Gateway", "Gateway")]
    [InlineData("dotnet|/work/x/services/Operations/bin/Release/net10.0/ControlTower.Operations.dll", "Operations")]
    [InlineData("dotnet|run|--project|/work/x/services/Operations/ControlTower.Operations.csproj", null)]
    [InlineData("/work/x/tests/ControlTower.Bench/bin/Release/net10.0/ControlTower.Bench", null)]
    public void FootprintCountsServiceProcessesNotTheCommandsThatStartThem(string argv, string? service) =>
        Assert.Equal(service, Footprint.ServiceOf(argv.Split('|')));

    [Fact]
    public void OnlyRefusesAPartItDoesNotKnow()
    {
        var (options, _) = BenchOptions.Parse(["--only", "limits,ingest"]);
        var (none, error) = BenchOptions.Parse(["--only", "limits,speed"]);

        Assert.Equal(["ingest", "limits"], options!.Only.Order());
        Assert.Null(none);
        Assert.Contains("--only", error);
    }

    [Fact]
    public void CpuProfileSplitsEachProcessBetweenLoadAndDrainAndRanksThemByCostPerEvent()
    {
        var start = new Dictionary<string, double> { ["postgres (all backends)"] = 10, ["Operations"] = 5, ["Gateway"] = 2 };
        var loadEnd = new Dictionary<string, double> { ["postgres (all backends)"] = 16, ["Operations"] = 7, ["Gateway"] = 8 };
        // A backend that came and went after the load can leave a process reading lower: never less than nothing.
        var drainEnd = new Dictionary<string, double> { ["postgres (all backends)"] = 40, ["Operations"] = 19, ["Gateway"] = 7.5, ["Collector.Aws"] = 1 };

        var profile = CpuProfile.Of(start, loadEnd, drainEnd, loadSeconds: 30, drainSeconds: 60, events: 1_000_000);

        Assert.Equal(["postgres (all backends)", "Operations", "Gateway", "Collector.Aws"], profile.Processes.Select(p => p.Process));
        var postgres = profile.Processes[0];
        Assert.Equal((6, 24, 30), (postgres.LoadCpuSeconds, postgres.DrainCpuSeconds, postgres.MicrosecondsPerEvent));
        var gateway = profile.Processes[2];
        Assert.Equal((6, 0, 6), (gateway.LoadCpuSeconds, gateway.DrainCpuSeconds, gateway.MicrosecondsPerEvent));
        // One that appeared after the start counts from zero.
        Assert.Equal(1, profile.Processes[3].DrainCpuSeconds + profile.Processes[3].LoadCpuSeconds);
    }

    [Fact]
    public void PgStatementsNeedsTheSystemStartedHere()
    {
        var (options, _) = BenchOptions.Parse(["--pg-statements", "10"]);
        var (running, error) = BenchOptions.Parse(["--pg-statements", "10", "--gateway", "http://127.0.0.1:5000", "--key", "k", "--read-key", "r"]);
        var (zero, _) = BenchOptions.Parse(["--pg-statements", "0"]);

        Assert.Equal(10, options!.PgStatements);
        Assert.Null(running);
        Assert.Contains("--pg-statements", error);
        Assert.Null(zero);
    }
}
