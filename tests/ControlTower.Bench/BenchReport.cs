using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ControlTower.Bench;

/// <summary>
/// One line of the table: a system figure, the limit measured in the same run that it is read against, their ratio,
/// and the target the issue sets. <see cref="Ratio"/> is system ÷ limit, so 1 is the limit itself.
/// </summary>
public sealed record Figure(string Part, string Name, double? Value, string Unit)
{
    public string? LimitName { get; init; }
    public double? Limit { get; init; }
    public string? LimitUnit { get; init; }
    public string? Target { get; init; }
    /// <summary>Whether the target is met, when there is one and a value to judge.</summary>
    public bool? Met { get; init; }
    public string? Note { get; init; }

    public double? Ratio => Value is { } v && Limit is > 0 ? v / Limit.Value : null;
}

/// <summary>Everything one run measured: the table's figures and, for the JSON, the details behind them.</summary>
public sealed class BenchReport
{
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? FinishedAt { get; set; }
    public string Machine { get; } = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}";
    public List<string> LoadAverages { get; } = [];
    public required string Command { get; init; }
    public List<Figure> Figures { get; } = [];
    public Dictionary<string, object?> Details { get; } = new(StringComparer.Ordinal);
    public List<string> Problems { get; } = [];

    public void Add(Figure figure) => Figures.Add(figure);

    /// <summary>The load average now, for the record: the machine may be shared, which is why every figure has its limit beside it.</summary>
    public void NoteLoad(string when)
    {
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[..3] : ["?"];
        LoadAverages.Add($"{when}: {string.Join(" ", load)}");
    }

    public string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| part | figure | system | limit (same run) | ratio | target | met |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var f in Figures)
        {
            var value = f.Value is { } v ? $"{Number(v)} {f.Unit}" : "not measured";
            var limit = f.Limit is { } l ? $"{f.LimitName}: {Number(l)} {f.LimitUnit ?? f.Unit}" : f.LimitName ?? "";
            var ratio = f.Ratio is { } r ? Ratio(r) : "";
            var met = f.Met switch { true => "yes", false => "**no**", null => "" };
            var name = f.Note is null ? f.Name : $"{f.Name} ({f.Note})";
            text.AppendLine($"| {f.Part} | {Escape(name)} | {value} | {Escape(limit)} | {ratio} | {Escape(f.Target ?? "")} | {met} |");
        }
        return text.ToString();
    }

    /// <summary>Thousands separated, no more than three significant decimals for small values.</summary>
    public static string Number(double value) => Math.Abs(value) switch
    {
        >= 100 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("N1", CultureInfo.InvariantCulture),
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };

    /// <summary>A percentage, or a multiple once the figure is ten times its limit or more (a latency beside its floor).</summary>
    public static string Ratio(double ratio) => ratio switch
    {
        >= 10 => ratio.ToString("N0", CultureInfo.InvariantCulture) + "×",
        < 0.1 => ratio.ToString("P1", CultureInfo.InvariantCulture),
        _ => ratio.ToString("P0", CultureInfo.InvariantCulture),
    };

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    public string Json() => JsonSerializer.Serialize(this, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
