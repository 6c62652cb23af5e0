using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ControlTower.Collector.Aws.Parsing;

namespace ControlTower.Benchmarks.Parsing;

/// <summary>
/// The cost of normalising a CloudTrail log file against the cost of merely parsing it: the ratio column is
/// what <see cref="CloudTrailNormalizer"/> adds on top of <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/>.
/// </summary>
[MemoryDiagnoser]
public class CloudTrailNormalizerBenchmarks
{
    // As the ingestion pipeline parses a body.
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    private byte[] body = [];
    private RecordContext context = RecordContext.None;

    [GlobalSetup]
    public void Setup()
    {
        (body, _) = Corpus.CloudTrailLogFile();
        // As the ingestion pipeline does: raw records share the body's bytes.
        context = RecordContext.None with { ReceivedAt = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), Source = body };
    }

    [Benchmark(Baseline = true, Description = "Parse")]
    public int Parse()
    {
        using var document = JsonDocument.Parse(body, DocumentOptions);
        return document.RootElement.GetProperty("Records").GetArrayLength();
    }

    [Benchmark(Description = "Parse + NormalizeAll")]
    public int ParseAndNormalize()
    {
        using var document = JsonDocument.Parse(body, DocumentOptions);
        var (activities, errors) = CloudTrailNormalizer.NormalizeAll(document.RootElement.GetProperty("Records"), context);
        return activities.Count + errors.Count;
    }
}
