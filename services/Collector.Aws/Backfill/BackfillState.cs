using System.Text.Json;

namespace ControlTower.Collector.Aws.Backfill;

/// <summary>
/// What a backfill has done, saved after every file so that a stopped run resumes where it stopped: the key
/// up to which every file is finished (files finish out of order when several are in flight), and the files
/// the gateway refused, which are not retried.
/// </summary>
public sealed class BackfillState
{
    public string Source { get; set; } = "";
    public string? DoneThrough { get; set; }
    public long Files { get; set; }
    public long Accepted { get; set; }
    public long Duplicates { get; set; }
    public long Rejected { get; set; }
    public List<string> Refused { get; set; } = [];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static BackfillState Load(string path, string source)
    {
        if (!File.Exists(path))
        {
            return new BackfillState { Source = source };
        }
        var state = JsonSerializer.Deserialize<BackfillState>(File.ReadAllText(path), Json) ?? new BackfillState();
        if (state.Source != source)
        {
            throw new InvalidOperationException($"{path} records a backfill of {state.Source}, not {source}; pass another --state file.");
        }
        return state;
    }

    public void Save(string path)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }
}
