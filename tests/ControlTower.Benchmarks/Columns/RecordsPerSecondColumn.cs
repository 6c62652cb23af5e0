using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ControlTower.Benchmarks.Columns;

/// <summary>
/// Throughput in the unit ingestion is sized in: records per operation divided by the mean time of one. Each
/// benchmark class works on its own corpus, so the records per operation are given per class; classes that
/// measure another unit (SCP decisions) have none and show "-".
/// </summary>
public sealed class RecordsPerSecondColumn(IReadOnlyDictionary<Type, int> recordsPerOperation) : IColumn
{
    public string Id => nameof(RecordsPerSecondColumn);
    public string ColumnName => "Records/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Records per second: records per operation (the corpus of the benchmark's class) / mean time of one operation";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        Records(benchmarkCase) is null ? "-"
        : RecordsPerSecond(summary[benchmarkCase]) is { } rate ? rate.ToString("N0", CultureInfo.InvariantCulture) : "NA";

    public int? Records(BenchmarkCase benchmarkCase) =>
        recordsPerOperation.TryGetValue(benchmarkCase.Descriptor.Type, out var records) ? records : null;

    public double? RecordsPerSecond(BenchmarkReport? report) =>
        report?.ResultStatistics is { Mean: > 0 } statistics && Records(report.BenchmarkCase) is { } records ? records / (statistics.Mean / 1e9) : null;

    public override string ToString() => ColumnName;
}
