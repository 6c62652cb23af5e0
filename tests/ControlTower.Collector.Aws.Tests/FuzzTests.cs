using System.IO.Compression;
using ControlTower.Collector.Aws.Apis;
using ControlTower.Collector.Aws.Parsing;
using ControlTower.Testing;
using ControlTower.Testing.Fuzzing;

namespace ControlTower.Collector.Aws.Tests;

/// <summary>The AWS doors' parsing fuzzed from the sample corpus: any input is answered, none throws (README "Reliability and security").</summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static byte[] Gunzip(string file)
    {
        using var gzip = new GZipStream(File.OpenRead(Repository.TestData(file)), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        return plain.ToArray();
    }

    private static IReadOnlyList<byte[]> Lines(string file, int take) =>
        File.ReadAllLines(Repository.TestData(file)).Where(l => l.Trim().Length > 0).Take(take).Select(System.Text.Encoding.UTF8.GetBytes).ToList();

    [Fact]
    public void CloudTrailLogFiles()
    {
        var seeds = new List<byte[]> { Gunzip("aws/cloudtrail-logfile.json.gz") };
        seeds.AddRange(Lines("aws/cloudtrail-records.jsonl", 40).Select(r => System.Text.Encoding.UTF8.GetBytes("{\"Records\":[" + System.Text.Encoding.UTF8.GetString(r) + "]}")));

        var report = new Fuzzer().Run(seeds, DoorFuzz.Target(CloudTrailApi.LogFileDoor, RecordContext.None));

        output.WriteLine($"CloudTrail log files: {report}");
        Assert.True(report.Executions > seeds.Count);
    }

    [Fact]
    public void EventBridgeEvents()
    {
        var seeds = new List<byte[]> { File.ReadAllBytes(Repository.TestData("aws/eventbridge-batch.json")) };
        seeds.AddRange(Lines("aws/eventbridge-events.jsonl", 40));
        seeds.AddRange(Lines("aws/organizations-events.jsonl", 20));

        var report = new Fuzzer().Run(seeds, DoorFuzz.Target(CloudTrailApi.EventBridgeDoor, RecordContext.None));

        output.WriteLine($"EventBridge events: {report}");
        Assert.True(report.Executions > seeds.Count);
    }
}
