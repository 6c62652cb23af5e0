using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ControlTower.Collector.Azure.Parsing;
using ControlTower.Contracts.Activity;

namespace ControlTower.Benchmarks.Parsing;

/// <summary>
/// The cost of normalising an Azure Activity Log export (<c>{"records":[...]}</c>, the 163-record sample corpus)
/// against the cost of merely parsing it, as <see cref="CloudTrailNormalizerBenchmarks"/> does for CloudTrail.
/// </summary>
[MemoryDiagnoser]
public class AzureActivityLogBenchmarks
{
    // As the ingestion pipeline parses a body.
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    private byte[] body = [];
    private AzureContext context = AzureContext.None;

    [GlobalSetup]
    public void Setup()
    {
        (body, _) = Corpus.ActivityLogExport();
        // As the ingestion pipeline does: raw records share the body's bytes.
        context = AzureContext.None.ForRequest(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), body);
    }

    [Benchmark(Baseline = true, Description = "Azure Activity Log: Parse")]
    public int Parse()
    {
        using var document = JsonDocument.Parse(body, DocumentOptions);
        return document.RootElement.GetProperty("records").GetArrayLength();
    }

    [Benchmark(Description = "Azure Activity Log: Parse + Normalize")]
    public int ParseAndNormalize()
    {
        using var document = JsonDocument.Parse(body, DocumentOptions);
        var records = ActivityLogNormalizer.Select(document.RootElement)!;
        var activities = new List<CloudActivity>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            if (ActivityLogNormalizer.TryNormalize(records[i], i, context, out var activity, out _))
            {
                activities.Add(activity);
            }
        }
        return activities.Count;
    }
}
