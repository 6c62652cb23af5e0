using System.Text;
using System.Text.Json;

namespace ControlTower.Benchmarks.Parsing;

/// <summary>The sample corpus (tests/TestData/aws/cloudtrail-records.jsonl) as one CloudTrail log file body.</summary>
public static class CloudTrailCorpus
{
    public const string ResourceName = "cloudtrail-records.jsonl";

    /// <summary><c>{"Records":[...]}</c> holding every record of the corpus, as UTF-8, and how many records that is.</summary>
    public static (byte[] Body, int Records) LoadLogFile()
    {
        using var stream = typeof(CloudTrailCorpus).Assembly.GetManifestResourceStream(ResourceName)
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
        var body = Encoding.UTF8.GetBytes("{\"Records\":[" + string.Join(",", lines) + "]}");

        // Fail here, not as a strange figure, if a line is not one JSON value.
        using var check = JsonDocument.Parse(body);
        var records = check.RootElement.GetProperty("Records").GetArrayLength();
        if (records != lines.Count)
        {
            throw new InvalidOperationException($"the corpus has {lines.Count} lines but the log file holds {records} records");
        }
        return (body, records);
    }
}
