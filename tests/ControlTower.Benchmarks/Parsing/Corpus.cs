using System.Text;
using System.Text.Json;

namespace ControlTower.Benchmarks.Parsing;

/// <summary>
/// The sample corpora (JSON Lines under tests/TestData, embedded) as the bodies their sources send: every
/// record of a corpus in one array under the property its format names.
/// </summary>
public static class Corpus
{
    /// <summary>tests/TestData/aws/cloudtrail-records.jsonl as a CloudTrail log file, <c>{"Records":[...]}</c>.</summary>
    public static (byte[] Body, int Records) CloudTrailLogFile() => Load("cloudtrail-records.jsonl", "Records");

    /// <summary>tests/TestData/azure/activity-log-records.jsonl as a diagnostic-settings export, <c>{"records":[...]}</c>.</summary>
    public static (byte[] Body, int Records) ActivityLogExport() => Load("activity-log-records.jsonl", "records");

    private static (byte[] Body, int Records) Load(string resourceName, string arrayProperty)
    {
        using var stream = typeof(Corpus).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"embedded resource {resourceName} is missing");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                lines.Add(line);
            }
        }
        var body = Encoding.UTF8.GetBytes($"{{\"{arrayProperty}\":[" + string.Join(",", lines) + "]}");

        // Fail here, not as a strange figure, if a line is not one JSON value.
        using var check = JsonDocument.Parse(body);
        var records = check.RootElement.GetProperty(arrayProperty).GetArrayLength();
        if (records != lines.Count)
        {
            throw new InvalidOperationException($"{resourceName} has {lines.Count} lines but the body holds {records} records");
        }
        return (body, records);
    }
}
