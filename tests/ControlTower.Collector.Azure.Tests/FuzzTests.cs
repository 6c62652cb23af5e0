using System.Text;
using ControlTower.Collector.Azure.Apis;
using ControlTower.Collector.Azure.Parsing;
using ControlTower.Testing;
using ControlTower.Testing.Fuzzing;

namespace ControlTower.Collector.Azure.Tests;

/// <summary>The Azure doors' parsing fuzzed from the sample corpus: any input is answered, none throws (README "Reliability and security").</summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static byte[] Sample(string file) => File.ReadAllBytes(Repository.TestData("azure/" + file));

    private static IEnumerable<string> Lines(string file) =>
        File.ReadAllLines(Repository.TestData("azure/" + file)).Where(l => l.Trim().Length > 0);

    public static TheoryData<string> Doors() => ["eventgrid", "cloudevents", "activity-log", "alerts"];

    [Theory]
    [MemberData(nameof(Doors))]
    public void EveryDoor(string door)
    {
        List<byte[]> seeds = door switch
        {
            "eventgrid" => [Sample("eventgrid-events.json"), Sample("eventgrid-validation.json")],
            "cloudevents" => [Sample("cloudevents-batch.json")],
            "activity-log" =>
            [
                Sample("activity-log-rest-events.json"),
                .. Lines("activity-log-records.jsonl").Take(30).Select(l => Encoding.UTF8.GetBytes("{\"records\":[" + l + "]}")),
                .. Lines("governance-activity-records.jsonl").Take(10).Select(l => Encoding.UTF8.GetBytes("[" + l + "]")),
            ],
            _ => [Sample("common-alert-fired.json"), Sample("common-alert-resolved.json")],
        };
        var target = door switch
        {
            "eventgrid" => DoorFuzz.Target(AzureIngestionApi.EventGridDoor, AzureContext.None),
            "cloudevents" => DoorFuzz.Target(AzureIngestionApi.CloudEventsDoor, AzureContext.None),
            "activity-log" => DoorFuzz.Target(AzureIngestionApi.ActivityLogDoor, AzureContext.None),
            _ => DoorFuzz.Target(AzureIngestionApi.AlertDoor, AzureContext.None),
        };

        var report = new Fuzzer().Run(seeds, target);

        output.WriteLine($"{door}: {report}");
        Assert.True(report.Executions > seeds.Count);
    }
}
