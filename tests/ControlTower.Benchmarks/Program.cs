using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using ControlTower.Benchmarks.Columns;
using ControlTower.Benchmarks.Governance;
using ControlTower.Benchmarks.Parsing;
using ControlTower.Benchmarks.ReleaseGate;

// `--quick` is shorthand for BenchmarkDotNet's own `--job short`: one launch, three warm-ups, three iterations.
var quick = args.Contains("--quick", StringComparer.OrdinalIgnoreCase);
var benchmarkArgs = args.Where(a => !string.Equals(a, "--quick", StringComparison.OrdinalIgnoreCase)).ToArray();
// Without a filter BenchmarkDotNet asks which benchmarks to run, which waits forever when nobody is there to answer.
if (!benchmarkArgs.Any(a => a is "--filter" or "-f" || a.StartsWith("--filter=", StringComparison.Ordinal)))
{
    benchmarkArgs = [.. benchmarkArgs, "--filter", "*"];
}

var recordsPerSecond = new RecordsPerSecondColumn(new Dictionary<Type, int>
{
    [typeof(CloudTrailNormalizerBenchmarks)] = Corpus.CloudTrailLogFile().Records,
    [typeof(AzureActivityLogBenchmarks)] = Corpus.ActivityLogExport().Records,
    [typeof(GuardrailEvaluationBenchmarks)] = GuardrailEvaluationBenchmarks.Records,
});
// Under bin/, which git ignores, rather than wherever the command was run from.
var config = DefaultConfig.Instance
    .AddColumn(recordsPerSecond)
    .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"));
if (quick)
{
    config = config.AddJob(Job.ShortRun);
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(CloudTrailNormalizerBenchmarks).Assembly).Run(benchmarkArgs, config);

foreach (var report in summaries.SelectMany(s => s.Reports))
{
    var name = report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\'');
    if (recordsPerSecond.Records(report.BenchmarkCase) is null)
    {
        // The others report the mean time of their own unit (one SCP decision, one parse of the policies).
        Console.WriteLine(report.ResultStatistics is { Mean: > 0 } statistics
            ? string.Create(CultureInfo.InvariantCulture, $"{name}: mean {statistics.Mean:N1} ns, {1e9 / statistics.Mean:N0} per second")
            : $"{name}: no result");
        continue;
    }
    var line = recordsPerSecond.RecordsPerSecond(report) is { } rate
        ? string.Create(CultureInfo.InvariantCulture,
            $"{name}: {recordsPerSecond.Records(report.BenchmarkCase)} records per op, mean {report.ResultStatistics!.Mean / 1e3:N1} µs, {rate:N0} records/s")
        : $"{name}: no result";
    Console.WriteLine(line);
}

// BenchmarkDotNet's percentiles are over iterations of many calls; the gate's budget is per call, so time single calls too.
if (summaries.SelectMany(s => s.Reports).Any(r => r.BenchmarkCase.Descriptor.Type == typeof(GateEvaluationBenchmarks)))
{
    var single = GateEvaluationBenchmarks.SingleCalls();
    Console.WriteLine(single);
    // Beside BenchmarkDotNet's own exports, for tools that read the results (./ct bench).
    var results = Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts", "results");
    Directory.CreateDirectory(results);
    File.WriteAllText(Path.Combine(results, "gate-single-calls.json"), System.Text.Json.JsonSerializer.Serialize(single));
}
