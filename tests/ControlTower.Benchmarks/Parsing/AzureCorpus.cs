using System.Text;
using System.Text.Json;

namespace ControlTower.Benchmarks.Parsing;

/// <summary>The Azure Activity Log sample corpus (tests/TestData/azure/activity-log-records.jsonl) as one diagnostic-settings export body.</summary>
public static class AzureCorpus
{
    public const string ResourceName = "activity-log-records.jsonl";

    /// <summary><c>{"records":[...]}</c> holding every record of the corpus, as UTF-8, and how many records that is.</summary>
    public static (byte[] Body, int Records) LoadActivityLogExport()
    {
        using var stream = typeof(AzureCorpus).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                lines.Add(line);
            }
        }
        var body = Encoding.UTF8.GetBytes("{\"records\":[" + string.Join(",", lines) + "]}");

        using var check = JsonDocument.Parse(body);
        var records = check.RootElement.GetProperty("records").GetArrayLength();
        if (records != lines.Count)
        {
            throw new InvalidOperationException($"the corpus has {lines.Count} lines but the export holds {records} records");
        }
        return (body, records);
    }
}
