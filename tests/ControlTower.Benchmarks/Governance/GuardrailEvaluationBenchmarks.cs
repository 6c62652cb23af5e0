using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ControlTower.Benchmarks.Parsing;
using ControlTower.Collector.Aws.Parsing;
using ControlTower.Collector.Azure.Parsing;
using ControlTower.Contracts.Activity;
using ControlTower.Governance.Controls;

namespace ControlTower.Benchmarks.Governance;

/// <summary>
/// Judging the sample corpora (the CloudTrail records and the Activity Log export, normalised once in the set-up)
/// against the whole control catalog with every control on: the work the Governance consumer adds per activity
/// before it reads anything from its database.
/// </summary>
[MemoryDiagnoser]
public class GuardrailEvaluationBenchmarks
{
    private static readonly Lazy<CloudActivity[]> Activities = new(Normalize);

    private Dictionary<string, ControlScope> scopes = [];

    /// <summary>How many activities one operation judges.</summary>
    public static int Records => Activities.Value.Length;

    [GlobalSetup]
    public void Setup()
    {
        var everything = ControlCatalog.Default.Controls.ToDictionary(c => c.Id, _ => "ou-bench", StringComparer.Ordinal);
        scopes = Activities.Value.Select(a => a.Account).Distinct(StringComparer.Ordinal)
            .ToDictionary(a => a, a => new ControlScope("any", a, "ou-bench", "workload", false, everything), StringComparer.Ordinal);
    }

    [Benchmark(Description = "Guardrails: Evaluate")]
    public int Evaluate()
    {
        var hits = 0;
        foreach (var activity in Activities.Value)
        {
            hits += GuardrailEvaluator.Evaluate(activity, ControlCatalog.Default, scopes[activity.Account]).Count;
        }
        return hits;
    }

    private static CloudActivity[] Normalize()
    {
        var at = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var (cloudTrail, _) = Corpus.CloudTrailLogFile();
        using var trail = JsonDocument.Parse(cloudTrail);
        var (aws, _) = CloudTrailNormalizer.NormalizeAll(trail.RootElement.GetProperty("Records"), RecordContext.None with { ReceivedAt = at });
        var (activityLog, _) = Corpus.ActivityLogExport();
        using var export = JsonDocument.Parse(activityLog);
        var records = ActivityLogNormalizer.Select(export.RootElement)!;
        var azure = new List<CloudActivity>();
        for (var i = 0; i < records.Count; i++)
        {
            if (ActivityLogNormalizer.TryNormalize(records[i], i, AzureContext.None with { ReceivedAt = at }, out var activity, out _))
            {
                azure.Add(activity);
            }
        }
        return [.. aws, .. azure];
    }
}
